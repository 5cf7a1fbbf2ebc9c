import { z } from "zod";
import { type ActivityTypeDefinition, activityTypeSchema, apiNameSchema } from "./activity-type.js";
import { byApiName, canonicalize, stableHash, stableStringify } from "./canonical.js";
import { checkInstanceRules } from "./instance-rules.js";
import { DefinitionError, rule, toIssues, type ValidationIssue } from "./issues.js";
import { DEFAULT_ENV_PREFIX, DEFAULT_MAX_ACTIVITY_TYPES, ENV_PREFIX_PATTERN } from "./limits.js";
import { requestSizeIssues } from "./request-size.js";

/** The manifest format this version writes and reads. */
export const MANIFEST_FORMAT_VERSION = 1;

/**
 * The environment variable each type's Terraform provisioner sets for the `apply` it runs, so the
 * CLI words its messages for Terraform (what to change in code, never a flag nobody can pass).
 */
export const PROVISIONER_ENV = "MARKETO_ACTIVITIES_PROVISIONER";

/** File name of an instance's manifest inside its stack directory. */
export function manifestFileName(instanceId: string): string {
  return `marketo-activities.${instanceId}.json`;
}

const [MANIFEST_PREFIX, MANIFEST_SUFFIX] = manifestFileName("\u0000").split("\u0000") as [string, string];

/** True for a manifest's file name (`marketo-activities.<instanceId>.json`), as synth writes them. */
export function isManifestFileName(name: string): boolean {
  return (
    name.length > MANIFEST_PREFIX.length + MANIFEST_SUFFIX.length &&
    name.startsWith(MANIFEST_PREFIX) &&
    name.endsWith(MANIFEST_SUFFIX)
  );
}

/**
 * A `MarketoInstance` id: it names the manifest file and the Terraform addresses, so letters, digits,
 * underscores and hyphens, starting with a letter.
 */
export const INSTANCE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** The error of an object: an unknown key is named with the allowed ones; anything else is `otherwise`. */
function objectError(allowed: readonly string[], otherwise: (input: unknown) => string) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code === "unrecognized_keys"
      ? rule(`is not a known property; allowed: ${allowed.join(", ")}`, "remove it or check the spelling")
      : otherwise(issue.input);
}

const instanceShape = {
  /** The construct id of the `MarketoInstance`: a type is applied only through the instance that declares it. */
  id: z
    .string({
      error: (issue) =>
        rule(
          issue.input === undefined ? "id is required" : "id must be text",
          'write the instance id, e.g. "prod"',
        ),
    })
    .regex(
      INSTANCE_ID_PATTERN,
      rule(
        "the instance id may contain only letters, digits, underscores and hyphens, starting with a letter",
        'use an id such as "prod" or "sandbox"; it names the manifest file and Terraform addresses',
      ),
    ),
  /** Prefix of the environment variables holding this instance's URL and credentials. */
  envPrefix: z
    .string({ error: rule("envPrefix must be text", `write it like "${DEFAULT_ENV_PREFIX}_PROD"`) })
    .regex(
      ENV_PREFIX_PATTERN,
      rule(
        "envPrefix may contain only upper-case letters, digits and underscores, starting with a letter",
        `write it like "${DEFAULT_ENV_PREFIX}_PROD"`,
      ),
    )
    .default(DEFAULT_ENV_PREFIX),
  /** The subscription's limit on custom activity types, unmanaged ones included. */
  maxActivityTypes: z
    .number({
      error: rule("maxActivityTypes must be a number", "write the limit of your subscription, e.g. 10"),
    })
    .int(rule("maxActivityTypes must be a whole number", "write e.g. 10"))
    .positive(rule("maxActivityTypes must be at least 1", "write the limit of your subscription, e.g. 10"))
    .default(DEFAULT_MAX_ACTIVITY_TYPES),
  /** Whether apply approves (publishes) drafts, or leaves them for review in Marketo Admin. */
  approve: z.boolean({ error: rule("approve must be true or false", "write true or false") }).default(true),
};

/** Settings of one Marketo instance, as declared by `MarketoInstance`. */
export const instanceSettingsSchema = z.strictObject(instanceShape, {
  error: objectError(Object.keys(instanceShape), (input) =>
    rule(
      input === undefined ? "instance is required" : "instance must be an object",
      'write { "id": "prod", "envPrefix": "MARKETO", "maxActivityTypes": 10, "approve": true }',
    ),
  ),
});

/** Instance settings with defaults filled. */
export type InstanceSettings = z.output<typeof instanceSettingsSchema>;

/**
 * The desired state of one Marketo instance: written by `MarketoInstance` at synth, read by the
 * reconciler. Deterministic: types and retired apiNames are sorted, object keys are sorted.
 */
