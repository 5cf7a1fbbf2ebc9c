/**
 * The Plan: what `plan` shows and `apply` does. JSON-serialisable and versioned, so
 * `plan --out plan.json` can be reviewed, kept as a CI artifact and applied later (pinned).
 * The schema below is the Plan's only definition; the types are derived from it. The JSON format is
 * documented in docs/plan-format.md.
 */
import { z } from "zod";
import type { RestOperation } from "../marketo/index.js";
import { attributeRequestSchema, customActivityTypeRequestSchema } from "../marketo/wire.js";
import { activityTypeSchema, instanceSettingsSchema } from "../schema/index.js";

/**
 * The plan format this version writes and reads (docs/plan-format.md). Version 2 added, in the file,
 * what each plan was made from (`manifestDigest`, `state`: src/reconcile/plan-file.ts).
 */
export const PLAN_FORMAT_VERSION = 2;

/** How much a change can hurt: decision 9 of docs/design.md. */
const riskSchema = z.enum(["safe", "risky", "destructive"]);
export type Risk = z.output<typeof riskSchema>;

/**
 * One REST call apply makes, named by the client's operation (src/marketo/endpoints.ts); steps map
 * one to one onto client calls. The plan file names them differently (`op`): see `STEP_WIRE_NAMES`.
 */
const operation = <O extends RestOperation>(name: O) => z.literal(name);
const stepSchema = z.discriminatedUnion("operation", [
  z.object({ operation: operation("createCustomActivityType"), request: customActivityTypeRequestSchema }),
  z.object({ operation: operation("updateCustomActivityType"), request: customActivityTypeRequestSchema }),
  z.object({
    operation: operation("createCustomActivityTypeAttributes"),
    attributes: z.array(attributeRequestSchema),
  }),
  z.object({
    operation: operation("updateCustomActivityTypeAttributes"),
    attributes: z.array(attributeRequestSchema),
  }),
  z.object({ operation: operation("deleteCustomActivityTypeAttributes"), apiNames: z.array(z.string()) }),
  z.object({ operation: operation("discardCustomActivityTypeDraft") }),
  z.object({ operation: operation("approveCustomActivityType") }),
  z.object({ operation: operation("deleteCustomActivityType") }),
]);
export type Step = z.output<typeof stepSchema>;
/** The client operations a plan's steps use (rows of the endpoint table, src/marketo/endpoints.ts). */
export type StepOperation = Step["operation"];

/**
 * A step's name in the plan file (`op`, docs/plan-format.md), kept from format version 1: the one
 * place the two names of a call meet. Everything else uses the operation.
 */
const STEP_WIRE_NAMES = {
  createCustomActivityType: "createType",
  updateCustomActivityType: "updateType",
  createCustomActivityTypeAttributes: "createAttributes",
  updateCustomActivityTypeAttributes: "updateAttributes",
  deleteCustomActivityTypeAttributes: "deleteAttributes",
  discardCustomActivityTypeDraft: "discardDraft",
  approveCustomActivityType: "approve",
  deleteCustomActivityType: "deleteType",
} as const satisfies Record<StepOperation, string>;

const OPERATION_OF_WIRE_NAME = new Map<string, StepOperation>(
  stepSchema.options.map((option) => [
    STEP_WIRE_NAMES[option.shape.operation.value],
    option.shape.operation.value,
  ]),
);

/** A step as the plan file holds it: `{ op: "createType", request }`. */
export function stepToWire(step: Step): { readonly op: string; readonly [key: string]: unknown } {
  const { operation, ...payload } = step;
  return { op: STEP_WIRE_NAMES[operation], ...payload };
}

/** A step read from a plan file: `op` becomes the operation; an unknown `op` fails the step schema. */
const wireStepSchema = z.preprocess((value) => {
  if (typeof value !== "object" || value === null || !("op" in value)) return value;
  const { op, ...payload } = value;
  return { ...payload, operation: typeof op === "string" ? OPERATION_OF_WIRE_NAME.get(op) : undefined };
}, stepSchema);

/** One field's change, under the same dotted keys as the Terraform triggers. */
const fieldChangeSchema = z.object({
  /** `name`, `primaryAttribute.dataType`, `attributes.minutesWatched` (whole attribute), ... */
  path: z.string(),
  kind: z.enum(["add", "change", "remove"]),
  before: z.string().optional(),
  after: z.string().optional(),
  risk: riskSchema,
  /** Why it has this risk, in a reviewer's words. */
  note: z.string().optional(),
});
export type FieldChange = z.output<typeof fieldChangeSchema>;

/** What happens to a type. `approve`: only publishing an earlier draft of ours. */
const actionSchema = z.enum(["create", "update", "approve", "delete", "noop"]);
export type Action = z.output<typeof actionSchema>;

/** The state of the type's draft (decision 8). */
const draftStateSchema = z.enum(["none", "ours", "foreign"]);
export type DraftState = z.output<typeof draftStateSchema>;

/** The plan for one declared or retired apiName. */
const typePlanSchema = z.object({
  apiName: z.string(),
  action: actionSchema,
  /** The highest risk among the changes. */
  risk: riskSchema,
  /** Marketo's status before apply, or `absent`. */
  status: z.string(),
  draft: draftStateSchema,
  changes: z.array(fieldChangeSchema),
  /** The REST calls apply makes for this type, in order. */
  steps: z.array(wireStepSchema),
  /** Set when apply must not run this type as planned: a foreign draft. */
  conflict: z.string().optional(),
  /**
   * Set when the code asks for a change Marketo does not allow (the primary attribute of a published
   * type, a trigger or filter name another type holds): the reason and the way forward. Apply refuses
   * it whatever the flags.
   */
  forbidden: z.string().optional(),
  /** Set when destructive changes are not allowed by the definition (allowDestructiveChanges). */
  destructiveNotAllowed: z.boolean().optional(),
  /** Extra facts for the reviewer (a draft left for review, a tombstone for a missing type). */
  notes: z.array(z.string()),
  /** The desired definition (absent for tombstones). */
  desired: activityTypeSchema.optional(),
});
export type TypePlan = z.output<typeof typePlanSchema>;

/** A type in the instance that no manifest declares or retires: listed, never touched. */
const unmanagedTypeSchema = z.object({
  apiName: z.string(),
  name: z.string().optional(),
  status: z.string().optional(),
});
export type UnmanagedType = z.output<typeof unmanagedTypeSchema>;

/** The plan for one Marketo instance: the JSON plan format (docs/plan-format.md). */
export const planSchema = z.object({
  formatVersion: z.literal(PLAN_FORMAT_VERSION),
  /** The instance settings, and the REST host the plan was made against (no credentials): apply refuses another. */
  instance: instanceSettingsSchema.extend({ endpoint: z.string() }),
  /** When set, the plan covers only these apiNames (`--only`). */
  only: z.array(z.string()).optional(),
  types: z.array(typePlanSchema),
  unmanaged: z.array(unmanagedTypeSchema),
  limits: z.object({
    maxActivityTypes: z.number(),
    /** Types in the instance now (deleted ones excluded), unmanaged included. */
    current: z.number(),
    /** After apply: current + creates - deletes. */
    afterApply: z.number(),
    ok: z.boolean(),
  }),
  /** Hash of the live state the plan was computed from: apply refuses a plan whose instance changed. */
  fingerprint: z.string(),
  /** REST calls used to read the instance for this plan, and the calls apply will make. */
  calls: z.object({ read: z.number(), apply: z.number() }),
});
export type Plan = z.output<typeof planSchema>;
