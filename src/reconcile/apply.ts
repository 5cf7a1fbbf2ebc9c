import { hasDraft, isLive, MarketoApiError, type WireCustomActivityType } from "../marketo/index.js";
import { type ActivityTypeDefinition, MarketoActivitiesError } from "../schema/index.js";
import { planUpdate } from "./diff.js";
import type { Plan, Step, StepOperation, TypePlan } from "./plan.js";
import { isNoSuchType, type ReconcileClient, toVersion } from "./read.js";
import { conflictText, destructiveRemedy, type MessageContext } from "./remedies.js";

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
  const reasons: string[] = [];
  if (type.forbidden !== undefined) reasons.push(`${type.apiName}: ${type.forbidden}`);
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
 * Applies one step. When the client retried a call whose first attempt may have gone through (a
 * timeout or a 5xx) and Marketo then rejects the retry, the first attempt may have worked: an
 * approve answered "no draft" is checked with one describe instead of failing the apply. (A refused
 * create is handled by `afterRefusedCreate`, whatever refused it.)
 */
async function applyStep(client: ReconcileClient, apiName: string, step: Step): Promise<void> {
  try {
    await sendStep(client, apiName, step);
  } catch (error) {
    if (!(error instanceof MarketoApiError) || !error.afterAmbiguousAttempt) throw error;
    if (step.operation === "approveCustomActivityType") {
      const live = await client.describeCustomActivityType(apiName, { draft: false }).catch(() => undefined);
      if (live?.status === "approved") return;
    }
    throw error;
  }
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
    throw new MarketoActivitiesError(
      "CreateRefused",
      `${refusal.message}; and Marketo has no type ${apiName} to describe`,
      {
        hint: `if ${apiName} belonged to a deleted type, Marketo may not let a deleted apiName be used again: declare the type under a new apiName (and retire the old one); otherwise fix what the message names`,
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
async function sendStep(client: ReconcileClient, apiName: string, step: Step): Promise<void> {
  switch (step.operation) {
    case "createCustomActivityType":
      await client.createCustomActivityType(step.request);
      return;
    case "updateCustomActivityType":
      refuseKeptDescriptions(apiName, step, await client.updateCustomActivityType(apiName, step.request));
      return;
    case "createCustomActivityTypeAttributes":
      await client.createCustomActivityTypeAttributes(apiName, step.attributes);
      return;
    case "updateCustomActivityTypeAttributes":
      refuseKeptDescriptions(
        apiName,
        step,
        await client.updateCustomActivityTypeAttributes(apiName, step.attributes),
      );
      return;
    case "deleteCustomActivityTypeAttributes":
      await client.deleteCustomActivityTypeAttributes(apiName, step.apiNames);
      return;
    case "discardCustomActivityTypeDraft":
      await client.discardCustomActivityTypeDraft(apiName);
      return;
    case "approveCustomActivityType":
      await client.approveCustomActivityType(apiName);
      return;
    case "deleteCustomActivityType":
      await client.deleteCustomActivityType(apiName);
      return;
  }
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
  let failed = false;
  const results = await mapPool(plan.types, options.concurrency ?? 10, async (type): Promise<TypeResult> => {
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
      for (let index = 0; index < steps.length; index++) {
        const step = steps[index]!;
        options.onProgress?.({
          kind: "step",
          apiName: type.apiName,
          operation: step.operation,
          index: index + 1,
          steps: steps.length,
        });
        try {
          await applyStep(client, type.apiName, step);
        } catch (error) {
          if (step.operation !== "createCustomActivityType" || type.desired === undefined) throw error;
          // The type exists after all: go on from what Marketo holds.
          steps = await afterRefusedCreate(client, type.desired, plan.instance.approve, options, error);
          index = -1;
          continue;
        }
        done++;
      }
      options.onProgress?.({ kind: "done", apiName: type.apiName, action: type.action });
      return { apiName: type.apiName, action: type.action, outcome: "applied", stepsDone: done };
    } catch (error) {
      failed = true;
      const err = error instanceof Error ? error : new Error(String(error));
      options.onProgress?.({ kind: "failed", apiName: type.apiName, error: err });
      return { apiName: type.apiName, action: type.action, outcome: "failed", stepsDone: done, error: err };
    }
  });
  return {
    instance: plan.instance.id,
    types: results,
    calls: client.usage().total - before,
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
