import {
  type AttributeRequest,
  hasDraft,
  isLive,
  MarketoApiError,
  type WireAttribute,
  type WireCustomActivityType,
} from "../marketo/index.js";
import { type ActivityTypeDefinition, MarketoActivitiesError, typeLeaves } from "../schema/index.js";
import { planUpdate } from "./diff.js";
import type { Plan, Step, StepOperation, TypePlan } from "./plan.js";
import { isNoSuchType, type ReconcileClient, toVersion } from "./read.js";
import { conflictText, destructiveRemedy, type MessageContext } from "./remedies.js";
import type { LiveVersion } from "./types.js";

/** Options of `applyPlan`. */
export interface ApplyOptions {
  /** Apply destructive changes even where the definition does not allow them (`--allow-destructive`). */
  readonly allowDestructive?: boolean;
  /** Discard (or overwrite) drafts edited outside this tool (`--discard-foreign-drafts`). */
  readonly discardForeignDrafts?: boolean;
  /**
   * Types applied at once. The client's limiter bounds the calls in any case; this bounds how many
   * types are half-done when one fails.
   * @default 10
   */
  readonly concurrency?: number;
  /** Where the refusal messages are read: they offer flags only in `cli`. @default "cli" */
  readonly context?: MessageContext;
  /** Called as each type starts, makes a call, and ends. */
  readonly onProgress?: (event: ApplyEvent) => void;
}

/** Progress of an apply, for the CLI's per-type lines. */
export type ApplyEvent =
  | {
      readonly kind: "start";
      readonly apiName: string;
      readonly action: TypePlan["action"];
      readonly steps: number;
    }
  | {
      readonly kind: "step";
      readonly apiName: string;
      readonly operation: StepOperation;
      readonly index: number;
      readonly steps: number;
    }
  | { readonly kind: "done"; readonly apiName: string; readonly action: TypePlan["action"] }
  | { readonly kind: "failed"; readonly apiName: string; readonly error: Error };

/** What happened to one type. */
export interface TypeResult {
  readonly apiName: string;
  readonly action: TypePlan["action"];
  readonly outcome: "applied" | "unchanged" | "failed" | "not started";
  /** Steps completed before a failure, or all of them. */
  readonly stepsDone: number;
  readonly error?: Error;
}

/** The result of an apply: per type, and the REST calls it used (retries included). */
export interface ApplyResult {
  readonly instance: string;
  readonly types: readonly TypeResult[];
  readonly calls: number;
  /**
   * Of those, the reads apply made to check its work, which no step names: a draft or published
   * version whose write's answer did not show it whole, a refused resend or create read back.
   */
  readonly reads: number;
  readonly ok: boolean;
}

/** Apply refused to start: nothing was written. */
export class ApplyRefusedError extends MarketoActivitiesError {
  constructor(
    public readonly instance: string,
    public readonly reasons: readonly string[],
  ) {
    super(
      "ApplyRefused",
      `apply refused for instance "${instance}"; nothing was changed:\n${reasons.map((r) => `  - ${r}`).join("\n")}`,
    );
  }
}

/**
 * The reasons a plan must not be applied with these options: destructive changes the definition
 * does not allow, foreign drafts, the type limit. Empty when it may go ahead.
 */
export function refusals(plan: Plan, options: ApplyOptions = {}): string[] {
  const reasons = plan.types.flatMap((type) => typeRefusals(type, options));
  if (!plan.limits.ok) {
    reasons.push(
      `the instance would have ${plan.limits.afterApply} custom activity types, over the limit of ${plan.limits.maxActivityTypes} (unmanaged types count too); retire types or raise maxActivityTypes if your subscription allows more`,
    );
  }
  return reasons;
}

/** The reasons one type's plan must not be applied with these options. */
function typeRefusals(type: TypePlan, options: ApplyOptions): string[] {
  // What Marketo forbids is the one reason: no flag would make the rest of the plan possible.
  if (type.forbidden !== undefined) return [`${type.apiName}: ${type.forbidden}`];
  const reasons: string[] = [];
  if (type.destructiveNotAllowed === true && options.allowDestructive !== true) {
    const what = type.changes.filter((c) => c.risk === "destructive").map((c) => c.path);
    reasons.push(
      `${type.apiName}: destructive changes (${what.join(", ")}) are not allowed; ${destructiveRemedy(options.context)}`,
    );
  }
  if (type.conflict !== undefined && options.discardForeignDrafts !== true) {
    reasons.push(`${type.apiName}: ${conflictText(type, options.context)}`);
  }
  return reasons;
}

