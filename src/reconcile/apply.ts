import { MarketoApiError } from "../marketo/index.js";
import { MarketoActivitiesError } from "../schema/index.js";
import type { Plan, Step, StepOperation, TypePlan } from "./plan.js";
import type { ReconcileClient } from "./read.js";

/**
 * Where a message is read, which decides the remedy it offers: `cli` is a terminal or CI job, where
 * flags can be added to the command; `provisioner` is a cdktf resource's `local-exec` provisioner
 * (MARKETO_ACTIVITIES_PROVISIONER=1), which runs a fixed command: only the code can change.
 */
export type MessageContext = "cli" | "provisioner";

/** What to do about destructive changes a definition does not allow. */
export function destructiveRemedy(context: MessageContext = "cli"): string {
  return context === "provisioner"
    ? "set allowDestructiveChanges: true on the type (reviewed in the pull request), then deploy again"
    : "set allowDestructiveChanges: true on the type (reviewed in the pull request) or pass --allow-destructive";
}

/**
 * What to do about a foreign draft. `discard`: the type has a live version to fall back to (the draft
 * is discarded), else the draft is overwritten. The `cli` text ends every plan's `conflict`.
 */
export function foreignDraftRemedy(discard: boolean, context: MessageContext = "cli"): string {
  if (context === "provisioner") {
    return "Fold their change into the code, or approve or discard the draft in Marketo Admin, or run `marketo-activities apply --discard-foreign-drafts` outside Terraform; then deploy again";
  }
  return `Fold their change into the code, or ${discard ? "discard the draft" : "overwrite the draft"} with --discard-foreign-drafts`;
}

/** A type's conflict, with the remedy for `context` (the plan holds the `cli` text). */
export function conflictText(type: TypePlan, context: MessageContext = "cli"): string | undefined {
  if (type.conflict === undefined || context === "cli") return type.conflict;
  const cli = foreignDraftRemedy(type.steps[0]?.operation === "discardCustomActivityTypeDraft", "cli");
  if (!type.conflict.endsWith(cli)) return type.conflict;
  return `${type.conflict.slice(0, -cli.length)}${foreignDraftRemedy(true, context)}`;
}

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
  const reasons: string[] = [];
  for (const type of plan.types) {
    if (type.destructiveNotAllowed === true && options.allowDestructive !== true) {
      const what = type.changes.filter((c) => c.risk === "destructive").map((c) => c.path);
      reasons.push(
        `${type.apiName}: destructive changes (${what.join(", ")}) are not allowed; ${destructiveRemedy(options.context)}`,
      );
    }
    if (type.conflict !== undefined && options.discardForeignDrafts !== true) {
      reasons.push(`${type.apiName}: ${conflictText(type, options.context)}`);
    }
  }
  if (!plan.limits.ok) {
    reasons.push(
      `the instance would have ${plan.limits.afterApply} custom activity types, over the limit of ${plan.limits.maxActivityTypes} (unmanaged types count too); retire types or raise maxActivityTypes if your subscription allows more`,
    );
  }
  return reasons;
}

/**
 * Applies one step. When the client retried a call whose first attempt may have gone through (a
 * timeout or a 5xx) and Marketo then rejects the retry, the first attempt may have worked: a
 * create answered "already exists", an approve answered "no draft". Those are checked with one
 * describe instead of failing the apply.
 */
async function applyStep(client: ReconcileClient, apiName: string, step: Step): Promise<void> {
  try {
    await sendStep(client, apiName, step);
  } catch (error) {
    if (!(error instanceof MarketoApiError) || !error.afterAmbiguousAttempt) throw error;
    if (step.operation === "createCustomActivityType") {
      const draft = await client.describeCustomActivityType(apiName, { draft: true }).catch(() => undefined);
      if (draft?.apiName === apiName && draft.name === step.request.name) return;
    }
    if (step.operation === "approveCustomActivityType") {
      const live = await client.describeCustomActivityType(apiName, { draft: false }).catch(() => undefined);
      if (live?.status === "approved") return;
    }
    throw error;
  }
}

/** The one client call a step is: the client method of the step's operation, with its arguments. */
async function sendStep(client: ReconcileClient, apiName: string, step: Step): Promise<void> {
  switch (step.operation) {
    case "createCustomActivityType":
      await client.createCustomActivityType(step.request);
      return;
    case "updateCustomActivityType":
      await client.updateCustomActivityType(apiName, step.request);
      return;
    case "createCustomActivityTypeAttributes":
      await client.createCustomActivityTypeAttributes(apiName, step.attributes);
      return;
    case "updateCustomActivityTypeAttributes":
      await client.updateCustomActivityTypeAttributes(apiName, step.attributes);
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
      for (const step of type.steps) {
        options.onProgress?.({
          kind: "step",
          apiName: type.apiName,
          operation: step.operation,
          index: done + 1,
          steps: type.steps.length,
        });
        await applyStep(client, type.apiName, step);
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
