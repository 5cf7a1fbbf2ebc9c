import { z } from "zod";
import { DefinitionError, rule, toIssues, type ValidationIssue } from "./issues.js";
import {
  API_NAME_PATTERN,
  DATA_TYPES,
  DISPLAY_NAME_PATTERN,
  MAX_API_NAME_LENGTH,
  MAX_SECONDARY_ATTRIBUTES,
} from "./limits.js";

/** A required string field with a message that says what to write when it is missing or not text. */
function requiredText(what: string, example: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined
        ? rule(`${what} is required`, `add it, e.g. ${example}`)
        : rule(`${what} must be text`, `write it as a string, e.g. ${example}`),
  });
}

/** An API name: Marketo's identity for a type or an attribute. */
export function apiNameSchema(what: string, example: string) {
  return requiredText(what, example)
    .max(
      MAX_API_NAME_LENGTH,
      rule(`${what} may have at most ${MAX_API_NAME_LENGTH} characters`, "shorten it"),
    )
    .regex(
      API_NAME_PATTERN,
      rule(
        `${what} may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter`,
        `remove spaces, underscores and punctuation, e.g. ${example}`,
      ),
    );
}

/** A display name: letters and digits of any language, spaces and underscores, with at least one letter. */
function displayNameSchema(what: string, example: string) {
  return requiredText(what, example)
    .min(1, { error: rule(`${what} must not be empty`, `write one, e.g. ${example}`), abort: true })
    .regex(
      DISPLAY_NAME_PATTERN,
      rule(
        `${what} may contain only letters and digits (of any language), spaces and underscores, with at least one letter`,
        `remove other characters, e.g. ${example}`,
      ),
    );
}

/** Free text that is shown to marketers: not empty, no leading or trailing spaces. */
function labelSchema(what: string, example: string) {
  return requiredText(what, example)
    .min(1, rule(`${what} must not be empty`, `write one, e.g. ${example}`))
    .refine(
      (value) => value === value.trim(),
      rule(`${what} must not start or end with spaces`, "remove the surrounding spaces"),
    );
}

/** The error for an object: unknown keys are named with the allowed ones; anything else is `otherwise`. */
function objectError(allowed: readonly string[], otherwise: (input: unknown) => string) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code === "unrecognized_keys"
      ? rule(`is not a known property; allowed: ${allowed.join(", ")}`, "remove it or check the spelling")
      : otherwise(issue.input);
}

const descriptionSchema = z
  .string({ error: rule("description must be text", "write it as a string, or leave it out") })
  .optional();

const dataTypeSchema = z.enum(DATA_TYPES, {
  error: (issue) =>
    issue.input === undefined
      ? rule(`dataType is required; allowed: ${DATA_TYPES.join(", ")}`, 'add one, e.g. dataType: "string"')
      : rule(`dataType must be one of ${DATA_TYPES.join(", ")}`, "use one of these Marketo data types"),
});

const attributeShape = {
  /** The attribute's identity within its type. Renaming it deletes the attribute and adds a new one. */
  apiName: apiNameSchema("apiName", '"minutesWatched"'),
  /** Display name in Marketo's smart lists and activity log. */
  name: labelSchema("name", '"Minutes Watched"'),
  /** Marketo data type. */
  dataType: dataTypeSchema,
  /** Shown in Marketo Admin. */
  description: descriptionSchema,
};

/** A secondary attribute ("field" in Marketo Admin). `dataType` is required. */
export const attributeSchema = z.strictObject(attributeShape, {
  error: objectError(Object.keys(attributeShape), () =>
    rule(
      "an attribute must be an object",
      'write { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }',
    ),
  ),
});

/** The primary attribute: the activity's main value. `dataType` defaults to `string`, as Marketo does. */
export const primaryAttributeSchema = z.strictObject(
  { ...attributeShape, dataType: dataTypeSchema.default("string") },
  {
    error: objectError(Object.keys(attributeShape), (input) =>
      rule(
        input === undefined ? "primaryAttribute is required" : "primaryAttribute must be an object",
        'write { apiName: "webinarName", name: "Webinar Name" }',
      ),
    ),
  },
);

