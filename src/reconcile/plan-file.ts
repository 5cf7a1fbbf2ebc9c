/**
 * The plan file (docs/plan-format.md): what `plan --out` saves and `plan --format json` prints, and
 * what `apply plan.json` reads. Beside each plan it records what the plan was made from, the digest of
 * the manifest and the instance state read, so that `apply` can plan again from the checked-out code
 * before any call and refuse a file that is not exactly that plan (src/reconcile/replan.ts).
 */
import { z } from "zod";
import { byApiName, formatPath, MarketoActivitiesError, stableStringify } from "../schema/index.js";
import { PLAN_FORMAT_VERSION, type Plan, planSchema, stepToWire } from "./plan.js";
import type { LiveState, LiveType } from "./types.js";

/**
 * The plan file format this version writes and reads: the plan's own. Version 2 added `manifestDigest`
 * and `state` to each plan; a version 1 file cannot be checked against the code and is refused.
 */
export const PLAN_FILE_FORMAT_VERSION = PLAN_FORMAT_VERSION;

/** A plan with what it was made from: what the plan file holds for one instance. */
export interface SavedPlan {
  readonly plan: Plan;
  /** `manifestDigest` of the whole manifest the plan was made from (also with `--only`). */
  readonly manifestDigest: string;
  /** What plan read from the instance: the plan is `diff(manifest, state)`. */
  readonly state: LiveState;
}

/** A manifest digest: sha-256, 64 hex digits. */
export const MANIFEST_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

// The state as read (src/reconcile/types.ts). Loose: a field a later read adds is kept as it is, and
// the state is checked against the instance before anything is written (replan.ts).
const leafAttributeSchema = z.looseObject({
  apiName: z.string(),
  name: z.string().exactOptional(),
  dataType: z.string().exactOptional(),
  description: z.string().exactOptional(),
});
const versionSchema = z.looseObject({
  name: z.string().exactOptional(),
  triggerName: z.string().exactOptional(),
  filterName: z.string().exactOptional(),
  description: z.string().exactOptional(),
  primaryAttribute: leafAttributeSchema.exactOptional(),
  attributes: z.array(leafAttributeSchema),
});
const liveTypeSchema = z.looseObject({
  apiName: z.string(),
  id: z.number().exactOptional(),
  name: z.string().exactOptional(),
  triggerName: z.string().exactOptional(),
  filterName: z.string().exactOptional(),
  status: z.string(),
  live: versionSchema.exactOptional(),
  draft: versionSchema.exactOptional(),
});
/** What plan read from the instance, as the file holds it. */
export const stateSchema = z.object({
  listed: z.array(liveTypeSchema),
  described: z.array(liveTypeSchema),
  calls: z.number().int().nonnegative(),
});

/** One plan as the file holds it. */
const savedPlanSchema = planSchema.extend({
  formatVersion: z.literal(PLAN_FILE_FORMAT_VERSION),
  manifestDigest: z.string().regex(MANIFEST_DIGEST_PATTERN, "must be a SHA-256 digest (64 hex digits)"),
  state: stateSchema,
});

const severalSchema = z.object({
  formatVersion: z.literal(PLAN_FILE_FORMAT_VERSION),
  plans: z.array(savedPlanSchema).min(1),
});

const byApiNameAndId = (a: LiveType, b: LiveType) => byApiName(a, b) || (a.id ?? -1) - (b.id ?? -1);

/**
 * The state in a fixed order (types by apiName, then id), so that the same plan of the same instance
 * always gives the same bytes, whatever order Marketo listed the types in; a plan does not depend on it.
 */
function canonicalState(state: LiveState): LiveState {
  return {
    listed: [...state.listed].sort(byApiNameAndId),
    described: [...state.described].sort(byApiNameAndId),
    calls: state.calls,
  };
}

