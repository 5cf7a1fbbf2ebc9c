import type { z } from "zod";
import { MarketoActivitiesError } from "./errors.js";

/** One problem found in a definition, in the terms of the props the user wrote. */
export interface ValidationIssue {
  /** Where, in prop terms: `apiName`, `attributes[2].dataType`. Empty for the definition as a whole. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
  /** The value received, when there is one. */
  readonly received?: unknown;
  /** How to fix it. */
  readonly fix?: string;
}

/**
 * Rule text carried inside a zod error message: what is allowed, then how to fix it, split by
 * `FIX_SEPARATOR`. `toIssues` splits it again, so every rule states both in one place.
 */
const FIX_SEPARATOR = "\u0000fix:";

/** A zod error message that states the rule and the fix. */
export function rule(allowed: string, fix: string): string {
  return `${allowed}${FIX_SEPARATOR}${fix}`;
}

/** Renders a zod path the way a user writes it: `attributes[2].dataType`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return { found: false };
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return { found: true, value: current };
}

/** Turns zod issues into `ValidationIssue`s with the received value looked up in the input. */
export function toIssues(
  error: z.ZodError,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    // An unknown key is reported at the key itself, one issue per key, with its value.
    const paths =
      issue.code === "unrecognized_keys" ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    const [message = issue.message, fix] = issue.message.split(FIX_SEPARATOR);
    return paths.map((path) => {
      const at = valueAt(input, path);
      const base = { path: formatPath([...prefix, ...path]), message };
      const withValue = at.found ? { ...base, received: at.value } : base;
      return fix === undefined ? withValue : { ...withValue, fix };
    });
  });
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  // Cut by code points, so a character outside the BMP (an emoji) is never split in half.
  const points = Array.from(json);
  return points.length > 80 ? `${points.slice(0, 77).join("")}...` : json;
}

/** One line per issue: `attributes[2].dataType: got "number"; must be one of ...; fix: ...`. */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.path === "" ? "" : `${issue.path}: `;
  const got = "received" in issue ? `got ${describeValue(issue.received)}; ` : "";
  const fix = issue.fix === undefined ? "" : `. Fix: ${issue.fix}`;
  return `${where}${got}${issue.message}${fix}`;
}

/** A heading and one bullet per issue, as printed in errors and synth annotations. */
export function formatIssues(heading: string, issues: readonly ValidationIssue[]): string {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return [`${heading} has ${count}:`, ...issues.map((issue) => `  - ${formatIssue(issue)}`)].join("\n");
}

/** Raised when a definition or manifest breaks Marketo's rules; lists every problem at once. */
export class DefinitionError extends MarketoActivitiesError {
  public readonly issues: readonly ValidationIssue[];

  constructor(heading: string, issues: readonly ValidationIssue[], hint?: string) {
    super("ActivityTypeInvalid", formatIssues(heading, issues), { hint });
    this.issues = issues;
  }
}