const typeShape = {
  apiName: apiNameSchema("apiName", '"webinarAttended"'),
  name: displayNameSchema("name", '"Webinar Attended"'),
  triggerName: labelSchema("triggerName", '"Attends Webinar"'),
  filterName: labelSchema("filterName", '"Attended Webinar"'),
  description: descriptionSchema,
  primaryAttribute: primaryAttributeSchema,
  attributes: z
    .array(attributeSchema, { error: rule("attributes must be a list", "write attributes: [ ... ]") })
    .max(
      MAX_SECONDARY_ATTRIBUTES,
      rule(
        `a type may have at most ${MAX_SECONDARY_ATTRIBUTES} secondary attributes (Marketo code 1028)`,
        "remove attributes, or split the activity into two types",
      ),
    )
    .default([]),
  allowDestructiveChanges: z
    .boolean({ error: rule("allowDestructiveChanges must be true or false", "write true or false") })
    .default(false),
};

/**
 * A custom activity type definition: the single source of truth used by the constructs, the
 * manifest, the reconciler, the emulator and the typed activity client.
 */
export const activityTypeSchema = z
  .strictObject(typeShape, {
    error: objectError(Object.keys(typeShape), () =>
      rule(
        "an activity type definition must be an object",
        "pass { apiName, name, triggerName, filterName, primaryAttribute }",
      ),
    ),
  })
  .superRefine(
    (definition, ctx) => {
      // Runs even when other fields are invalid (`when`), so it reads the value defensively.
      const apiNameOf = (value: unknown) =>
        typeof value === "object" &&
        value !== null &&
        typeof (value as { apiName?: unknown }).apiName === "string"
          ? (value as { apiName: string }).apiName
          : undefined;
      const seen = new Map<string, string>();
      const primary = apiNameOf(definition.primaryAttribute);
      if (primary !== undefined) seen.set(primary, "primaryAttribute");
      const attributes: unknown[] = Array.isArray(definition.attributes) ? definition.attributes : [];
      attributes.forEach((attribute, index) => {
        const key = apiNameOf(attribute);
        if (key === undefined) return;
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, `attributes[${index}]`);
          return;
        }
        ctx.addIssue({
          code: "custom",
          path: ["attributes", index, "apiName"],
          message: rule(
            `attribute apiNames must be unique within a type, the primary attribute's included; ${first} already uses it`,
            "rename one of them",
          ),
        });
      });
    },
    { when: () => true },
  );

/** What a user writes: optional fields may be left out. */
export type ActivityTypeInput = z.input<typeof activityTypeSchema>;
/** A validated definition with defaults filled in. */
export type ActivityTypeDefinition = z.output<typeof activityTypeSchema>;
/** What a user writes for one attribute. */
export type AttributeInput = z.input<typeof attributeSchema>;
/** A validated attribute. */
export type AttributeDefinition = z.output<typeof attributeSchema>;
/** What a user writes for the primary attribute (`dataType` optional). */
export type PrimaryAttributeInput = z.input<typeof primaryAttributeSchema>;
/** A validated primary attribute. */
export type PrimaryAttributeDefinition = z.output<typeof primaryAttributeSchema>;

/** Validates a definition; returns the parsed definition or every issue found. */
export function checkActivityType(
  input: unknown,
): { ok: true; definition: ActivityTypeDefinition } | { ok: false; issues: ValidationIssue[] } {
  const result = activityTypeSchema.safeParse(input);
  if (result.success) return { ok: true, definition: result.data };
  return { ok: false, issues: toIssues(result.error, input) };
}

/** Validates a definition and throws a `DefinitionError` that lists every problem at once. */
export function parseActivityType(input: unknown, where?: string): ActivityTypeDefinition {
  const result = checkActivityType(input);
  if (result.ok) return result.definition;
  const apiName =
    typeof input === "object" &&
    input !== null &&
    typeof (input as { apiName?: unknown }).apiName === "string"
      ? ` "${(input as { apiName: string }).apiName}"`
      : "";
  throw new DefinitionError(
    `activity type${apiName}${where === undefined ? "" : ` (at ${where})`}`,
    result.issues,
  );
}

/**
 * Declares an activity type definition once, for use both as `CustomActivityType` props and by the
 * typed `ActivityClient`. It returns its argument unchanged, with literal types preserved (write it
 * with `as const`, or rely on the `const` type parameter), so record shapes can be inferred from it.
 */
export function defineActivityType<const T extends ActivityTypeInput>(definition: T): T {
  return definition;
}