const manifestShape = {
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION, {
    error: rule(
      `this manifest format is not supported; this version reads formatVersion ${MANIFEST_FORMAT_VERSION}`,
      "synthesize again with the installed version of cdktf-marketo-activities",
    ),
  }),
  instance: instanceSettingsSchema,
  types: z.array(activityTypeSchema, {
    error: rule("types must be a list of activity type definitions", 'write "types": [ ... ]'),
  }),
  retired: z.array(apiNameSchema("retired apiName", '"oldSignup"'), {
    error: rule("retired must be a list of apiNames", 'write "retired": [ ... ], or [] when none is retired'),
  }),
};

export const manifestSchema = z.strictObject(manifestShape, {
  error: objectError(Object.keys(manifestShape), () =>
    rule(
      "a manifest must be a JSON object",
      "synthesize again (cdktf synth): it writes { formatVersion, instance, types, retired }",
    ),
  ),
});

/** A parsed manifest. */
export type Manifest = z.output<typeof manifestSchema>;

/** Builds a manifest in canonical order from its parts. */
export function buildManifest(parts: Omit<Manifest, "formatVersion">): Manifest {
  return {
    formatVersion: MANIFEST_FORMAT_VERSION,
    instance: parts.instance,
    types: parts.types.map(canonicalize).sort(byApiName),
    retired: [...new Set(parts.retired)].sort(),
  };
}

/** The manifest's file content: sorted keys, two-space indent, trailing newline. */
export function serializeManifest(manifest: Manifest): string {
  return `${stableStringify(manifest, 2)}\n`;
}

/**
 * The digest of a manifest: SHA-256 of its canonical form (the order `buildManifest` writes, sorted
 * keys), so two manifests that declare the same have the same digest. A saved plan records the digest of
 * the manifest it was made from, and `apply` refuses the plan when the manifest now differs
 * (docs/plan-format.md).
 */
export function manifestDigest(manifest: Manifest): string {
  return stableHash(buildManifest(manifest));
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/**
 * The rules beyond each definition's schema over a manifest as read: the request-size rule of each
 * valid type (request-size.ts) and the cross-type rules (instance-rules.ts). They run even when the
 * schema finds problems, so every problem is reported at once, and read the input defensively.
 */
function manifestRuleIssues(input: unknown, parsed: Manifest | undefined): ValidationIssue[] {
  const raw = record(input);
  const rawTypes: unknown[] = Array.isArray(raw["types"]) ? raw["types"] : [];
  const rawRetired: unknown[] = Array.isArray(raw["retired"]) ? raw["retired"] : [];
  const rawMax = record(raw["instance"])["maxActivityTypes"];
  const maxActivityTypes =
    parsed?.instance.maxActivityTypes ??
    (rawMax === undefined
      ? DEFAULT_MAX_ACTIVITY_TYPES
      : typeof rawMax === "number" && Number.isInteger(rawMax) && rawMax > 0
        ? rawMax
        : undefined);
  const definitionAt = (index: number): ActivityTypeDefinition | undefined =>
    parsed?.types[index] ?? activityTypeSchema.safeParse(rawTypes[index]).data;
  // Marketo's 1 MB request limit, per valid type, as the constructs check it at synth.
  const sizes = rawTypes.flatMap((_, index) => {
    const definition = definitionAt(index);
    if (definition === undefined) return [];
    return requestSizeIssues(definition).map((issue) => ({
      ...issue,
      path: `types[${index}].${issue.path}`,
    }));
  });
  const cross = checkInstanceRules({
    maxActivityTypes,
    maxActivityTypesPath: "instance.maxActivityTypes",
    types: rawTypes.map((type, index) => {
      const fields = record(type);
      return {
        at: `types[${index}]`,
        apiName: fields["apiName"],
        triggerName: fields["triggerName"],
        filterName: fields["filterName"],
        pathOf: (name) => `types[${index}].${name}`,
      };
    }),
    retired: rawRetired.map((apiName, index) => ({ apiName, path: `retired[${index}]` })),
  });
  return [...sizes, ...cross];
}

/**
 * Checks a manifest as strictly as the constructs check what they write: the schema (unknown keys and
 * wrong types included) and the rules across types. Returns the manifest, or every problem found.
 */
export function checkManifest(
  input: unknown,
): { ok: true; manifest: Manifest } | { ok: false; issues: ValidationIssue[] } {
  const result = manifestSchema.safeParse(input);
  const issues = [
    ...(result.success ? [] : toIssues(result.error, input)),
    ...manifestRuleIssues(input, result.data),
  ];
  if (result.success && issues.length === 0) return { ok: true, manifest: result.data };
  return { ok: false, issues };
}

/** Parses a manifest read from `source` (a file name, for messages); every problem is listed. */
export function parseManifest(input: unknown, source: string): Manifest {
  const result = checkManifest(input);
  if (result.ok) return result.manifest;
  throw new DefinitionError(
    `manifest ${source}`,
    result.issues,
    "synthesize again (cdktf synth) and do not edit manifests by hand",
  );
}