/** A plan as the file holds it: steps named by their `op`, and what it was made from. */
function toWire(saved: SavedPlan) {
  const { plan } = saved;
  return {
    ...plan,
    formatVersion: PLAN_FILE_FORMAT_VERSION,
    manifestDigest: saved.manifestDigest,
    state: canonicalState(saved.state),
    types: plan.types.map((type) => ({ ...type, steps: type.steps.map(stepToWire) })),
  };
}

/** The plan file's content for one or several instances (docs/plan-format.md). */
export function serializePlans(plans: readonly SavedPlan[]): string {
  const wire = plans.map(toWire);
  const value = wire.length === 1 ? wire[0] : { formatVersion: PLAN_FILE_FORMAT_VERSION, plans: wire };
  return `${stableStringify(value, 2)}\n`;
}

/** Plans are compared as the file holds them (sorted keys, steps by `op`): equal text, equal plans. */
export function planText(plan: Plan): string {
  return stableStringify({
    ...plan,
    types: plan.types.map((t) => ({ ...t, steps: t.steps.map(stepToWire) })),
  });
}

const MAKE_A_NEW_ONE =
  "synthesize again (`npx cdktf synth`), make a new plan with `marketo-activities plan --out <file>`, review it and apply that";

/** The refusal of a file whose formatVersion is not this version's. */
function versionError(source: string, version: unknown): MarketoActivitiesError {
  if (typeof version !== "number") {
    return new MarketoActivitiesError(
      "PlanInvalid",
      `${source} is not a plan written by marketo-activities: it has no formatVersion`,
      { hint: MAKE_A_NEW_ONE },
    );
  }
  const when = version < PLAN_FILE_FORMAT_VERSION ? "an earlier" : "a later";
  return new MarketoActivitiesError(
    "PlanInvalid",
    `${source} is a plan of format ${version}, made by ${when} version of marketo-activities; this version applies only plans of format ${PLAN_FILE_FORMAT_VERSION}, which record the manifest they were made from so that apply can check them against the code; nothing was applied`,
    {
      hint:
        version < PLAN_FILE_FORMAT_VERSION
          ? MAKE_A_NEW_ONE
          : `apply it with the version of marketo-activities that made it, or ${MAKE_A_NEW_ONE}`,
    },
  );
}

/** Parses a plan file written by `plan --out`; `source` names it in errors. */
export function parsePlans(input: unknown, source: string): SavedPlan[] {
  const version =
    typeof input === "object" && input !== null
      ? (input as { formatVersion?: unknown }).formatVersion
      : undefined;
  if (version !== PLAN_FILE_FORMAT_VERSION) throw versionError(source, version);
  const several = typeof input === "object" && input !== null && "plans" in input;
  const result = several ? severalSchema.safeParse(input) : savedPlanSchema.safeParse(input);
  if (!result.success) {
    const shown = result.error.issues.slice(0, 3).map((issue) => {
      // A step's `op` is read into its operation: name the key the file has, and the value.
      const [last] = issue.path.slice(-1);
      if (last === "operation") {
        const step = issue.path.slice(0, -1);
        const op = step.reduce<unknown>((at, key) => (at as Record<PropertyKey, unknown>)?.[key], input);
        return `${formatPath([...step, "op"])}: got ${JSON.stringify((op as { op?: unknown })?.op)}; not a step of this plan format`;
      }
      return `${formatPath(issue.path) || "the file"}: ${issue.message}`;
    });
    const more = result.error.issues.length > 3 ? ` (and ${result.error.issues.length - 3} more)` : "";
    throw new MarketoActivitiesError(
      "PlanInvalid",
      `${source} is not a plan written by this version of marketo-activities (${shown.join("; ")}${more}); nothing was applied`,
      { hint: MAKE_A_NEW_ONE },
    );
  }
  const plans = "plans" in result.data ? result.data.plans : [result.data];
  return plans.map(({ manifestDigest, state, ...plan }) => ({
    plan: { ...plan, formatVersion: PLAN_FORMAT_VERSION },
    manifestDigest,
    state,
  }));
}
