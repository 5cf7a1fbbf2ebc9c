/**
 * Emulator config files: `{ "behaviour": { ... } }`, the behaviour options that make the emulator
 * answer as one Marketo instance does. `marketo-activities probe --write-emulator-config` writes them;
 * `startEmulator({ config })`, `marketo-activities emulator --config` and the test helpers read them.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { MarketoActivitiesError } from "../schema/errors.js";
import { DATA_TYPES } from "../schema/index.js";
import { DEFAULT_BEHAVIOUR, type EmulatorBehaviour, type ResolvedBehaviour } from "./options.js";

/** What a config file holds, once read: the behaviour options it sets. */
export interface EmulatorConfig {
  readonly behaviour: EmulatorBehaviour;
}

/** Keys whose values are neither booleans nor error codes: their allowed values are listed below. */
type ChoiceKey = {
  [K in keyof ResolvedBehaviour]-?: ResolvedBehaviour[K] extends boolean
    ? never
    : string extends ResolvedBehaviour[K]
      ? never
      : K;
}[keyof ResolvedBehaviour];

/**
 * The allowed values of every option that is not a boolean or a code. A new option of another kind
 * in `EmulatorBehaviour` fails to compile until it is listed here.
 */
const CHOICES = {
  describeMissingVersion: z.enum(["fallback", "error"]),
  discardDraftOnDraftOnly: z.enum(["error", "deleteType"]),
  attributesOnCreate: z.enum(["ignore", "reject"]),
  absentFields: z.enum(["omit", "null"]),
  emptyDescription: z.enum(["store", "null", "omit", "ignore"]),
  emptyList: z.enum(["result", "702", "warning"]),
  listOrder: z.enum(["id", "reverse"]),
  displayNames: z.enum(["unicode", "ascii"]),
  dataTypeChangeAfterApproval: z.enum(["allow", "reject"]),
  primaryChangeAfterApproval: z.enum(["allow", "reject"]),
  primaryDataTypes: z.array(z.enum(DATA_TYPES)),
  emptyResultOn: z.array(
    z.enum(["approveCustomActivityType", "discardCustomActivityTypeDraft", "deleteCustomActivityType"]),
  ),
} satisfies { readonly [K in ChoiceKey]: z.ZodType<ResolvedBehaviour[K]> };

/** A Marketo error code as the wire shows it: a string of digits. */
const codeSchema = z.string().regex(/^\d{3,4}$/);

/**
 * The schema of the `behaviour` object: one key per key of `DEFAULT_BEHAVIOUR` (booleans and codes
 * taken from the defaults' types, the rest from `CHOICES`), every key optional, no other keys.
 */
export const emulatorBehaviourSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(DEFAULT_BEHAVIOUR).map(([key, value]) => [
      key,
      (key in CHOICES
        ? CHOICES[key as ChoiceKey]
        : typeof value === "boolean"
          ? z.boolean()
          : codeSchema
      ).optional(),
    ]),
  ) as unknown as { [K in keyof ResolvedBehaviour]-?: z.ZodOptional<z.ZodType<ResolvedBehaviour[K]>> },
);

/**
 * The schema of a config file: `behaviour`, and the `$comment` and `source` strings a writer may add
 * (which instance was probed, and when); those two are ignored.
 */
export const emulatorConfigSchema = z.strictObject({
  $comment: z.string().optional(),
  source: z.string().optional(),
  behaviour: emulatorBehaviourSchema,
});

const CONFIG_KEYS = ["behaviour", "$comment", "source"] as const;
const BEHAVIOUR_KEYS = Object.keys(DEFAULT_BEHAVIOUR);

/** The allowed values of a schema, in words: `true or false`, `one of "id", "reverse"`, ... */
function allowed(schema: z.ZodType): string {
  if (schema instanceof z.ZodOptional) return allowed(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodBoolean) return "true or false";
  if (schema instanceof z.ZodEnum) return `one of ${schema.options.map((o) => JSON.stringify(o)).join(", ")}`;
  if (schema instanceof z.ZodArray) {
    return `a list (possibly empty) whose items are each ${allowed(schema.element as z.ZodType)}`;
  }
  return 'a Marketo error code written as a string, e.g. "1013"';
}

