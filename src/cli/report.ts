/**
 * What the commands tell the user, as data. Commands orchestrate and report; `render.ts` alone turns
 * a report into text for the terminal, a pull-request comment or JSON, and picks stdout or stderr.
 *
 * Also the apply result (`apply --format json`, docs/apply-result.md): its zod schema below is its
 * only definition; the type is derived from it, and the JSON Schema the package ships
 * (`dist/schemas/apply-result.schema.json`, src/cli/commands/schema.ts) is generated from it.
 */
import { z } from "zod";
import type { MarketoClientEvent } from "../marketo/index.js";
import type { ApplyEvent, ApplyResult, TypeResult } from "../reconcile/index.js";
import { planSchema } from "../reconcile/plan.js";
import type { SavedPlan } from "../reconcile/plan-file.js";
import type { FoundManifest } from "./manifests.js";
import type { CheckedManifest } from "./synth-check.js";

/**
 * How an apply ended, with its exit code and what that means: the one table the JSON result, its
 * JSON Schema and docs/apply-result.md follow. Exit 0 only when the instances are as the code
 * declares.
 */
export const APPLY_OUTCOMES = {
  applied: { exitCode: 0, meaning: "every change was applied: the instances are as the code declares" },
  nothingToApply: {
    exitCode: 0,
    meaning: "nothing to change: the instances were already as the code declares, and nothing was written",
  },
  failed: {
    exitCode: 1,
    meaning:
      "a type failed while applying (see results): what was written before stays as a draft that the next apply recognises and finishes",
  },
  refused: {
    exitCode: 1,
    meaning: "apply refused the plan before any write (see error): nothing was written",
  },
  cancelled: { exitCode: 1, meaning: "the confirmation was not given: nothing was written" },
  error: {
    exitCode: 1,
    meaning: "apply stopped before any write (see error): nothing was written",
  },
} as const satisfies Record<string, { readonly exitCode: 0 | 1; readonly meaning: string }>;

/** How an apply ended. */
export type ApplyOutcome = keyof typeof APPLY_OUTCOMES;

/**
 * Error codes that mean apply refused the plan (`refused`): the plan's own refusals, and a saved plan
 * that is not what the checked-out code plans or whose instance changed (docs/plan-format.md).
 */
export const REFUSAL_CODES: ReadonlySet<string> = new Set([
  "ApplyRefused",
  "StaleSynth",
  "PlanInvalid",
  "PlanNotFromCode",
  "PlanNoManifest",
  "PlanOtherInstance",
  "PlanStale",
]);

/** The apply result's format version (docs/apply-result.md). */
export const APPLY_RESULT_FORMAT_VERSION = 1;

/** What happened to one type, as `TypeResult["outcome"]` says it; keyed so a new outcome fails here. */
const TYPE_OUTCOMES = {
  applied: "every step was made",
  unchanged: "the plan had no step for the type",
  failed: "a step failed; `error` says why, and `stepsDone` how far it got",
  "not started": "an earlier failure stopped apply before this type",
} as const satisfies Record<TypeResult["outcome"], string>;

const count = z.number().int().nonnegative();

/** An error as the result holds it: what the CLI prints for it, and what a program may branch on. */
const errorSchema = z
  .object({
    code: z.string().meta({ description: "stable code, e.g. MarketoApi, ApplyRefused, PlanStale" }),
    message: z.string(),
    hint: z.string().optional().meta({ description: "what to do about it" }),
    retryable: z
      .boolean()
      .optional()
      .meta({ description: "true when the same call may pass later (Marketo busy or unreachable)" }),
    requestId: z.string().optional().meta({ description: "Marketo's requestId, for Adobe support" }),
  })
  .meta({ description: "an error, as the CLI prints it on stderr" });

const typeResultSchema = z.object({
  apiName: z.string(),
  action: planSchema.shape.types.element.shape.action,
  outcome: z.enum(Object.keys(TYPE_OUTCOMES) as [TypeResult["outcome"], ...TypeResult["outcome"][]]).meta({
    description: Object.entries(TYPE_OUTCOMES)
      .map(([outcome, meaning]) => `${outcome}: ${meaning}`)
      .join("; "),
  }),
  steps: count.meta({ description: "the steps (REST calls) the plan has for the type" }),
  stepsDone: count.meta({ description: "the steps made, all of them when applied" }),
  calls: count.meta({
    description: "REST calls apply made for the type: its steps, retries and read-backs included",
  }),
  error: errorSchema.optional(),
});

const instanceResultSchema = z.object({
  instance: z.string().meta({ description: "the MarketoInstance construct id" }),
  outcome: z.enum(["applied", "failed", "not started"]).meta({
    description:
      "applied: every type applied or unchanged; failed: a type failed; not started: an earlier instance failed",
  }),
  calls: count.meta({ description: "REST calls apply made for the instance (the plan's reads excluded)" }),
  reads: count.meta({ description: "of those, the reads apply made to check its writes" }),
  types: z.array(typeResultSchema).meta({ description: "one per type of the plan, in the plan's order" }),
});

