import { z } from "zod";
import { attributeRequestSchema, customActivityTypeRequestSchema } from "../marketo/wire.js";
import {
  activityTypeSchema,
  instanceSettingsSchema,
  MarketoActivitiesError,
  stableStringify,
} from "../schema/index.js";
import { PLAN_FORMAT_VERSION, type Plan } from "./types.js";

const riskSchema = z.enum(["safe", "risky", "destructive"]);
const stepSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("createType"), request: customActivityTypeRequestSchema }),
  z.object({ op: z.literal("updateType"), request: customActivityTypeRequestSchema }),
  z.object({ op: z.literal("createAttributes"), attributes: z.array(attributeRequestSchema) }),
  z.object({ op: z.literal("updateAttributes"), attributes: z.array(attributeRequestSchema) }),
  z.object({ op: z.literal("deleteAttributes"), apiNames: z.array(z.string()) }),
  z.object({ op: z.literal("discardDraft") }),
  z.object({ op: z.literal("approve") }),
  z.object({ op: z.literal("deleteType") }),
]);
const changeSchema = z.object({
  path: z.string(),
  kind: z.enum(["add", "change", "remove"]),
  before: z.string().optional(),
  after: z.string().optional(),
  risk: riskSchema,
  note: z.string().optional(),
});

/** The JSON plan format (docs/plan-format.md), as written by `plan --out` and read by `apply`. */
export const planSchema = z.object({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  instance: instanceSettingsSchema.extend({ endpoint: z.string() }),
  only: z.array(z.string()).optional(),
  types: z.array(
    z.object({
      apiName: z.string(),
      action: z.enum(["create", "update", "approve", "delete", "noop"]),
      risk: riskSchema,
      status: z.string(),
      draft: z.enum(["none", "ours", "foreign"]),
      changes: z.array(changeSchema),
      steps: z.array(stepSchema),
      conflict: z.string().optional(),
      destructiveNotAllowed: z.boolean().optional(),
      notes: z.array(z.string()),
      desired: activityTypeSchema.optional(),
    }),
  ),
  unmanaged: z.array(
    z.object({ apiName: z.string(), name: z.string().optional(), status: z.string().optional() }),
  ),
  limits: z.object({
    maxActivityTypes: z.number(),
    current: z.number(),
    afterApply: z.number(),
    ok: z.boolean(),
  }),
  fingerprint: z.string(),
  calls: z.object({ read: z.number(), apply: z.number() }),
});

const planFileSchema = z.union([
  planSchema,
  z.object({ formatVersion: z.literal(PLAN_FORMAT_VERSION), plans: z.array(planSchema) }),
]);

/** The plan file's content for one or several instances. */
export function serializePlans(plans: readonly Plan[]): string {
  const value = plans.length === 1 ? plans[0] : { formatVersion: PLAN_FORMAT_VERSION, plans };
  return `${stableStringify(value, 2)}\n`;
}

/** Parses a plan file written by `plan --out`; `source` names it in errors. */
export function parsePlans(input: unknown, source: string): Plan[] {
  const result = planFileSchema.safeParse(input);
  if (!result.success) {
    throw new MarketoActivitiesError(
      "PlanInvalid",
      `${source} is not a plan written by this version of marketo-activities`,
      {
        hint: "make a new one with `marketo-activities plan --out <file>`",
      },
    );
  }
  // Parsed above: the schema mirrors the Plan type field by field.
  return ("plans" in result.data ? result.data.plans : [result.data]) as Plan[];
}
