/**
 * Parses request bodies with the client's own wire schemas (`src/marketo/wire.ts`) and turns a
 * schema failure into the Marketo code a caller would see: a missing field is `blank`
 * (701 `%s cannot be blank` by default), a field of the wrong type or value is `invalid`
 * (1003 Invalid data by default).
 */
import type { z } from "zod";
import { formatPath } from "../schema/index.js";
import type { Refusals } from "./refusals.js";

/** Parses `body` with `schema` or throws the refusal for its first problem. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  body: unknown,
  refusals: Refusals,
  prefix = "",
): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw refusals.invalid();
  const path = joinPath(prefix, formatPath(issue.path));
  if (valueAt(body, issue.path) === undefined) throw refusals.blank(path);
  throw refusals.invalid(`${path || "body"}: ${describeIssue(issue)}`);
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

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
