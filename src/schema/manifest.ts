import { z } from "zod";
import { activityTypeSchema, apiNameSchema } from "./activity-type.js";
import { byApiName, canonicalize, stableStringify } from "./canonical.js";
import { DefinitionError, rule, toIssues } from "./issues.js";
import { DEFAULT_ENV_PREFIX, DEFAULT_MAX_ACTIVITY_TYPES, ENV_PREFIX_PATTERN } from "./limits.js";

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

/** Settings of one Marketo instance, as declared by `MarketoInstance`. */
export const instanceSettingsSchema = z.strictObject({
  /** The construct id of the `MarketoInstance`: a type is applied only through the instance that declares it. */
  id: z.string().min(1),
  /** Prefix of the environment variables holding this instance's URL and credentials. */
  envPrefix: z
    .string()
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
    .number()
    .int(rule("maxActivityTypes must be a whole number", "write e.g. 10"))
    .positive(rule("maxActivityTypes must be at least 1", "write the limit of your subscription, e.g. 10"))
    .default(DEFAULT_MAX_ACTIVITY_TYPES),
  /** Whether apply approves (publishes) drafts, or leaves them for review in Marketo Admin. */
  approve: z.boolean().default(true),
});

/** Instance settings with defaults filled. */
export type InstanceSettings = z.output<typeof instanceSettingsSchema>;

/**
 * The desired state of one Marketo instance: written by `MarketoInstance` at synth, read by the
 * reconciler. Deterministic: types and retired apiNames are sorted, object keys are sorted.
 */
export const manifestSchema = z.strictObject({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION, {
    error: rule(
      `this manifest format is not supported; this version reads formatVersion ${MANIFEST_FORMAT_VERSION}`,
      "synthesize again with the installed version of cdktf-marketo-activities",
    ),
  }),
  instance: instanceSettingsSchema,
  types: z.array(activityTypeSchema),
  retired: z.array(apiNameSchema("retired apiName", '"oldSignup"')),
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

/** Parses a manifest read from `source` (a file name, for messages); every problem is listed. */
export function parseManifest(input: unknown, source: string): Manifest {
  const result = manifestSchema.safeParse(input);
  if (result.success) return result.data;
  throw new DefinitionError(
    `manifest ${source}`,
    toIssues(result.error, input),
    "synthesize again (cdktf synth) and do not edit manifests by hand",
  );
}
