/**
 * Every way an error can reach a user or a log, for tests that check what it never shows (a secret,
 * a token): its message, `String()`, stack, JSON, own properties, hint and `util.inspect`, down its
 * `cause` chain.
 */
import { inspect } from "node:util";

export function renderings(error: unknown, depth = 0): string[] {
  if (depth > 6 || error === undefined || error === null) return [];
  if (!(error instanceof Error)) return [String(error), JSON.stringify(error) ?? ""];
  const own = error as Error & { hint?: unknown };
  return [
    error.message,
    String(error),
    error.stack ?? "",
    JSON.stringify(error),
    JSON.stringify(Object.getOwnPropertyDescriptors(error), (_, v) =>
      typeof v === "function" ? undefined : v,
    ),
    String(own.hint ?? ""),
    inspect(error, { depth: 10, showHidden: true }),
    ...renderings(error.cause, depth + 1),
  ];
}