/**
 * Applies one step and returns Marketo's answer. When the client resent a write whose earlier attempt
 * may have been carried out (its answer was lost: a timeout, a dropped connection, a 5xx), Marketo
 * may refuse the resend because the first one worked: an attribute create meets "already exists", a
 * delete meets "not found", an approve meets "no draft". Such a refusal is checked by reading the
 * type back (one describe): when the step's effect is there, the step is done. (A refused create is
 * handled by `afterRefusedCreate`, whatever refused it.)
 */
async function applyStep(
  client: ReconcileClient,
  apiName: string,
  step: Step,
): Promise<WireCustomActivityType | undefined> {
  try {
    return await sendStep(client, apiName, step);
  } catch (error) {
    if (!(error instanceof MarketoApiError) || !error.afterAmbiguousAttempt) throw error;
    if (step.operation === "createCustomActivityType") throw error;
    const held = await effectHeld(client, apiName, step);
    if (held === false) throw error;
    return held;
  }
}

/** Whether an attribute as Marketo holds it is what a request asked for. */
function attributeHolds(held: WireAttribute | undefined, wanted: AttributeRequest): boolean {
  if (held === undefined) return false;
  const same = (a: string | undefined, b: string | undefined) => (a ?? "") === (b ?? "");
  return (
    (wanted.name === undefined || same(held.name, wanted.name)) &&
    (wanted.dataType === undefined || (held.dataType ?? "string") === wanted.dataType) &&
    (wanted.description === undefined || same(held.description, wanted.description))
  );
}

/**
 * After a refused resend: reads the type back and returns the version that shows the step's effect
 * (`undefined` when the effect is the type's or the draft's absence), or `false` when the effect is
 * not there and the refusal stands.
 */
async function effectHeld(
  client: ReconcileClient,
  apiName: string,
  step: Step,
): Promise<WireCustomActivityType | undefined | false> {
  const live =
    step.operation === "approveCustomActivityType" || step.operation === "discardCustomActivityTypeDraft";
  const read = await describeOrNone(client, apiName, !live && step.operation !== "deleteCustomActivityType");
  const status = read?.status;
  const primary = read?.primaryAttribute;
  const secondaries = (read?.attributes ?? []).filter(
    (a) => a.isPrimary !== true && a.apiName !== primary?.apiName,
  );
  const find = (name: string) =>
    primary?.apiName === name ? primary : secondaries.find((a) => a.apiName === name);
  const same = (a: string | undefined, b: string | undefined) => (a ?? "") === (b ?? "");
  switch (step.operation) {
    case "deleteCustomActivityType":
      return read === undefined || status === "deleted" ? undefined : false;
    case "approveCustomActivityType":
    case "discardCustomActivityTypeDraft":
      return read !== undefined && status === "approved" ? read : false;
    case "deleteCustomActivityTypeAttributes":
      return read !== undefined && step.apiNames.every((name) => find(name) === undefined) ? read : false;
    case "createCustomActivityTypeAttributes":
      return read !== undefined && step.attributes.every((a) => attributeHolds(find(a.apiName), a))
        ? read
        : false;
    case "updateCustomActivityTypeAttributes":
      return read !== undefined &&
        step.attributes.every(
          (a) =>
            attributeHolds(find(a.apiName), a) &&
            (a.isPrimary === undefined || (primary?.apiName === a.apiName) === a.isPrimary),
        )
        ? read
        : false;
    case "updateCustomActivityType": {
      const request = step.request;
      const fields = ["name", "triggerName", "filterName", "description"] as const;
      const holds =
        read !== undefined &&
        fields.every((f) => request[f] === undefined || same(read[f], request[f])) &&
        (request.primaryAttribute === undefined ||
          (primary?.apiName === request.primaryAttribute.apiName &&
            attributeHolds(primary, request.primaryAttribute)));
      return holds ? read : false;
    }
  }
  return false;
}

/**
 * The descriptions a write cleared (sent as `""`) that Marketo's answer still shows. How Marketo
 * stores an empty description is not documented (docs/marketo-api.md 8.14): stored as `""`, `null` or
 * left out, the next plan reads it as none; kept, the plan would show the same change for ever, so
 * apply says so instead. An answer without the field says nothing and passes.
 */
