/**
 * How long the client keeps retrying, and how long it waits in between: the bounds of the retry loop
 * (`pipeline.ts`) and its backoff. Which failures are retried at all is decided by their class
 * (`FailureKind`, see `codes.ts`): Marketo's codes there, HTTP statuses here, network errors in
 * `network.ts`. Sources in docs/marketo-api.md section 2.2 and docs/client.md.
 */
import type { FailureKind } from "./codes.js";

/** The class of an HTTP status that is not 200: 5xx transient, 429 rejected, anything else fatal. */
export function policyForHttpStatus(status: number): FailureKind {
  if (status >= 500 && status <= 599) return "transient";
  if (status === 429) return "rejected";
  return "fatal";
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
