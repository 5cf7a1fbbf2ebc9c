/**
 * The options of `MarketoClient` and their defaults: Marketo's own limits and timeouts
 * (docs/marketo-api.md section 3, written once in src/schema/limits.ts), a real clock, `fetch`.
 */
import {
  ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS,
  MARKETO_RATE_LIMIT,
  MAX_CONCURRENT_REQUESTS,
  REQUEST_TIMEOUT_MS,
} from "../schema/limits.js";
import {
  type CredentialNames,
  credentialNames,
  MarketoConfigError,
  normalizeBaseUrl,
  OPTION_NAMES,
} from "./credentials.js";
import type { MarketoClientEvent } from "./events.js";
import { type ResolvedRetryOptions, type RetryOptions, resolveRetryOptions } from "./retry.js";

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
   * The client's own rate limit, per client instance. Lower it when other integrations share the
   * instance's quota (Marketo allows 100 calls per rolling 20 s per instance, code 606).
   * @default { calls: 100, windowMs: 20_000 }
   */
  readonly rateLimit?: RateLimit | undefined;
  /**
   * Most REST requests in flight at once, per client instance (Marketo allows 10 per instance, 615).
   * @default 10
   */
  readonly maxConcurrency?: number | undefined;
  /** Retry bounds; see `RetryOptions`. */
  readonly retry?: RetryOptions | undefined;
  /**
   * Timeout of one request, identity included, except `addCustomActivities`.
   * @default 30_000 (Marketo's own timeout for the activities endpoints, docs/marketo-api.md section 3)
   */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * Timeout of one `addCustomActivities` request.
   * @default 90_000 (Marketo's timeout for Add Custom Activities, docs/marketo-api.md section 3)
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
  readonly rateLimit: RateLimit;
  readonly maxConcurrency: number;
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
    rateLimit: options.rateLimit ?? MARKETO_RATE_LIMIT,
    maxConcurrency: options.maxConcurrency ?? MAX_CONCURRENT_REQUESTS,
    requestTimeoutMs: positive(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, "requestTimeoutMs"),
    addCustomActivitiesTimeoutMs: positive(
      options.addCustomActivitiesTimeoutMs ?? ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS,
      "addCustomActivitiesTimeoutMs",
    ),
    tokenSafetyMarginMs: options.tokenSafetyMarginMs,
    onEvent: options.onEvent,
  };
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0`);
  return value;
}
