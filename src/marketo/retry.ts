/**
 * Which failures the client retries, and how long it waits in between.
 *
 * Each Marketo code is put in one class (the table below, sources in docs/marketo-api.md section 2.2 and in
 * docs/client.md). The class decides what the client does:
 *
 * - `reauth`: the token was refused (601, 602). Drop it, fetch one again, resend once.
 * - `rejected`: Marketo refused the request before doing anything (606, 615; a connection that was
 *   never opened). Safe to resend for every operation, `addCustomActivities` included.
 * - `transient`: a temporary failure after which the request may or may not have been carried out
 *   (604, 608, 611, 614, 713, HTTP 5xx, timeouts, connections lost after sending). Resent for metadata
 *   operations only; `addCustomActivities` reports the batch as outcome unknown instead.
 * - `quota`: the daily quota is used up (607). Fails at once with the reset time.
 * - `fatal`: anything else (603, 605, 609, 610, 612, 1xxx, ...). Not retried.
 */

/** What the client does about a failure; see the module docs. */
export type FailureKind = "reauth" | "rejected" | "transient" | "quota" | "fatal";

/** The policy for one Marketo code. */
export interface CodePolicy {
  /** What the client does. */
  readonly kind: FailureKind;
  /** At most this many retries for this code within one call (on top of `maxAttempts`). */
  readonly maxRetries?: number;
}

/**
 * Marketo response codes the client does not treat as fatal. Any code not listed is fatal.
 * Source for each: docs/marketo-api.md section 2.2 (DOC-ERR, DOC-AUTH, DOC-BP; the PY and RUDDER clients).
 */
export const CODE_POLICIES: Readonly<Record<string, CodePolicy>> = {
  // Re-authenticate, then resend once (DOC-AUTH; PY, RUDDER and SEGMENT do the same).
  "601": { kind: "reauth" },
  "602": { kind: "reauth" },
  // Rate limit (100 per rolling 20 s) and concurrency limit (10): back off (DOC-BP; PY, RUDDER, ADF).
  "606": { kind: "rejected" },
  "615": { kind: "rejected" },
  // Request time-out, temporarily unavailable, transient error: retry with backoff (DOC-ERR; PY, RUDDER).
  "604": { kind: "transient" },
  "608": { kind: "transient" },
  "713": { kind: "transient" },
  // System error: RUDDER retries, PY gives up. An unhandled exception can be transient or can recur for
  // the same payload every time, so a couple of retries, not the full budget.
  "611": { kind: "transient", maxRetries: 2 },
  // Invalid subscription, "usually temporary" [INF]: a couple of retries, then the error.
  "614": { kind: "transient", maxRetries: 2 },
  // 500/502 also appear in DOC-ERR's code table; treat them like the HTTP statuses.
  "500": { kind: "transient" },
  "502": { kind: "transient" },
  // Daily quota: resets at midnight US Central, so waiting inside one run is pointless (PY: fatal).
  "607": { kind: "quota" },
};

const ORDER: readonly FailureKind[] = ["quota", "fatal", "reauth", "transient", "rejected"];

/** The policy of a response's codes: the most severe one wins (quota, fatal, reauth, transient, rejected). */
export function policyForCodes(codes: readonly string[]): CodePolicy & { code: string } {
  let best: (CodePolicy & { code: string }) | undefined;
  for (const code of codes) {
    const policy = CODE_POLICIES[code] ?? { kind: "fatal" };
    if (best === undefined || ORDER.indexOf(policy.kind) < ORDER.indexOf(best.kind))
      best = { ...policy, code };
  }
  return best ?? { kind: "fatal", code: "" };
}

/** The class of an HTTP status that is not 200: 5xx transient, 429 rejected, anything else fatal. */
export function policyForHttpStatus(status: number): FailureKind {
  if (status >= 500 && status <= 599) return "transient";
  if (status === 429) return "rejected";
  return "fatal";
}

/**
 * Network error codes that mean the request never left this machine (no connection was opened), so
 * resending cannot duplicate it. ENOTFOUND is left out on purpose: a host name that does not resolve is
 * almost always a wrong base URL, and retrying it for two minutes helps nobody.
 */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** Network error codes that will not go away by retrying. */