function keptDescriptions(step: Step, answer: WireCustomActivityType | undefined): string[] {
  const kept = (description: string | undefined) => description !== undefined && description !== "";
  const paths: string[] = [];
  if (answer === undefined) return paths;
  if (step.operation === "updateCustomActivityType") {
    if (step.request.description === "" && kept(answer.description)) paths.push("description");
    const primary = step.request.primaryAttribute;
    if (primary?.description === "" && kept(answer.primaryAttribute?.description))
      paths.push("primaryAttribute.description");
  }
  if (step.operation === "updateCustomActivityTypeAttributes") {
    const all = [...(answer.attributes ?? []), ...(answer.primaryAttribute ? [answer.primaryAttribute] : [])];
    for (const attribute of step.attributes) {
      if (attribute.description !== "") continue;
      if (kept(all.find((a) => a.apiName === attribute.apiName)?.description))
        paths.push(`attributes.${attribute.apiName}.description`);
    }
  }
  return paths;
}

function refuseKeptDescriptions(
  apiName: string,
  step: Step,
  answer: WireCustomActivityType | undefined,
): void {
  const paths = keptDescriptions(step, answer);
  if (paths.length === 0) return;
  throw new MarketoActivitiesError(
    "DescriptionKept",
    `${apiName}: Marketo kept ${paths.join(", ")} though apply sent an empty one to clear it, so the change cannot be made through the API`,
    {
      hint: "write a description in the code instead of removing it, or clear it in Marketo Admin; then run apply again",
    },
  );
}

/** Describes one version, or `undefined` when Marketo has no such type or version. */
async function describeOrNone(
  client: ReconcileClient,
  apiName: string,
  draft: boolean,
): Promise<WireCustomActivityType | undefined> {
  try {
    return await client.describeCustomActivityType(apiName, { draft });
  } catch (error) {
    if (isNoSuchType(error)) return undefined;
    throw error;
  }
}

/**
 * After Marketo refused to create `definition`: the steps that reach it from what Marketo holds.
 * The list may leave out never-approved types (docs/marketo-api.md 8.2), or another apply may have
 * created the type since the plan, or an earlier attempt of this create went through: so the type is
 * described (live and draft, two calls) and planned again as an existing type. If that plan must be
 * refused, or there is no type to describe, apply stops at this type with the reason; the refused
 * create wrote nothing.
 */
async function afterRefusedCreate(
  client: ReconcileClient,
  definition: ActivityTypeDefinition,
  approve: boolean,
  options: ApplyOptions,
  refusal: unknown,
  wasDeleted: boolean,
): Promise<Step[]> {
  if (!(refusal instanceof MarketoApiError) || refusal.retryable) throw refusal;
  const { apiName } = definition;
  const [draft, live] = await Promise.all([
    describeOrNone(client, apiName, true),
    describeOrNone(client, apiName, false),
  ]);
  const status =
    draft?.status ??
    live?.status ??
    (live !== undefined ? "approved" : draft !== undefined ? "draft" : undefined);
  if (status === undefined || status === "deleted") {
    // Nothing to go on from: Marketo's refusal stands, with its own hint, unless the apiName was a
    // deleted type's (the plan saw it listed so), which Marketo may not let be used again (8.7).
    // 1017 "already exists" with no type to describe points the same way (the list may leave
    // deleted types out).
    if (!wasDeleted && !refusal.codes.includes("1017")) throw refusal;
    throw new MarketoActivitiesError(
      "CreateRefused",
      `${refusal.message}; and Marketo has no type ${apiName} to describe${wasDeleted ? `, though it listed a deleted one` : ""}`,
      {
        hint: `Marketo may not let a deleted type's apiName be used again: declare the type under a new apiName (and retire the old one)`,
        cause: refusal,
      },
    );
  }
  const replanned = planUpdate(
    definition,
    {
      apiName,
      status,
      ...(isLive(status) && live !== undefined ? { live: toVersion(live) } : {}),
      ...(hasDraft(status) && draft !== undefined ? { draft: toVersion(draft) } : {}),
    },
    approve,
  );
  const reasons = typeRefusals(replanned, options);
  if (reasons.length > 0) {
    throw new MarketoActivitiesError(
      "ApplyRefused",
      `${apiName} already exists in Marketo (status ${status}), though the plan did not see it, and it cannot be applied as it is now:\n${reasons.map((r) => `  - ${r}`).join("\n")}`,
      { hint: "run plan again to review what Marketo holds" },
    );
  }
  return replanned.steps;
}

