/**
 * Parses request bodies with the client's own wire schemas (`src/marketo/wire.ts`) and turns a
 * schema failure into the Marketo code a caller would see: a missing field gives
 * `missingFieldCode` (701 `%s cannot be blank`), a field of the wrong type or value gives
 * `invalidValueCode` (1003 Invalid data).
 */
import type { z } from "zod";
import { formatPath } from "../schema/index.js";
import { ApiFailure } from "./failure.js";
import type { ResolvedBehaviour } from "./options.js";

/** Parses `body` with `schema` or throws the `ApiFailure` for its first problem. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  body: unknown,
  behaviour: ResolvedBehaviour,
  prefix = "",
): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new ApiFailure(behaviour.invalidValueCode, "Invalid data");
  const path = joinPath(prefix, formatPath(issue.path));
  if (valueAt(body, issue.path) === undefined) throw blank(behaviour, path);
  throw new ApiFailure(
    behaviour.invalidValueCode,
    `Invalid data: ${path || "body"}: ${describeIssue(issue)}`,
  );
}

/** 701-style failure for a missing or blank field. */
export function blank(behaviour: ResolvedBehaviour, field: string): ApiFailure {
  return new ApiFailure(behaviour.missingFieldCode, `${field || "body"} cannot be blank`);
}

/** 1003-style failure for a field whose value breaks a rule. */
export function invalid(behaviour: ResolvedBehaviour, detail: string): ApiFailure {
  return new ApiFailure(behaviour.invalidValueCode, `Invalid data: ${detail}`);
}

function joinPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  if (path === "") return prefix;
  return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_value") return `must be one of ${issue.values.map(String).join(", ")}`;
  if (issue.code === "invalid_type")
    return `must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`;
  return issue.message;
}

export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
