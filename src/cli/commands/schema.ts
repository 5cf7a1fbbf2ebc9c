/**
 * `marketo-activities schema`, and the JSON Schemas the package ships (`dist/schemas`, written at build
 * by scripts/schemas.ts): each generated with `z.toJSONSchema` from the zod schema that reads or
 * writes the document, never written by hand.
 *
 * - `manifest`: `manifestSchema` (src/schema/manifest.ts), the file synth writes.
 * - `plan`: `planSchema` (src/reconcile/plan.ts) as the plan file holds it (docs/plan-format.md):
 *   steps named by their `op`, and what each plan was made from.
 * - `apply-result`: `applyResultSchema` (src/cli/report.ts), what `apply --format json` writes.
 * - `--type <apiName>`: one activity record of a declared type in the wire form Marketo takes (what
 *   the typed client sends), for services in other languages to check records before sending.
 */
import { z } from "zod";
import { VALUE_SCHEMAS } from "../../activities/values.js";
import { planSchema, type Step, stepToWire } from "../../reconcile/plan.js";
import { MANIFEST_DIGEST_PATTERN, stateSchema } from "../../reconcile/plan-file.js";
import {
  type ActivityTypeDefinition,
  type AttributeDataType,
  MarketoActivitiesError,
  manifestSchema,
  stableHash,
} from "../../schema/index.js";
import { findTargets } from "../context.js";
import type { CliIO } from "../io.js";
import { applyResultSchema, type Reporter } from "../report.js";
import { checkManifests } from "../synth-check.js";

/** JSON Schema 2020-12, zod's default target, which Ajv (`ajv/dist/2020`) and most validators read. */
const TARGET = "draft-2020-12";

// ---- the plan file ----

const typePlanSchema = planSchema.shape.types.element;
const stepSchema = typePlanSchema.shape.steps.element.out;

/**
 * A step as the file holds it: `{ "op": "createType", ... }`. In code a step is named by the
 * client's operation; `stepToWire` is the one table between the two names (docs/plan-format.md).
 */
