/**
 * The options of `MarketoClient` and their defaults: Marketo's own limits (docs/marketo-api.md section
 * 3, written once in src/schema/limits.ts), scaled by the client's share of the instance's budget,
 * timeouts just above Marketo's own, a real clock, `fetch`.
 */
import {
  ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS,
  MARKETO_RATE_LIMIT,
  MAX_CONCURRENT_REQUESTS,
  REQUEST_TIMEOUT_MS,
} from "../schema/limits.js";
import {
  type CredentialNames,
  checkBudgetShare,
  credentialNames,
  MarketoConfigError,
  normalizeBaseUrl,
  OPTION_NAMES,
} from "./credentials.js";
import type { MarketoClientEvent } from "./events.js";
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from "./retry.js";

/**
 * How much longer than Marketo the client waits for an answer. Marketo's timer starts when the request
 * arrives and ends with a 604 answer (docs/marketo-api.md section 3); the client's also covers sending
 * the request and reading that answer. Without the margin the client could give up just as Marketo
 * answers a clean 604, and turn "not executed" into "outcome unknown".
 */
export const TIMEOUT_MARGIN_MS = 15_000;

/** The client's default timeout of one request: Marketo's 30 s plus `TIMEOUT_MARGIN_MS`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = REQUEST_TIMEOUT_MS + TIMEOUT_MARGIN_MS;

/** The client's default timeout of `addCustomActivities`: Marketo's 90 s plus `TIMEOUT_MARGIN_MS`. */
export const DEFAULT_ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS = ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS + TIMEOUT_MARGIN_MS;

/** The subset of `fetch` the client uses: always a string URL and an init object. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** A rolling-window rate limit: at most `calls` call starts in any `windowMs`. */
export interface RateLimit {
  /** Most calls that may start in any window. */
  readonly calls: number;
  /** The window length in milliseconds. */
  readonly windowMs: number;
}

/** Everything but the connection settings: the options `fromEnv` takes. */
export interface MarketoClientSettings {
  /** @default globalThis.fetch */
  readonly fetch?: FetchLike | undefined;
  /** Waits the given milliseconds (backoff, rate-limit waits, token expiry). @default a real timer */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** A number in [0, 1) for backoff jitter. @default Math.random */
  readonly random?: (() => number) | undefined;
  /**
   * The client's own rate limit, per client instance, before `budgetShare` scales it. Lower it when
   * other integrations share the instance's budget (Marketo allows 100 calls per rolling 20 s per
   * instance, code 606).
   * @default { calls: 100, windowMs: 20_000 }
   */
  readonly rateLimit?: RateLimit | undefined;
  /**
   * Most REST requests in flight at once, per client instance, before `budgetShare` scales it
   * (Marketo allows 10 per instance, 615).
   * @default 10
   */
  readonly maxConcurrency?: number | undefined;
  /**
   * This client's share of the instance's call budget, greater than 0 and at most 1. Marketo's limits
   * (100 calls per rolling 20 s, 10 concurrent requests) belong to the instance, and every integration
   * and every process on it draws from them: other integrations, Terraform's parallel provisioners,
   * another apply. The client keeps `floor(calls * budgetShare)` calls per window and
   * `floor(maxConcurrency * budgetShare)` requests in flight, at least 1 of each: 0.1 gives 10 calls per
   * 20 s, one at a time, so that ten processes together stay within the instance's limits.
   * `MarketoClient.fromEnv` reads it from `<prefix>_BUDGET_SHARE` when this option is not given.
   * @default 1 (the whole budget)
   */
  readonly budgetShare?: number | undefined;
  /** Retry bounds; see `RetryOptions`. */
  readonly retry?: RetryOptions | undefined;
  /**
   * Timeout of one request, identity included, except `addCustomActivities`.
   * @default 45_000: Marketo's own timeout for the activities endpoints, 30 s (docs/marketo-api.md
   * section 3), plus `TIMEOUT_MARGIN_MS`, so that Marketo's 604 arrives before the client gives up
   */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * Timeout of one `addCustomActivities` request.
   * @default 105_000: Marketo's timeout for Add Custom Activities, 90 s (docs/marketo-api.md section 3),
   * plus `TIMEOUT_MARGIN_MS`
   */
  readonly addCustomActivitiesTimeoutMs?: number | undefined;
  /**
   * A token is treated as expired this long before Marketo's expiry.
   * @default 10_000
   */
  readonly tokenSafetyMarginMs?: number | undefined;
  /**
   * Progress and debug events (attempts, responses, retries, token refreshes, limiter waits). Events
   * never hold a token or a secret. A listener that throws is ignored.
   */
  readonly onEvent?: ((event: MarketoClientEvent) => void) | undefined;
  /**
   * The environment variable prefix the credentials came from, so that messages can name the
   * variables to check. `fromEnv` sets it.
   * @default - messages name the `baseUrl`, `clientId` and `clientSecret` options
   */
  readonly envPrefix?: string | undefined;
}

