/**
 * How long the client keeps retrying, and how long it waits in between: the bounds of the retry loop
 * (`pipeline.ts`) and its backoff. Which failures are retried at all is decided by their class
 * (`FailureKind`, see `codes.ts`): Marketo's codes there, HTTP statuses here, network errors in
 * `network.ts`. Sources in docs/marketo-api.md section 2.2 and docs/client.md.
 *
 * Two rules. The instance's limits (606, 615, HTTP 429) are shared with every other integration on
 * the instance, so a refusal can last as long as someone else's burst: they are waited out until a
 * total deadline (`busyDeadlineMs`, at least two of Marketo's rolling windows), however many attempts
 * that takes. Every other retried failure is bounded by `maxAttempts` and `maxElapsedMs`.
 */
import { MARKETO_RATE_LIMIT, MAX_CONCURRENT_REQUESTS } from "../schema/limits.js";
import type { FailureKind } from "./codes.js";
import { type CredentialNames, MarketoConfigError } from "./credentials.js";

/** The class of an HTTP status that is not 200: 5xx transient, 429 rejected, anything else fatal. */
export function policyForHttpStatus(status: number): FailureKind {
  if (status >= 500 && status <= 599) return "transient";
  if (status === 429) return "rejected";
  return "fatal";
}

/** The shortest `busyDeadlineMs`: two of Marketo's rolling windows (docs/marketo-api.md section 3). */
export const MIN_BUSY_DEADLINE_MS = 2 * MARKETO_RATE_LIMIT.windowMs;

/** Retry bounds. */
export interface RetryOptions {
  /**
   * Most requests one call may send for failures other than the instance's limits (a 5xx, 604, a
   * reset connection, ...), the first included. Neither a 601/602 re-authentication resend nor an
   * attempt refused by the instance's limits (606, 615, HTTP 429) counts against it: those are
   * bounded by `busyDeadlineMs`.
   * @default 6
   */
  readonly maxAttempts?: number;
  /**
   * Upper bound of the first backoff after a failure other than the instance's limits; each retry
   * doubles it (full jitter: the wait is uniform in `[0, min(maxDelayMs, baseDelayMs * 2^n))`).
   * @default 500
   */
  readonly baseDelayMs?: number;
  /**
   * Upper bound of any single backoff after a failure other than the instance's limits.
   * @default 20_000 (one rate-limit window)
   */
  readonly maxDelayMs?: number;
  /**
   * For failures other than the instance's limits: no retry is scheduled that would end later than
   * this after the call started.
   * @default 120_000
   */
  readonly maxElapsedMs?: number;
  /**
   * How long after a call started it keeps waiting out the instance's limits (606 rate limit, 615
   * concurrency limit, HTTP 429) before it fails saying that the instance is busy. Marketo's limits
   * are shared by every integration on the instance, and its rate window rolls over 20 s, so this is
   * at least two windows (40_000). The waits grow from about 1 s to one window (20 s), with jitter.
   * @default 120_000
   */
  readonly busyDeadlineMs?: number;
}

/** `RetryOptions` with every default filled in. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** The defaults of `RetryOptions`. */
export const DEFAULT_RETRY: ResolvedRetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxElapsedMs: 120_000,
  busyDeadlineMs: 120_000,
};

/** Fills in defaults and checks the numbers; throws a `MarketoConfigError` naming a bad option. */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = {
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxElapsedMs: options.maxElapsedMs ?? DEFAULT_RETRY.maxElapsedMs,
    busyDeadlineMs: options.busyDeadlineMs ?? DEFAULT_RETRY.busyDeadlineMs,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new MarketoConfigError(
        `retry.${key}`,
        `retry.${key} must be a number >= 0, got ${String(value)}`,
        `leave retry.${key} out to use its default, ${DEFAULT_RETRY[key as keyof RetryOptions]}`,
      );
    }
  }
  if (resolved.maxAttempts < 1) {
    throw new MarketoConfigError(
      "retry.maxAttempts",
      `retry.maxAttempts must be at least 1, got ${resolved.maxAttempts}`,
      "1 sends each request once; leave it out for 6",
    );
  }
  if (resolved.busyDeadlineMs < MIN_BUSY_DEADLINE_MS) {
    throw new MarketoConfigError(
      "retry.busyDeadlineMs",
      `retry.busyDeadlineMs must be at least ${MIN_BUSY_DEADLINE_MS} (two of Marketo's ${MARKETO_RATE_LIMIT.windowMs / 1000}-second rate windows), got ${resolved.busyDeadlineMs}`,
      "a shorter wait gives up while other integrations' calls are still in Marketo's window; leave it out for 120000",
    );
  }
  return resolved;
}

/**
 * The wait before retry number `retryIndex` (0 for the first retry) after a failure other than the
 * instance's limits: exponential backoff with full jitter,
 * `random() * min(maxDelayMs, baseDelayMs * 2^retryIndex)`, rounded down.
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

/** The first ceiling of `busyDelay`: Marketo's window frees up a call at a time, so start small. */
export const BUSY_BASE_DELAY_MS = 1000;

/**
 * The wait before the `waitIndex`-th retry (0 for the first) after the instance's limits refused a
 * call: the ceiling doubles from `BUSY_BASE_DELAY_MS` up to one rate-limit window (20 s), and the wait
 * is uniform in its upper half ("equal jitter"), so that callers spread out and never retry in a hot
 * loop: about 0.5-1 s, 1-2 s, 2-4 s, 4-8 s, 8-16 s, then 10-20 s each. Rounded down.
 */
export function busyDelay(waitIndex: number, random: () => number): number {
  const ceiling = Math.min(MARKETO_RATE_LIMIT.windowMs, BUSY_BASE_DELAY_MS * 2 ** waitIndex);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling / 2 + (r * ceiling) / 2);
}

/** `12.5 s`, `120 s`: a duration for messages. */
function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** What a call refused by the instance's limits until `busyDeadlineMs` says, for the error's message. */
export function busyMessage(details: {
  /** `createCustomActivityType for "webinarAttended"`, as errors name a call. */
  readonly call: string;
  /** Marketo's last answer, e.g. `606 Max rate limit '100' exceeded with in '20' secs`. */
  readonly last: string;
  readonly attempts: number;
  readonly waitedMs: number;
}): string {
  return `the Marketo instance stayed busy: ${details.call} was refused ${details.attempts} times in ${seconds(details.waitedMs)} (last: ${details.last}), so it was not carried out`;
}

/**
 * The hint of that error: what shares the instance's limits, and how to give this client a smaller
 * share of them (`budgetShare`; `names.budgetShare` is its environment variable or option name).
 */
export function busyHint(names: Pick<CredentialNames, "budgetShare">, deadlineMs: number): string {
  const viaEnv =
    names.budgetShare === "budgetShare" ? "" : ` (${names.budgetShare}=0.5 or --budget-share 0.5)`;
  return (
    `Marketo allows ${MARKETO_RATE_LIMIT.calls} calls per ${MARKETO_RATE_LIMIT.windowMs / 1000} s and ${MAX_CONCURRENT_REQUESTS} concurrent requests per instance, shared by everything that uses it: ` +
    "other integrations (CRM sync, forms, data exports), Terraform's parallel provisioners during cdktf deploy, another plan or apply. " +
    `Try again when it is quieter; give this process a smaller share of the instance's budget with budgetShare${viaEnv}, ` +
    `or the MarketoInstance prop budgetShare for cdktf deploy; or wait longer than ${seconds(deadlineMs)} with retry.busyDeadlineMs`
  );
}