/** The one client call a step is: the client method of the step's operation, with its arguments. */
async function sendStep(
  client: ReconcileClient,
  apiName: string,
  step: Step,
): Promise<WireCustomActivityType | undefined> {
  switch (step.operation) {
    case "createCustomActivityType":
      return client.createCustomActivityType(step.request);
    case "updateCustomActivityType": {
      const answer = await client.updateCustomActivityType(apiName, step.request);
      refuseKeptDescriptions(apiName, step, answer);
      return answer;
    }
    case "createCustomActivityTypeAttributes":
      return client.createCustomActivityTypeAttributes(apiName, step.attributes);
    case "updateCustomActivityTypeAttributes": {
      const answer = await client.updateCustomActivityTypeAttributes(apiName, step.attributes);
      refuseKeptDescriptions(apiName, step, answer);
      return answer;
    }
    case "deleteCustomActivityTypeAttributes":
      return client.deleteCustomActivityTypeAttributes(apiName, step.apiNames);
    case "discardCustomActivityTypeDraft":
      return client.discardCustomActivityTypeDraft(apiName);
    case "approveCustomActivityType":
      return client.approveCustomActivityType(apiName);
    case "deleteCustomActivityType":
      return client.deleteCustomActivityType(apiName);
  }
}

/** The steps whose answer is the draft they wrote. */
const WRITES_DRAFT = new Set<StepOperation>([
  "createCustomActivityType",
  "updateCustomActivityType",
  "createCustomActivityTypeAttributes",
  "updateCustomActivityTypeAttributes",
  "deleteCustomActivityTypeAttributes",
]);

/**
 * Whether an answer holds a whole version: Marketo's examples leave fields out (docs/marketo-api.md
 * 6.6), and an answer without `attributes` cannot say whether another writer added one (it may mean
 * "none" or "not included": the docs' delete example leaves the key out), so it is read once instead.
 */
function whole(answer: WireCustomActivityType | undefined): answer is WireCustomActivityType {
  return (
    answer !== undefined &&
    answer.name !== undefined &&
    answer.triggerName !== undefined &&
    answer.filterName !== undefined &&
    answer.primaryAttribute !== undefined &&
    answer.attributes !== undefined
  );
}

/** The fields where `version` is not `desired`, as `path = value` (the value `version` holds). */
export function undeclared(version: LiveVersion, desired: ActivityTypeDefinition): string[] {
  const held = typeLeaves(version);
  const wanted = typeLeaves(desired);
  return [...new Set([...Object.keys(held), ...Object.keys(wanted)])]
    .filter((key) => held[key] !== wanted[key])
    .sort()
    .map((key) => `${key} = ${held[key] === undefined ? "(none)" : JSON.stringify(held[key])}`);
}

/**
 * Decision 15: a draft is published only when it is exactly what the code declares. `draft` is the
 * answer to our last write of it; when that answer does not hold the whole version (or there was no
 * write), the draft is read once. Anything else in it is another change (an apply of other code, an
 * edit in Marketo Admin) and stops this type before approve.
 */
async function checkDraft(
  client: ReconcileClient,
  desired: ActivityTypeDefinition,
  draft: WireCustomActivityType | undefined,
  when: "before publishing" | "left as a draft (approve: false)",
): Promise<void> {
  const version = whole(draft)
    ? draft
    : await client.describeCustomActivityType(desired.apiName, { draft: true });
  const other = version === undefined ? ["(no draft)"] : undeclared(toVersion(version), desired);
  if (other.length === 0) return;
  throw new MarketoActivitiesError(
    "UndeclaredChange",
    `${desired.apiName}: the draft in Marketo holds changes this apply did not make (${other.join(", ")}), so it was ${when === "before publishing" ? "not published" : "left as it is"}: another apply or an edit in Marketo Admin is changing this type at the same time`,
    {
      hint: "let one deploy run at a time (the example workflow's concurrency group does), then run plan again: it shows the other change",
    },
  );
}

/**
 * After approve: the published version must be the declared one. Marketo's approve takes no
 * precondition, so a write landing between `checkDraft` and approve is published with ours; this
 * catches it and fails the type, naming the other change. Uses approve's answer when it holds the
 * whole version, else one describe.
 */
async function checkPublished(
  client: ReconcileClient,
  desired: ActivityTypeDefinition,
  answer: WireCustomActivityType | undefined,
): Promise<void> {
  const live = whole(answer)
    ? answer
    : await client.describeCustomActivityType(desired.apiName, { draft: false });
  const other = live === undefined ? ["(nothing published)"] : undeclared(toVersion(live), desired);
  if (other.length === 0) return;
  throw new MarketoActivitiesError(
    "UndeclaredPublished",
    `${desired.apiName}: Marketo published a version this apply did not declare (${other.join(", ")}): another change reached the draft between this apply's check and its approve`,
    {
      hint: "review the type in Marketo Admin; plan shows how the live version differs from the code, and the next apply brings it back",
    },
  );
}