const wireStepSchema = z.discriminatedUnion(
  "op",
  stepSchema.options.map((option) => {
    const { operation, ...payload } = option.shape;
    return z.object({ op: z.literal(stepToWire({ operation: operation.value } as Step).op), ...payload });
  }) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** One plan as the plan file holds it (docs/plan-format.md). */
const planFileEntrySchema = planSchema.extend({
  types: z.array(typePlanSchema.extend({ steps: z.array(wireStepSchema) })),
  manifestDigest: z
    .string()
    .regex(MANIFEST_DIGEST_PATTERN)
    .meta({ description: "sha-256 of the manifest the plan was made from, in canonical form" }),
  state: stateSchema.meta({ description: "what plan read from the instance: the plan is made from it" }),
});

/** The plan file: one instance's plan, or `{ formatVersion, plans }` for several. */
const planFileSchema = z
  .union([
    planFileEntrySchema,
    z.object({
      formatVersion: planSchema.shape.formatVersion,
      plans: z.array(planFileEntrySchema).min(1),
    }),
  ])
  .meta({
    title: "marketo-activities plan",
    description:
      "What `marketo-activities plan --out` saves and `plan --format json` prints: one plan, or { formatVersion, plans } for several instances (docs/plan-format.md).",
  });

// ---- activity records ----

/**
 * A value as it is sent, for each data type: what the typed client's own value schema takes
 * (`VALUE_SCHEMAS`, src/activities/values.ts), but for `date` and `datetime`, which the client also
 * takes as a `Date` and sends as a string in Marketo's form (docs/marketo-api.md 5.1).
 */
function wireValueSchema(dataType: AttributeDataType): z.ZodType {
  if (dataType === "date") return z.iso.date();
  if (dataType === "datetime") return z.iso.datetime({ offset: true });
  return VALUE_SCHEMAS[dataType]("");
}

/**
 * The zod schema of one activity record of `definition` in the wire form Marketo takes (what the
 * typed client's `recordSchema` outputs), the `activityTypeId` the client adds allowed.
 */
export function wireRecordSchema(definition: ActivityTypeDefinition) {
  const attributes = definition.attributes.map((attribute) =>
    z.strictObject({
      apiName: z.literal(attribute.apiName),
      value: wireValueSchema(attribute.dataType).meta({
        description: `${attribute.name} (${attribute.dataType})`,
      }),
    }),
  );
  const primary = definition.primaryAttribute;
  return z
    .strictObject({
      leadId: z.number().int().positive().meta({ description: "the id of the Marketo lead" }),
      activityDate: z.iso
        .datetime({ offset: true })
        .meta({ description: "when the activity happened: YYYY-MM-DDThh:mm:ss with Z, +hh:mm or -hh:mm" }),
      activityTypeId: z.number().int().positive().optional().meta({
        description:
          "the type's id in this Marketo instance (from its list of custom activity types); required by Marketo, added by the typed client",
      }),
      primaryAttributeValue: z.string().meta({
        description: `${primary.name} (${primary.apiName}, ${primary.dataType}), always sent as a string`,
      }),
      attributes: z
        .array(
          attributes.length === 0
            ? z.never()
            : attributes.length === 1
              ? attributes[0]!
              : z.union(attributes as unknown as [z.ZodType, ...z.ZodType[]]),
        )
        .meta({
          description:
            attributes.length === 0
              ? "the type has no secondary attributes"
              : `values of the secondary attributes, each at most once: ${definition.attributes.map((a) => a.apiName).join(", ")}`,
        }),
    })
    .meta({
      title: `Activity record of "${definition.apiName}" (${definition.name})`,
      description: `One record of the custom activity type ${definition.apiName}, as POST /rest/v1/activities/external.json takes it in its "input" list.`,
    });
}

// ---- the published schemas ----

/** A JSON Schema of what a zod schema writes, with the `$schema` it follows. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: TARGET, io: "output" }) as Record<string, unknown>;
}

/** The JSON Schemas the package ships, by name (`dist/schemas/<name>.schema.json`). */
export const PUBLISHED_SCHEMAS = {
  manifest: () =>
    jsonSchemaOf(
      manifestSchema.meta({
        title: "marketo-activities manifest",
        description:
          "The desired state of one Marketo instance, as `cdktf synth` writes it (marketo-activities.<instance>.json).",
      }),
    ),
  plan: () => jsonSchemaOf(planFileSchema),
  "apply-result": () => jsonSchemaOf(applyResultSchema(planFileEntrySchema)),
} as const satisfies Record<string, () => Record<string, unknown>>;

/** The name of a published schema. */
export type PublishedSchema = keyof typeof PUBLISHED_SCHEMAS;

/** The JSON Schema of one record of `definition` (`schema --type`). */
export function recordJsonSchema(definition: ActivityTypeDefinition): Record<string, unknown> {
  return jsonSchemaOf(wireRecordSchema(definition));
}

/** Options of `marketo-activities schema`. */
export interface SchemaOptions {
  /** A published schema: manifest, plan or apply-result. */
  readonly document?: string;
  /** The apiName whose record schema to print. */
  readonly type?: string;
  readonly manifest?: string[];
  readonly stack?: string[];
}

const USAGE_HINT =
  "run `marketo-activities schema --type <apiName>` for a type's activity record, or `marketo-activities schema manifest|plan|apply-result`";

/** The definition of `apiName` in the manifests found, the same in each instance that declares it. */
function definitionOf(apiName: string, options: SchemaOptions, io: CliIO, report: Reporter) {
  const found = findTargets(
    {
      ...(options.manifest === undefined ? {} : { manifest: options.manifest }),
      ...(options.stack === undefined ? {} : { stack: options.stack }),
    },
    io,
  );
  report({ kind: "manifests", checked: checkManifests(found, io) });
  const declaring = found.flatMap((f) =>
    f.manifest.types.filter((t) => t.apiName === apiName).map((definition) => ({ found: f, definition })),
  );
  if (declaring.length === 0) {
    const retired = found.filter((f) => f.manifest.retired.includes(apiName));
    const declared = [...new Set(found.flatMap((f) => f.manifest.types.map((t) => t.apiName)))].sort();
    throw new MarketoActivitiesError(
      "Usage",
      retired.length > 0
        ? `--type ${apiName}: the type is retired in ${retired.map((f) => f.path).join(", ")} (apply deletes it), so it takes no records`
        : `--type ${apiName}: no activity type with that apiName is declared in ${found.map((f) => f.path).join(", ")}`,
      { hint: `declared apiNames: ${declared.join(", ") || "none"}` },
    );
  }
  const distinct = new Map(declaring.map((d) => [stableHash(d.definition), d]));
  if (distinct.size > 1) {
    throw new MarketoActivitiesError(
      "Usage",
      `--type ${apiName}: the instances declare it differently (${declaring.map((d) => `instance "${d.found.manifest.instance.id}" in ${d.found.path}`).join(", ")}), so their records differ`,
      { hint: "choose one instance's manifest with --manifest <file> or --stack <name>" },
    );
  }
  return declaring[0]!.definition;
}

/** Prints a JSON Schema: of one declared type's activity record, or one the package ships. */
export async function schemaCommand(options: SchemaOptions, io: CliIO, report: Reporter): Promise<number> {
  const { document, type } = options;
  if ((document === undefined) === (type === undefined)) {
    throw new MarketoActivitiesError(
      "Usage",
      document === undefined
        ? "schema needs --type <apiName> or the name of a schema"
        : `schema takes --type <apiName> or a schema name (${document}), not both`,
      { hint: USAGE_HINT },
    );
  }
  if (type !== undefined) {
    report({ kind: "jsonSchema", schema: recordJsonSchema(definitionOf(type, options, io, report)) });
    return 0;
  }
  if (!Object.hasOwn(PUBLISHED_SCHEMAS, document!)) {
    throw new MarketoActivitiesError(
      "Usage",
      `schema: unknown schema "${document}"; the package ships ${Object.keys(PUBLISHED_SCHEMAS).join(", ")}`,
      { hint: USAGE_HINT },
    );
  }
  report({ kind: "jsonSchema", schema: PUBLISHED_SCHEMAS[document as PublishedSchema]() });
  return 0;
}
