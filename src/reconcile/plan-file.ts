import { z } from "zod";
import { MarketoActivitiesError, stableStringify } from "../schema/index.js";
import { PLAN_FORMAT_VERSION, type Plan, planSchema, stepToWire } from "./plan.js";

const planFileSchema = z.union([
  planSchema,
  z.object({ formatVersion: z.literal(PLAN_FORMAT_VERSION), plans: z.array(planSchema) }),
]);

/** A plan as the file holds it: steps named by their `op` (docs/plan-format.md). */
function planToWire(plan: Plan) {
  return { ...plan, types: plan.types.map((type) => ({ ...type, steps: type.steps.map(stepToWire) })) };
}

/** The plan file's content for one or several instances (docs/plan-format.md). */
export function serializePlans(plans: readonly Plan[]): string {
  const wire = plans.map(planToWire);
  const value = wire.length === 1 ? wire[0] : { formatVersion: PLAN_FORMAT_VERSION, plans: wire };
  return `${stableStringify(value, 2)}\n`;
}

/** Parses a plan file written by `plan --out`; `source` names it in errors. */
export function parsePlans(input: unknown, source: string): Plan[] {
  const result = planFileSchema.safeParse(input);
  if (!result.success) {
    throw new MarketoActivitiesError(
      "PlanInvalid",
      `${source} is not a plan written by this version of marketo-activities`,
      { hint: "make a new one with `marketo-activities plan --out <file>`" },
    );
  }
  return "plans" in result.data ? result.data.plans : [result.data];
}