/**
 * Executes a plan. Refuses before any write when `refusals` finds a reason. Types run side by side
 * (the client's limiter keeps the calls within Marketo's limits); each type's steps run in order.
 * A type that fails stops there, types in progress finish, types not yet started are not
 * started; the next apply
 * finishes the work, because a half-applied type is a draft that `diff` recognises as ours.
 */
export async function applyPlan(
  plan: Plan,
  client: ReconcileClient,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const reasons = refusals(plan, options);
  if (reasons.length > 0) throw new ApplyRefusedError(plan.instance.id, reasons);
  const before = client.usage().total;
  let reads = 0;
  const counting = client;
  client = new Proxy(counting, {
    get(target, property, receiver) {
      if (property === "describeCustomActivityType") {
        return (...args: Parameters<ReconcileClient["describeCustomActivityType"]>) => {
          reads++;
          return target.describeCustomActivityType(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  let failed = false;
  const applyType = async (type: TypePlan): Promise<TypeResult> => {
    if (type.steps.length === 0)
      return { apiName: type.apiName, action: type.action, outcome: "unchanged", stepsDone: 0 };
    if (failed) return { apiName: type.apiName, action: type.action, outcome: "not started", stepsDone: 0 };
    options.onProgress?.({
      kind: "start",
      apiName: type.apiName,
      action: type.action,
      steps: type.steps.length,
    });
    let done = 0;
    try {
      let steps = type.steps;
      // The draft as the answer to our last write of it showed it (decision 15).
      let draft: WireCustomActivityType | undefined;
      let wrote = false;
      for (let index = 0; index < steps.length; index++) {
        const step = steps[index]!;
        options.onProgress?.({
          kind: "step",
          apiName: type.apiName,
          operation: step.operation,
          index: index + 1,
          steps: steps.length,
        });
        // With no write of ours before it (a draft an earlier apply left), the plan's read of the
        // draft is the check, and the read-back after approve catches anything since.
        if (step.operation === "approveCustomActivityType" && type.desired !== undefined && wrote)
          await checkDraft(client, type.desired, draft, "before publishing");
        let answer: WireCustomActivityType | undefined;
        try {
          answer = await applyStep(client, type.apiName, step);
        } catch (error) {
          if (step.operation !== "createCustomActivityType" || type.desired === undefined) throw error;
          // The type exists after all: go on from what Marketo holds.
          steps = await afterRefusedCreate(
            client,
            type.desired,
            plan.instance.approve,
            options,
            error,
            type.status === "deleted",
          );
          index = -1;
          draft = undefined;
          wrote = false;
          continue;
        }
        if (WRITES_DRAFT.has(step.operation)) {
          draft = answer;
          wrote = true;
        }
        if (step.operation === "discardCustomActivityTypeDraft") draft = undefined;
        if (step.operation === "approveCustomActivityType" && type.desired !== undefined)
          await checkPublished(client, type.desired, answer);
        done++;
      }
      const last = steps.at(-1)?.operation;
      if (type.desired !== undefined && last !== undefined && WRITES_DRAFT.has(last))
        await checkDraft(client, type.desired, draft, "left as a draft (approve: false)");
      options.onProgress?.({ kind: "done", apiName: type.apiName, action: type.action });
      return { apiName: type.apiName, action: type.action, outcome: "applied", stepsDone: done };
    } catch (error) {
      failed = true;
      const err = error instanceof Error ? error : new Error(String(error));
      options.onProgress?.({ kind: "failed", apiName: type.apiName, error: err });
      return { apiName: type.apiName, action: type.action, outcome: "failed", stepsDone: done, error: err };
    }
  };
  // Deletes first, across types: a tombstone makes room for a create at the type limit.
  const concurrency = options.concurrency ?? 10;
  const deletes = plan.types.filter((t) => t.action === "delete");
  const others = plan.types.filter((t) => t.action !== "delete");
  const byApiName = new Map<string, TypeResult>();
  for (const result of await mapPool(deletes, concurrency, applyType)) byApiName.set(result.apiName, result);
  for (const result of await mapPool(others, concurrency, applyType)) byApiName.set(result.apiName, result);
  const results = plan.types.map((t) => byApiName.get(t.apiName)!);
  return {
    instance: plan.instance.id,
    types: results,
    calls: client.usage().total - before,
    reads,
    ok: results.every((r) => r.outcome !== "failed" && r.outcome !== "not started"),
  };
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