/** Options of `new MarketoClient(...)`. */
export interface MarketoClientOptions extends MarketoClientSettings {
  /**
   * REST host root of the instance, e.g. `https://123-ABC-456.mktorest.com` (a trailing `/rest` or
   * `/identity`, as Admin > Web Services shows them, is removed).
   */
  readonly baseUrl: string;
  /** Client ID of a LaunchPoint custom service. */
  readonly clientId: string;
  /** Client Secret of that service. Kept in a private field; never in an error, event or log. */
  readonly clientSecret: string;
}

/** The options with every default filled in and every value checked. */
export interface ResolvedOptions {
  /** The normalized REST host root. */
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** What messages call the settings: environment variables, or the option names. */
  readonly names: CredentialNames;
  readonly fetch: FetchLike;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly random: () => number;
  readonly retry: ResolvedRetryOptions;
  /** The rate limit this client keeps, `budgetShare` applied. */
  readonly rateLimit: RateLimit;
  /** The requests in flight this client allows, `budgetShare` applied. */
  readonly maxConcurrency: number;
  readonly budgetShare: number;
  readonly requestTimeoutMs: number;
  readonly addCustomActivitiesTimeoutMs: number;
  readonly tokenSafetyMarginMs: number | undefined;
  readonly onEvent: ((event: MarketoClientEvent) => void) | undefined;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Fills in the defaults; throws a `MarketoConfigError` for an unusable connection setting. */
export function resolveOptions(options: MarketoClientOptions): ResolvedOptions {
  const names = options.envPrefix === undefined ? OPTION_NAMES : credentialNames(options.envPrefix);
  const baseUrl = normalizeBaseUrl(options.baseUrl, names.baseUrl);
  const clientId = options.clientId.trim();
  const clientSecret = options.clientSecret.trim();
  if (clientId === "" || clientSecret === "") {
    const empty = clientId === "" ? names.clientId : names.clientSecret;
    throw new MarketoConfigError(
      empty,
      `${empty} is empty`,
      "set the Client ID and Client Secret of a LaunchPoint custom service (Admin > Integration > LaunchPoint > View Details)",
    );
  }
  const budgetShare = checkBudgetShare(options.budgetShare ?? 1, names.budgetShare);
  const rateLimit = options.rateLimit ?? MARKETO_RATE_LIMIT;
  return {
    baseUrl,
    clientId,
    clientSecret,
    names,
    fetch: options.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    sleep: options.sleep ?? realSleep,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    retry: resolveRetryOptions(options.retry),
    rateLimit: { calls: shareOf(rateLimit.calls, budgetShare), windowMs: rateLimit.windowMs },
    maxConcurrency: shareOf(options.maxConcurrency ?? MAX_CONCURRENT_REQUESTS, budgetShare),
    budgetShare,
    requestTimeoutMs: positive(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, "requestTimeoutMs"),
    addCustomActivitiesTimeoutMs: positive(
      options.addCustomActivitiesTimeoutMs ?? DEFAULT_ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS,
      "addCustomActivitiesTimeoutMs",
    ),
    tokenSafetyMarginMs: options.tokenSafetyMarginMs,
    onEvent: options.onEvent,
  };
}

/**
 * `limit * share`, rounded down and at least 1; the tiny epsilon keeps 0.29 * 100 at 29. A limit that
 * is not a whole number >= 1 is left as it is, so that the limiter refuses it with its own message.
 */
export function shareOf(limit: number, share: number): number {
  if (share === 1 || !Number.isInteger(limit) || limit < 1) return limit;
  return Math.max(1, Math.floor(limit * share + 1e-9));
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0`);
  return value;
}