const FATAL_CODES = new Set([
  "ENOTFOUND",
  "ERR_INVALID_URL",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
]);

/** TLS and certificate problems: retrying does not fix them. */
function isTlsCode(code: string): boolean {
  return code.includes("CERT") || code.startsWith("ERR_TLS") || code.startsWith("ERR_SSL");
}

/** What a thrown `fetch` error means for retrying. */
export interface NetworkFailure {
  /** `rejected` (never sent), `transient` (may have been sent), or `fatal`. */
  readonly kind: FailureKind;
  /** The system error code (`ECONNRESET`), `Timeout`, or the error's name. */
  readonly code: string;
  /** True when the request timed out (an abort by the client's own timer). */
  readonly timeout: boolean;
}

/** Finds the first string `code` along an error's `cause` chain (and in an AggregateError's `errors`). */
function findCode(error: unknown, depth = 0): string | undefined {
  if (depth > 5 || typeof error !== "object" || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof record.code === "string" && record.code !== "") return record.code;
  const fromCause = findCode(record.cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = findCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function nameOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const name = (error as { name?: unknown }).name;
    if (typeof name === "string" && name !== "") return name;
  }
  return "Error";
}

/**
 * Classifies an error thrown by `fetch` or by reading the body. undici reports connection problems as
 * `TypeError("fetch failed")` with the system error in `cause`; an `AbortSignal.timeout` abort is a
 * `TimeoutError`. A `TypeError` with no cause is a request `fetch` refused to send (a malformed URL or
 * header), which is fatal and was never sent.
 */
export function classifyNetworkError(error: unknown): NetworkFailure {
  const name = nameOf(error);
  if (name === "TimeoutError" || name === "AbortError")
    return { kind: "transient", code: "Timeout", timeout: true };
  const code = findCode(error);
  if (code !== undefined) {
    if (NOT_SENT_CODES.has(code)) return { kind: "rejected", code, timeout: false };
    if (FATAL_CODES.has(code) || isTlsCode(code)) return { kind: "fatal", code, timeout: false };
    return { kind: "transient", code, timeout: false };
  }
  const hasCause = typeof error === "object" && error !== null && "cause" in error;
  if (name === "TypeError" && !hasCause) return { kind: "fatal", code: name, timeout: false };
  return { kind: "transient", code: name, timeout: false };
}

/** Retry bounds. */
export interface RetryOptions {
  /**
   * Most requests one call may send, the first included. A 601/602 re-authentication resend does not
   * count against it.
   * @default 6
   */
  readonly maxAttempts?: number;
  /**
   * Upper bound of the first backoff; each retry doubles it (full jitter: the wait is uniform in
   * `[0, min(maxDelayMs, baseDelayMs * 2^n))`).
   * @default 500
   */
  readonly baseDelayMs?: number;
  /**
   * Upper bound of any single backoff.
   * @default 20_000 (one rate-limit window)
   */
  readonly maxDelayMs?: number;
  /**
   * No retry is scheduled that would end later than this after the call started.
   * @default 120_000
   */
  readonly maxElapsedMs?: number;
}

/** `RetryOptions` with every default filled in. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** The defaults of `RetryOptions`. */
export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxElapsedMs: 120_000,
};

/** Fills in defaults and checks the numbers; throws a `RangeError` naming a bad option. */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = {
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxElapsedMs: options.maxElapsedMs ?? DEFAULT_RETRY.maxElapsedMs,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${key} must be a number >= 0`);
  }
  if (resolved.maxAttempts < 1) throw new RangeError("retry.maxAttempts must be at least 1");
  return resolved;
}

/**
 * The wait before retry number `retryIndex` (0 for the first retry): exponential backoff with full
 * jitter, `random() * min(maxDelayMs, baseDelayMs * 2^retryIndex)`, rounded down.
 */
export function backoffDelay(
  retryIndex: number,
  options: Pick<ResolvedRetryOptions, "baseDelayMs" | "maxDelayMs">,
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retryIndex);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}