/** The value at `path` of `input`, for the message. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

/** One zod issue in the file's terms: where, what was found, what is allowed. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map((p, i) =>
    typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`,
  );
  const where = path.join("");
  if (issue.code === "unrecognized_keys") {
    const inBehaviour = issue.path[0] === "behaviour";
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    return inBehaviour
      ? `unknown behaviour option${issue.keys.length > 1 ? "s" : ""} ${keys}; the options are ${BEHAVIOUR_KEYS.join(", ")}`
      : `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys} at the top level; the keys are ${CONFIG_KEYS.join(", ")}`;
  }
  const value = valueAt(input, issue.path);
  if (issue.path.length === 1 && issue.path[0] === "behaviour") {
    return value === undefined
      ? `no "behaviour" object; the file must be { "behaviour": { ... } }`
      : `"behaviour" is ${JSON.stringify(value)}; it must be an object of behaviour options`;
  }
  if (issue.path.length === 1) return `${where} is ${JSON.stringify(value)}; it must be a string`;
  const key = issue.path[1];
  const option = emulatorBehaviourSchema.shape[key as keyof ResolvedBehaviour] as z.ZodType | undefined;
  const expected = option === undefined ? issue.message : allowed(option);
  const inList = issue.path.length > 2 ? " (an item of the list)" : "";
  return `${where} is ${JSON.stringify(value)}${inList}; it must be ${expected}`;
}

const FIX =
  "fix the file, or write it again with `marketo-activities probe --write-emulator-config <file>`; docs/emulator.md (Config files) lists every option and its values";

/**
 * Reads a config file's text. `source` names the file in messages. Every problem of the file is
 * reported at once, in one `MarketoActivitiesError` (code `EmulatorConfigInvalid`).
 */
export function parseEmulatorConfig(json: string, source: string): EmulatorConfig {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (error) {
    throw new MarketoActivitiesError(
      "EmulatorConfigInvalid",
      `emulator config ${source} is not JSON: ${(error as Error).message}`,
      { cause: error, hint: FIX },
    );
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new MarketoActivitiesError(
      "EmulatorConfigInvalid",
      `emulator config ${source} holds ${Array.isArray(input) ? "an array" : JSON.stringify(input)}; it must be an object: { "behaviour": { ... } }`,
      { hint: FIX },
    );
  }
  const parsed = emulatorConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue, input));
    throw new MarketoActivitiesError(
      "EmulatorConfigInvalid",
      problems.length === 1
        ? `emulator config ${source}: ${problems[0]}`
        : `emulator config ${source} has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
      { hint: FIX },
    );
  }
  const behaviour: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed.data.behaviour)) {
    if (value !== undefined) behaviour[key] = value;
  }
  return { behaviour: behaviour as EmulatorBehaviour };
}

/** Reads and checks a config file (see `parseEmulatorConfig`). */
export function loadEmulatorConfig(path: string): EmulatorConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MarketoActivitiesError(
      "EmulatorConfigInvalid",
      `cannot read emulator config ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? String(error))}`,
      {
        cause: error,
        hint: "check the path (relative paths are taken from the working directory), or write the file with `marketo-activities probe --write-emulator-config <file>`",
      },
    );
  }
  return parseEmulatorConfig(text, path);
}

/**
 * The behaviour options of a config file with `explicit` ones on top: a key set (not `undefined`)
 * in `explicit` wins over the file's.
 */
export function mergeBehaviour(
  fromFile: EmulatorBehaviour,
  explicit: EmulatorBehaviour | undefined,
): EmulatorBehaviour {
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [key, value] of Object.entries(explicit ?? {})) {
    if (value !== undefined) merged[key] = value;
  }
  return merged as EmulatorBehaviour;
}