/**
 * The JSON document `apply --format json` writes to stdout (docs/apply-result.md), for each plan
 * in `plan` form: the plan file's (src/cli/commands/schema.ts gives the JSON Schema its full form).
 */
export function applyResultSchema<P extends z.ZodType>(plan: P) {
  return z
    .object({
      formatVersion: z.literal(APPLY_RESULT_FORMAT_VERSION),
      outcome: z.enum(Object.keys(APPLY_OUTCOMES) as [ApplyOutcome, ...ApplyOutcome[]]).meta({
        description: Object.entries(APPLY_OUTCOMES)
          .map(([outcome, { exitCode, meaning }]) => `${outcome} (exit ${exitCode}): ${meaning}`)
          .join("; "),
      }),
      exitCode: z.union([z.literal(0), z.literal(1)]).meta({
        description: "the process's exit code: 0 when the instances are as the code declares, else 1",
      }),
      meaning: z.string().meta({ description: "what the outcome and exit code mean, in words" }),
      plans: z.array(plan).meta({
        description:
          "the plans apply applied (or refused), one per instance, each as in the plan file; empty when apply stopped before planning",
      }),
      results: z.array(instanceResultSchema).meta({
        description: "one per plan once apply started writing; empty when it did not",
      }),
      totals: z.object({
        calls: count.meta({ description: "REST calls of the whole run, reads included" }),
        readCalls: count.meta({ description: "of those, the calls that read the instances to plan" }),
        types: z
          .object(
            Object.fromEntries(
              (Object.keys(TYPE_OUTCOMES) as TypeResult["outcome"][]).map((outcome) => [
                outcome === "not started" ? "notStarted" : outcome,
                count,
              ]),
            ) as Record<"applied" | "unchanged" | "failed" | "notStarted", typeof count>,
          )
          .meta({ description: "types by outcome, over every result" }),
      }),
      error: errorSchema
        .optional()
        .meta({ description: "why apply stopped, when it did: refused, error, or a failure outside a type" }),
    })
    .meta({
      title: "marketo-activities apply result",
      description:
        "What `marketo-activities apply --format json` writes to stdout: one document per run (docs/apply-result.md).",
    });
}

/** The apply result document, its plans as the plan file holds them. */
export type ApplyResultDocument = z.output<ReturnType<typeof applyResultSchema<z.ZodType<unknown>>>>;
/** One error in the apply result. */
export type ResultError = z.output<typeof errorSchema>;

/** What apply did for one instance: its result and the calls per type, or not started. */
export type InstanceRun =
  | {
      readonly started: true;
      readonly result: ApplyResult;
      /** REST calls made for each type (retries and read-backs included). */
      readonly callsByType: ReadonlyMap<string, number>;
    }
  | { readonly started: false; readonly instance: string };

export type Report =
  /** The manifests a plan is of: when each was synthesized, and whether the code changed since. */
  | { readonly kind: "manifests"; readonly checked: readonly CheckedManifest[] }
  /** Plan refused nothing, but apply will apply a stale synth as cdktf deploy wrote it (provisioner). */
  | { readonly kind: "staleApplied"; readonly stale: readonly CheckedManifest[] }
  /** A client event while talking to an instance (retries are shown as they happen). */
  | { readonly kind: "client"; readonly instance: string; readonly event: MarketoClientEvent }
  /**
   * The plans, with what each was made from (the JSON format holds both); `checked` (plan only) adds
   * the stale-synth warning to a pull-request comment. `applying`: the plans apply is about to apply,
   * which its JSON result holds (`applyOutcome`) rather than printing them alone.
   */
  | {
      readonly kind: "plans";
      readonly plans: readonly SavedPlan[];
      readonly checked?: readonly CheckedManifest[];
      readonly applying?: boolean;
    }
  | { readonly kind: "planSaved"; readonly file: string }
  /** `plan --fail-on-refusal`: why apply would refuse the plan. */
  | { readonly kind: "wouldRefuse"; readonly reasons: readonly string[] }
  | { readonly kind: "nothingToApply"; readonly readCalls: number }
  | { readonly kind: "cancelled" }
  | { readonly kind: "progress"; readonly event: ApplyEvent }
  | { readonly kind: "applied"; readonly result: ApplyResult }
  /** An instance not started because an earlier one failed. */
  | { readonly kind: "notStarted"; readonly instance: string }
  | { readonly kind: "callsUsed"; readonly total: number; readonly read: number }
  /**
   * How an apply ended, with everything it did, once, last: the JSON result (docs/apply-result.md).
   * `error` is what stopped it, when something did (the CLI also prints it on stderr).
   */
  | {
      readonly kind: "applyOutcome";
      readonly outcome: ApplyOutcome;
      readonly plans: readonly SavedPlan[];
      readonly runs: readonly InstanceRun[];
      readonly readCalls: number;
      readonly error?: unknown;
    }
  | { readonly kind: "validated"; readonly found: FoundManifest }
  /** `schema`: a JSON Schema, printed as it is. */
  | { readonly kind: "jsonSchema"; readonly schema: unknown };

/** Where commands send their reports. */
export type Reporter = (report: Report) => void;
