/**
 * `MarketoClient`: a typed client for Marketo Engage's custom activity endpoints (docs/marketo-api.md section 4).
 *
 * One method per operation, named as in `endpoints.ts`. Every response body is parsed with the zod
 * schemas in `wire.ts`, never cast; HTTP 200 with `success: false` is a failure. The client keeps
 * Marketo's limits itself (a rolling window and a concurrency cap per client instance), reuses its
 * token, and retries only what is safe to retry: see `retry.ts` and docs/client.md.
 *
 * This module never imports cdktf.
 */
import { z } from "zod";
import type { MarketoActivitiesError } from "../schema/errors.js";
import { DEFAULT_ENV_PREFIX, ENV_PREFIX_PATTERN } from "../schema/limits.js";
import { type IssuedToken, type TokenEvent, TokenManager } from "./auth.js";
import type { Operation, RequestSpec } from "./endpoints.js";
import * as endpoints from "./endpoints.js";
import {
  type CredentialNames,
  credentialNames,
  type FailureContext,
  MarketoApiError,
  MarketoAuthError,
  MarketoConfigError,
  type MarketoErrorDetail,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
  MarketoRequestError,
  MissingCredentialsError,
  nextQuotaReset,
  Redactor,
} from "./errors.js";
import { RollingWindowLimiter, Semaphore, type WindowSlot } from "./limiter.js";
import {
  backoffDelay,
  classifyNetworkError,
  type FailureKind,
  policyForCodes,
  policyForHttpStatus,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
} from "./retry.js";
import {
  type AttributeRequest,
  type CustomActivityInput,
  type CustomActivityTypeRequest,
  envelopeSchema,
  identityErrorSchema,
  identityResponseSchema,
  type WireActivityType,
  type WireCustomActivityResult,
  type WireCustomActivityType,
  wireActivityTypeSchema,
  wireCustomActivityResultSchema,
  wireCustomActivityTypeSchema,
  wireErrorSchema,
} from "./wire.js";

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
   * Progress and debug events (responses, retries, token refreshes, limiter waits). Events never hold
   * a token or a secret. A listener that throws is ignored.
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

/** Connection settings read from the environment. */
export interface MarketoCredentials {
  /** The normalized REST host root. */
  readonly baseUrl: string;
  /** The LaunchPoint Client ID. */
  readonly clientId: string;
  /** The LaunchPoint Client Secret. */
  readonly clientSecret: string;
}

/** Events reported to `onEvent`. None carries a token, a secret or a credential-bearing URL. */
export type MarketoClientEvent =
  | TokenEvent
  | {
      /** An HTTP response arrived (any status). */
      readonly type: "response";
      readonly operation: Operation;
      readonly attempt: number;
      readonly httpStatus: number;
      readonly durationMs: number;
      readonly requestId: string | undefined;
      /** Marketo's error codes, empty on success. */
      readonly codes: readonly string[];
    }
  | {
      /** A request failed without a response. */
      readonly type: "networkError";
      readonly operation: Operation;
      readonly attempt: number;
      readonly networkCode: string;
      readonly durationMs: number;
    }
  | {
      /** A failed attempt will be retried after `delayMs`. */
      readonly type: "retry";
      readonly operation: Operation;
      /** The attempt that failed (1 for the first). */
      readonly attempt: number;
      /** Most attempts the call may make (`retry.maxAttempts`); it may stop sooner (time or per-code caps). */
      readonly maxAttempts: number;
      readonly delayMs: number;
      /** e.g. `606 Max rate limit '100' exceeded with in '20' secs`, `HTTP 502`, `ECONNRESET`. */
      readonly reason: string;
      /**
       * For a failure without a response: what happened, e.g. `could not connect to 127.0.0.1:8799
       * (ECONNREFUSED)`. Absent when Marketo answered.
       */
      readonly network?: string;
    }
  | {
      /** Marketo refused the token (601/602): the client drops it, re-authenticates and resends once. */
      readonly type: "reauthenticate";
      readonly operation: Operation;
      readonly code: string;
    }
  | {
      /** The rolling-window limiter holds a call back for `waitMs`. */
      readonly type: "limiterWait";
      readonly operation: Operation;
      readonly waitMs: number;
    };

/** HTTP requests the client actually sent. */
export interface MarketoUsage {
  /** REST requests sent (each counts toward Marketo's rate limit and daily quota); identity excluded. */
  readonly total: number;
  /** REST requests sent, per operation. */
  readonly byOperation: Partial<Record<Operation, number>>;
  /** REST requests that repeated an earlier attempt of the same call (included in `total`). */
  readonly retries: number;
  /** Identity requests sent; Marketo does not count them toward the limits. */
  readonly identity: number;
}

/** Most records Add Custom Activities takes per call (docs/marketo-api.md section 3 and 4.2 L). */
export const MAX_ACTIVITIES_PER_CALL = 300;

/** What one attempt produced: a value, or a failure with what to do about it. */
type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: Failure };

interface Failure {
  readonly kind: FailureKind;
  /** Whether Marketo may have carried out the request (`maybe`) or certainly did not (`no`). */
  readonly processed: "no" | "maybe";
  /** A short, redacted reason for events and `MarketoOutcomeUnknownError.reason`. */
  readonly label: string;
  /** For a failure without a response: its description (no secret), for retry events. */
  readonly network?: string;
  /** The key for per-code retry caps. */
  readonly retryKey: string;
  readonly maxRetries?: number | undefined;
  /** The token the attempt used (internal: lets a 601/602 drop exactly that token). */
  readonly token?: string | undefined;
  /** The error to raise if the client stops here. */
  readonly toError: (info: { attempts: number; afterAmbiguousAttempt: boolean }) => MarketoActivitiesError;
}

interface Call {
  readonly operation: Operation;
  readonly apiName?: string | undefined;
  readonly recordCount?: number | undefined;
  /** Whether resending after an ambiguous failure is acceptable (false for addCustomActivities). */
  readonly idempotent: boolean;
  readonly timeoutMs: number;
}

interface Outcome<T> {
  readonly value: T;
  readonly attempts: number;
}

interface RestResponse {
  readonly httpStatus: number;
  readonly requestId: string | undefined;
  readonly result: readonly unknown[];
}

interface Counts {
  total: number;
  retries: number;
  identity: number;
  byOperation: Partial<Record<Operation, number>>;
}

function emptyCounts(): Counts {
  return { total: 0, retries: 0, identity: 0, byOperation: {} };
}

const anyEnvelopeSchema = envelopeSchema(z.unknown());
/** Record-level failure fields a metadata result item might carry (docs/marketo-api.md 2.1 and 8.1). */
const itemFailureSchema = z.looseObject({
  status: z.string().optional(),
  reasons: z.array(wireErrorSchema).optional(),
  errors: z.array(wireErrorSchema).optional(),
});

/** A host name or address of this machine: a refused connection there is a local server not running. */
function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\./.test(host);
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Typed client for Marketo Engage's custom activity type endpoints and Add Custom Activities.
 *
 * ```ts
 * const client = MarketoClient.fromEnv("MARKETO"); // MARKETO_BASE_URL, MARKETO_CLIENT_ID, MARKETO_CLIENT_SECRET
 * const types = await client.listCustomActivityTypes();
 * const webinar = await client.describeCustomActivityType("webinarAttended", { draft: true });
 * console.log(client.usage()); // { total: 2, byOperation: {...}, retries: 0, identity: 1 }
 * ```
 */
export class MarketoClient {
  /**
   * A client for the instance named by `<prefix>_BASE_URL` (or `<prefix>_MUNCHKIN_ID`),
   * `<prefix>_CLIENT_ID` and `<prefix>_CLIENT_SECRET`. Throws one `MissingCredentialsError` naming every
   * missing variable.
   */
  public static fromEnv(
    prefix: string = DEFAULT_ENV_PREFIX,
    env: Readonly<Record<string, string | undefined>> = process.env,
    options: MarketoClientSettings = {},
  ): MarketoClient {
    const credentials = credentialsFromEnv(prefix, env);
    return new MarketoClient({ ...options, ...credentials, envPrefix: prefix });
  }

  /** The normalized REST host root, e.g. `https://123-ABC-456.mktorest.com`. Holds no secret. */
  public readonly baseUrl: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  private readonly host: string;
  private readonly names: CredentialNames;
  private readonly fetchImpl: FetchLike;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly retry: ResolvedRetryOptions;
  private readonly requestTimeoutMs: number;
  private readonly addTimeoutMs: number;
  private readonly onEvent: ((event: MarketoClientEvent) => void) | undefined;
  private readonly redactor = new Redactor();
  private readonly window: RollingWindowLimiter;
  private readonly concurrency: Semaphore;
  private readonly auth: TokenManager;
  private counts: Counts = emptyCounts();

  /** @param options connection settings and injectable clock, sleep, fetch and limits */
  constructor(options: MarketoClientOptions) {
    this.names =
      options.envPrefix === undefined
        ? { baseUrl: "baseUrl", munchkinId: "munchkinId", clientId: "clientId", clientSecret: "clientSecret" }
        : credentialNames(options.envPrefix);
    this.baseUrl = normalizeBaseUrl(options.baseUrl, this.names.baseUrl);
    this.host = new URL(this.baseUrl).host;
    if (options.clientId.trim() === "" || options.clientSecret.trim() === "") {
      throw new MarketoConfigError(
        options.clientId.trim() === "" ? this.names.clientId : this.names.clientSecret,
        `${options.clientId.trim() === "" ? this.names.clientId : this.names.clientSecret} is empty.`,
        "Set the Client ID and Client Secret of a LaunchPoint custom service (Admin > Integration > LaunchPoint > View Details).",
      );
    }
    this.#clientId = options.clientId.trim();
    this.#clientSecret = options.clientSecret.trim();
    this.redactor.add(this.#clientSecret);
    this.fetchImpl = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.retry = resolveRetryOptions(options.retry);
    this.requestTimeoutMs = positive(options.requestTimeoutMs ?? 30_000, "requestTimeoutMs");
    this.addTimeoutMs = positive(
      options.addCustomActivitiesTimeoutMs ?? 90_000,
      "addCustomActivitiesTimeoutMs",
    );
    this.onEvent = options.onEvent;
    const rateLimit = options.rateLimit ?? { calls: 100, windowMs: 20_000 };
    this.window = new RollingWindowLimiter(rateLimit.calls, rateLimit.windowMs, this.now, this.sleep);
    this.concurrency = new Semaphore(options.maxConcurrency ?? 10);
    this.auth = new TokenManager({
      requestToken: () => this.requestToken(),
      now: this.now,
      sleep: this.sleep,
      onEvent: (event) => this.emit(event),
      safetyMarginMs: options.tokenSafetyMarginMs,
    });
  }

  // ---- operations (docs/marketo-api.md section 4; one per builder in endpoints.ts) ----

  /** GET activities/external/types.json: every custom activity type (the docs' example has no attributes). */
  public async listCustomActivityTypes(): Promise<WireCustomActivityType[]> {
    return this.list(endpoints.listCustomActivityTypes(), wireCustomActivityTypeSchema);
  }

  /**
   * GET activities/external/type/{apiName}/describe.json: the approved version, or the draft with
   * `{ draft: true }`.
   */
  public async describeCustomActivityType(
    apiName: string,
    options: { readonly draft?: boolean } = {},
  ): Promise<WireCustomActivityType> {
    checkApiName("describeCustomActivityType", apiName);
    const spec =
      options.draft === undefined
        ? endpoints.describeCustomActivityType(apiName)
        : endpoints.describeCustomActivityType(apiName, { draft: options.draft });
    return this.single(spec, apiName);
  }

  /** POST activities/external/type.json: creates a type as a draft (with its primary attribute). */
  public async createCustomActivityType(request: CustomActivityTypeRequest): Promise<WireCustomActivityType> {
    return this.single(endpoints.createCustomActivityType(request), request.apiName);
  }

  /** POST activities/external/type/{apiName}.json: changes the type's fields in its draft. */
  public async updateCustomActivityType(
    apiName: string,
    request: CustomActivityTypeRequest,
  ): Promise<WireCustomActivityType> {
    checkApiName("updateCustomActivityType", apiName);
    return this.single(endpoints.updateCustomActivityType(apiName, request), apiName);
  }

  /**
   * POST …/type/{apiName}/approve.json: publishes the draft. Resolves with the type, or `undefined`
   * when Marketo's success carries no result (undocumented for these three calls: docs/marketo-api.md 8.8).
   */
  public async approveCustomActivityType(apiName: string): Promise<WireCustomActivityType | undefined> {
    checkApiName("approveCustomActivityType", apiName);
    return this.single(endpoints.approveCustomActivityType(apiName), apiName, { emptyResultOk: true });
  }

  /** POST …/type/{apiName}/discardDraft.json: drops the draft. An empty result is a success, as for approve. */
  public async discardCustomActivityTypeDraft(apiName: string): Promise<WireCustomActivityType | undefined> {
    checkApiName("discardCustomActivityTypeDraft", apiName);
    return this.single(endpoints.discardCustomActivityTypeDraft(apiName), apiName, { emptyResultOk: true });
  }

  /**
   * POST …/type/{apiName}/delete.json: deletes the type (Marketo refuses while triggers or filters
   * use it). An empty result is a success, as for approve.
   */
  public async deleteCustomActivityType(apiName: string): Promise<WireCustomActivityType | undefined> {
    checkApiName("deleteCustomActivityType", apiName);
    return this.single(endpoints.deleteCustomActivityType(apiName), apiName, { emptyResultOk: true });
  }

  /** POST …/type/{apiName}/attributes/create.json: adds attributes to the draft. */
  public async createCustomActivityTypeAttributes(
    apiName: string,
    attributes: readonly AttributeRequest[],
  ): Promise<WireCustomActivityType> {
    checkApiName("createCustomActivityTypeAttributes", apiName);
    return this.single(endpoints.createCustomActivityTypeAttributes(apiName, attributes), apiName);
  }

  /** POST …/type/{apiName}/attributes/update.json: changes attributes (keyed by apiName) in the draft. */
  public async updateCustomActivityTypeAttributes(
    apiName: string,
    attributes: readonly AttributeRequest[],
  ): Promise<WireCustomActivityType> {
    checkApiName("updateCustomActivityTypeAttributes", apiName);
    return this.single(endpoints.updateCustomActivityTypeAttributes(apiName, attributes), apiName);
  }

  /** POST …/type/{apiName}/attributes/delete.json: removes the attributes with these apiNames from the draft. */
  public async deleteCustomActivityTypeAttributes(
    apiName: string,
    apiNames: readonly string[],
  ): Promise<WireCustomActivityType> {
    checkApiName("deleteCustomActivityTypeAttributes", apiName);
    return this.single(endpoints.deleteCustomActivityTypeAttributes(apiName, apiNames), apiName);
  }

  /**
   * POST activities/external.json: adds up to 300 activity records. Returns one result per record, in
   * input order (`status: "added"` with an `id`, or `"skipped"` with `errors`).
   *
   * Not idempotent: the batch is resent only when Marketo certainly rejected it (601/602 after
   * re-authenticating, 606, 615, or a connection that never opened). Any failure that leaves open
   * whether the records were added raises `MarketoOutcomeUnknownError` instead of sending them twice.
   */
  public async addCustomActivities(
    records: readonly CustomActivityInput[],
  ): Promise<WireCustomActivityResult[]> {
    if (records.length === 0) return [];
    if (records.length > MAX_ACTIVITIES_PER_CALL) {
      throw new MarketoRequestError(
        "addCustomActivities",
        `addCustomActivities got ${records.length} records; Marketo takes at most ${MAX_ACTIVITIES_PER_CALL} per call.`,
        `Split the records into batches of at most ${MAX_ACTIVITIES_PER_CALL}.`,
      );
    }
    const call: Call = {
      operation: "addCustomActivities",
      recordCount: records.length,
      idempotent: false,
      timeoutMs: this.addTimeoutMs,
    };
    const outcome = await this.rest(endpoints.addCustomActivities(records), call);
    const parsed = z.array(wireCustomActivityResultSchema).safeParse(outcome.value.result);
    if (!parsed.success) {
      // The call succeeded, so the records may well have been added: do not invite a resend.
      throw new MarketoOutcomeUnknownError(
        { operation: call.operation, recordCount: records.length, reason: "unreadable per-record results" },
        this.shapeError(call, outcome, parsed.error),
      );
    }
    return parsed.data;
  }

  /** GET activities/types.json: every activity type, standard and custom, not told apart. */
  public async listActivityTypes(): Promise<WireActivityType[]> {
    return this.list(endpoints.listActivityTypes(), wireActivityTypeSchema);
  }

  /** HTTP requests sent so far by this client. */
  public usage(): MarketoUsage {
    return {
      total: this.counts.total,
      byOperation: { ...this.counts.byOperation },
      retries: this.counts.retries,
      identity: this.counts.identity,
    };
  }

  /** Sets every usage counter back to zero. */
  public resetUsage(): void {
    this.counts = emptyCounts();
  }

  /** Only the base URL: the client holds secrets and never serializes them. */
  public toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  /** Shows only the base URL in `util.inspect` and `console.log`. */
  public [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `MarketoClient { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }

  // ---- response handling ----

  private async list<T extends z.ZodType>(spec: RequestSpec, item: T): Promise<z.output<T>[]> {
    const call = this.metadataCall(spec.operation, undefined);
    const outcome = await this.rest(spec, call);
    const parsed = z.array(item).safeParse(outcome.value.result);
    if (!parsed.success) throw this.shapeError(call, outcome, parsed.error);
    return parsed.data;
  }

  private async single(spec: RequestSpec, apiName: string | undefined): Promise<WireCustomActivityType>;
  private async single(
    spec: RequestSpec,
    apiName: string | undefined,
    options: { emptyResultOk: true },
  ): Promise<WireCustomActivityType | undefined>;
  private async single(
    spec: RequestSpec,
    apiName: string | undefined,
    options: { emptyResultOk?: boolean } = {},
  ): Promise<WireCustomActivityType | undefined> {
    const call = this.metadataCall(spec.operation, apiName);
    const outcome = await this.rest(spec, call);
    const first = outcome.value.result[0];
    if (first === undefined && options.emptyResultOk === true) return undefined;
    if (first === undefined) {
      throw new MarketoHttpError(
        {
          ...this.context(call, outcome.attempts),
          httpStatus: outcome.value.httpStatus,
          bodyExcerpt: "",
          retryable: false,
        },
        "success but an empty result (an activity type was expected)",
      );
    }
    // Marketo may report a failure for the one object as a record-level result (docs/marketo-api.md 2.1, 8.1).
    const failure = itemFailureSchema.safeParse(first);
    if (failure.success) {
      const reasons = [...(failure.data.reasons ?? []), ...(failure.data.errors ?? [])];
      if (failure.data.status === "skipped" || reasons.length > 0) {
        const errors = reasons.map((r) => this.detail(r.code, r.message));
        const policy = policyForCodes(errors.map((e) => e.code));
        throw new MarketoApiError({
          ...this.context(call, outcome.attempts),
          errors,
          requestId: outcome.value.requestId,
          httpStatus: outcome.value.httpStatus,
          retryable: policy.kind === "transient" || policy.kind === "rejected",
        });
      }
    }
    const parsed = wireCustomActivityTypeSchema.safeParse(first);
    if (!parsed.success) throw this.shapeError(call, outcome, parsed.error);
    return parsed.data;
  }

  private metadataCall(operation: Operation, apiName: string | undefined): Call {
    return { operation, apiName, idempotent: true, timeoutMs: this.requestTimeoutMs };
  }

  private context(call: Call, attempts: number): FailureContext {
    return { operation: call.operation, apiName: call.apiName, recordCount: call.recordCount, attempts };
  }

  private shapeError(call: Call, outcome: Outcome<RestResponse>, error: z.ZodError): MarketoHttpError {
    const issue = error.issues[0];
    const where =
      issue === undefined ? "" : ` (at result${issue.path.map((p) => `[${String(p)}]`).join("")})`;
    return new MarketoHttpError(
      {
        ...this.context(call, outcome.attempts),
        httpStatus: outcome.value.httpStatus,
        bodyExcerpt: "",
        retryable: false,
      },
      `a result that does not match Marketo's documented shape${where}`,
      "Report this with the requestId; Marketo may have changed its response format.",
    );
  }

  private detail(code: string, message: string | undefined): MarketoErrorDetail {
    return { code: this.redactor.redact(code), message: this.redactor.redact(message ?? "") };
  }

  // ---- the retry loop ----

  private rest(spec: RequestSpec, call: Call): Promise<Outcome<RestResponse>> {
    return this.withRetries(call, (attempt) => this.attemptRest(spec, call, attempt));
  }

  /**
   * Runs attempts until one succeeds or a failure is final. Retry rules: see `retry.ts`. For a
   * non-idempotent call, any failure after which Marketo may have carried out the request becomes a
   * `MarketoOutcomeUnknownError` at once.
   */
  private async withRetries<T>(
    call: Call,
    run: (attempt: number) => Promise<Attempt<T>>,
  ): Promise<Outcome<T>> {
    const started = this.now();
    let reauthenticated = false;
    let afterAmbiguousAttempt = false;
    let backoffs = 0;
    const perKey = new Map<string, number>();
    for (let attempt = 1; ; attempt++) {
      const result = await run(attempt);
      if (result.ok) return { value: result.value, attempts: attempt };
      const failure = result.failure;
      const stop = (): MarketoActivitiesError =>
        failure.toError({ attempts: attempt, afterAmbiguousAttempt });

      if (!call.idempotent && (failure.kind === "transient" || failure.processed === "maybe")) {
        throw new MarketoOutcomeUnknownError(
          { operation: call.operation, recordCount: call.recordCount ?? 0, reason: failure.label },
          stop(),
        );
      }
      if (failure.kind === "reauth" && call.operation !== "identity") {
        if (reauthenticated || failure.token === undefined) throw stop();
        reauthenticated = true;
        this.auth.invalidate(failure.token);
        this.emit({ type: "reauthenticate", operation: call.operation, code: failure.retryKey });
        continue;
      }
      if (failure.kind !== "transient" && failure.kind !== "rejected") throw stop();

      const retriesOfKey = (perKey.get(failure.retryKey) ?? 0) + 1;
      perKey.set(failure.retryKey, retriesOfKey);
      if (failure.maxRetries !== undefined && retriesOfKey > failure.maxRetries) throw stop();
      if (attempt >= this.retry.maxAttempts) throw stop();
      const delayMs = backoffDelay(backoffs++, this.retry, this.random);
      if (this.now() + delayMs - started > this.retry.maxElapsedMs) throw stop();
      if (failure.processed === "maybe") afterAmbiguousAttempt = true;
      this.emit({
        type: "retry",
        operation: call.operation,
        attempt,
        maxAttempts: this.retry.maxAttempts,
        delayMs,
        reason: failure.label,
        ...(failure.network === undefined ? {} : { network: failure.network }),
      });
      await this.sleep(delayMs);
    }
  }

  // ---- one REST attempt ----

  private async attemptRest(spec: RequestSpec, call: Call, attempt: number): Promise<Attempt<RestResponse>> {
    // Fetch the token before queueing: an identity call does not count toward the limits, and it may
    // have to wait out a nearly expired token.
    await this.auth.get();
    await this.concurrency.acquire();
    let slot: WindowSlot | undefined;
    let sent = false;
    try {
      slot = await this.window.acquire((waitMs) =>
        this.emit({ type: "limiterWait", operation: spec.operation, waitMs }),
      );
      const token = await this.auth.get(); // cached unless it expired while queued
      sent = true;
      return await this.send(spec, call, attempt, token);
    } finally {
      if (slot !== undefined) {
        if (sent) this.window.release(slot);
        else this.window.cancel(slot);
      }
      this.concurrency.release();
    }
  }

  private async send(
    spec: RequestSpec,
    call: Call,
    attempt: number,
    token: string,
  ): Promise<Attempt<RestResponse>> {
    const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${token}` };
    // Marketo answers 612 without a JSON content type, also for the bodyless POSTs (docs/marketo-api.md section 4).
    if (spec.method === "POST") headers["Content-Type"] = "application/json";
    const init: RequestInit = {
      method: spec.method,
      headers,
      signal: AbortSignal.timeout(call.timeoutMs),
      ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
    };
    this.counts.total++;
    this.counts.byOperation[spec.operation] = (this.counts.byOperation[spec.operation] ?? 0) + 1;
    if (attempt > 1) this.counts.retries++;

    const started = this.now();
    const exchange = await this.exchange(this.urlFor(spec), init, call, attempt, started);
    if (!exchange.ok) return exchange;
    const { status, text } = exchange.value;
    return this.interpretRest(call, status, text, token, started, attempt);
  }

  /** Sends the request and reads the body; a thrown error becomes a redacted network failure. */
  private async exchange(
    url: string,
    init: RequestInit,
    call: Call,
    attempt: number,
    started: number,
  ): Promise<Attempt<{ status: number; text: string }>> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, init);
    } catch (error) {
      return { ok: false, failure: this.networkFailure(call, attempt, started, error, false) };
    }
    try {
      return { ok: true, value: { status: response.status, text: await response.text() } };
    } catch (error) {
      // The response had started, so the request arrived: never treat this as "not sent".
      return { ok: false, failure: this.networkFailure(call, attempt, started, error, true) };
    }
  }

  private networkFailure(
    call: Call,
    attempt: number,
    started: number,
    error: unknown,
    responded: boolean,
  ): Failure {
    const classified = classifyNetworkError(error);
    const kind: FailureKind = responded && classified.kind !== "fatal" ? "transient" : classified.kind;
    this.emit({
      type: "networkError",
      operation: call.operation,
      attempt,
      networkCode: classified.code,
      durationMs: this.now() - started,
    });
    const host = this.host;
    const code = classified.code;
    let description: string;
    let hint: string | undefined;
    if (classified.timeout) {
      description = `no answer from ${host} within ${call.timeoutMs} ms`;
      hint = "Marketo may be slow right now; try again later.";
    } else if (code === "ENOTFOUND") {
      description = `the host name ${host} does not resolve (ENOTFOUND)`;
      hint = `Check ${this.names.baseUrl} (or ${this.names.munchkinId}): it should name your instance, e.g. https://123-ABC-456.mktorest.com.`;
    } else if (kind === "rejected") {
      description = `could not connect to ${host} (${code})`;
      hint = isLoopback(new URL(this.baseUrl).hostname)
        ? `Nothing answers at ${this.baseUrl} on this machine. If it is the emulator, is it running? Start it with \`marketo-activities emulator\` and export what it prints; otherwise check ${this.names.baseUrl}.`
        : `Check that ${this.names.baseUrl} (${this.baseUrl}) is right and that this machine can reach it (network, proxy, firewall).`;
    } else if (kind === "fatal" && code === "TypeError") {
      description = "the request could not be sent (the URL or a header was refused by fetch)";
      hint = `Check ${this.names.baseUrl}; if it is right, report this as a bug.`;
    } else if (kind === "fatal") {
      description = `the secure connection to ${host} failed (${code})`;
      hint =
        "Check that nothing between this machine and Marketo intercepts TLS, or configure its CA certificate.";
    } else {
      description = `the connection to ${host} failed (${code})`;
      hint = "Check this machine's network connection; Marketo may be unavailable.";
    }
    return {
      kind,
      processed: kind === "transient" ? "maybe" : "no",
      label: classified.timeout ? `no answer within ${call.timeoutMs} ms` : code,
      network: description,
      retryKey: code,
      toError: ({ attempts }) =>
        new MarketoNetworkError(
          { ...this.context(call, attempts), networkCode: code, retryable: kind !== "fatal" },
          description,
          hint,
        ),
    };
  }

  /** A failure at the HTTP level (a status or a body that is not Marketo's answer). */
  private httpFailure(
    call: Call,
    status: number,
    excerpt: string,
    kind: FailureKind,
    processed: "no" | "maybe",
    problem: string,
    hint: string | undefined,
  ): Attempt<never> {
    return {
      ok: false,
      failure: {
        kind,
        processed,
        label: `HTTP ${status}`,
        retryKey: `HTTP ${status}`,
        toError: ({ attempts }) =>
          new MarketoHttpError(
            {
              ...this.context(call, attempts),
              httpStatus: status,
              bodyExcerpt: excerpt,
              retryable: kind === "transient" || kind === "rejected",
            },
            problem,
            hint,
          ),
      },
    };
  }

  /** Interprets a REST response: envelope, status and codes (docs/marketo-api.md section 2). */
  private interpretRest(
    call: Call,
    status: number,
    text: string,
    token: string,
    started: number,
    attempt: number,
  ): Attempt<RestResponse> {
    const durationMs = this.now() - started;
    const excerpt = this.redactor.excerpt(text);
    const httpFailure = (
      kind: FailureKind,
      problem: string,
      processed: "no" | "maybe",
      hint?: string,
    ): Attempt<RestResponse> => this.httpFailure(call, status, excerpt, kind, processed, problem, hint);
    const success = status >= 200 && status <= 299;

    let json: unknown;
    let isJson = true;
    try {
      json = JSON.parse(text);
    } catch {
      isJson = false;
    }
    const parsed = isJson ? anyEnvelopeSchema.safeParse(json) : undefined;
    const envelope = parsed?.success === true ? parsed.data : undefined;
    const errors = (envelope?.errors ?? []).map((e) => this.detail(e.code, e.message));
    this.emit({
      type: "response",
      operation: call.operation,
      attempt,
      httpStatus: status,
      durationMs,
      requestId: envelope?.requestId,
      codes: errors.map((e) => e.code),
    });

    // A 5xx may come after the request was carried out; a 429 is a refusal before any work.
    if (status >= 500) return httpFailure("transient", "an error status", "maybe");
    if (status === 429) return httpFailure("rejected", "a rate-limit status", "no");
    const failed =
      envelope !== undefined &&
      (envelope.success === false || (envelope.success !== true && errors.length > 0));
    if (failed) return this.apiFailure(call, status, envelope.requestId, errors, token);
    if (!success) return httpFailure("fatal", "an unexpected status", "no", this.statusHint(status));
    if (!isJson) return httpFailure("fatal", "a body that is not JSON", "maybe", this.baseUrlHint());
    // Every envelope field is optional (Adobe's examples omit many), so any JSON object parses; only
    // a boolean `success` says Marketo answered (a proxy's `{"status":"ok"}` must not read as []).
    if (envelope === undefined || typeof envelope.success !== "boolean")
      return httpFailure(
        "fatal",
        "JSON that is not Marketo's response envelope",
        "maybe",
        this.baseUrlHint(),
      );
    return {
      ok: true,
      value: { httpStatus: status, requestId: envelope.requestId, result: envelope.result ?? [] },
    };
  }

  /** A `success: false` envelope: the codes decide (retry.ts). */
  private apiFailure(
    call: Call,
    status: number,
    requestId: string | undefined,
    errors: readonly MarketoErrorDetail[],
    token: string | undefined,
  ): Attempt<never> {
    const policy = policyForCodes(errors.map((e) => e.code));
    const summary =
      errors.length === 0 ? "no error code" : errors.map((e) => `${e.code} ${e.message}`.trim()).join("; ");
    return {
      ok: false,
      failure: {
        kind: policy.kind,
        processed: policy.kind === "transient" ? "maybe" : "no",
        label: summary,
        retryKey: policy.code,
        maxRetries: policy.maxRetries,
        token,
        toError: ({ attempts, afterAmbiguousAttempt }) => {
          const details = {
            ...this.context(call, attempts),
            errors,
            requestId,
            httpStatus: status,
            retryable: policy.kind !== "fatal" && policy.kind !== "quota",
            afterAmbiguousAttempt,
          };
          if (policy.kind === "quota") return new MarketoQuotaError(details, nextQuotaReset(this.now()));
          if (policy.kind === "reauth") {
            return new MarketoAuthError(
              "tokenRejected",
              { operation: call.operation, httpStatus: status, codes: errors.map((e) => e.code) },
              `Marketo refused the access token for ${call.operation}${call.apiName === undefined ? "" : ` for "${call.apiName}"`} again after re-authenticating (${summary}).`,
              `Check that ${this.names.baseUrl} and ${this.names.clientId} / ${this.names.clientSecret} belong to the same Marketo instance; if they do, the LaunchPoint service may have been deactivated.`,
            );
          }
          return new MarketoApiError(details);
        },
      },
    };
  }

  // ---- identity ----

  /** One identity call with retries for transient failures (it is idempotent and uncounted). */
  private async requestToken(): Promise<IssuedToken> {
    const call: Call = { operation: "identity", idempotent: true, timeoutMs: this.requestTimeoutMs };
    const outcome = await this.withRetries(call, (attempt) => this.attemptIdentity(call, attempt));
    return outcome.value;
  }

  private async attemptIdentity(call: Call, attempt: number): Promise<Attempt<IssuedToken>> {
    // Query parameters, as the swagger defines them (docs/marketo-api.md section 1); this URL is never kept.
    const query = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: this.#clientId,
      client_secret: this.#clientSecret,
    });
    const init: RequestInit = {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      signal: AbortSignal.timeout(call.timeoutMs),
    };
    this.counts.identity++;
    const started = this.now();
    const exchange = await this.exchange(
      `${this.baseUrl}/identity/oauth/token?${query.toString()}`,
      init,
      call,
      attempt,
      started,
    );
    if (!exchange.ok) return exchange;
    const { status, text } = exchange.value;
    const excerpt = this.redactor.excerpt(text);
    this.emit({
      type: "response",
      operation: "identity",
      attempt,
      httpStatus: status,
      durationMs: this.now() - started,
      requestId: undefined,
      codes: [],
    });
    const httpFailure = (kind: FailureKind, problem: string, hint?: string): Attempt<never> =>
      this.httpFailure(call, status, excerpt, kind, "no", problem, hint);

    if (status >= 500) return httpFailure("transient", "an error status");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return httpFailure(policyForHttpStatus(status), "a body that is not JSON", this.baseUrlHint());
    }
    if (status === 200) {
      const token = identityResponseSchema.safeParse(json);
      if (token.success) {
        this.redactor.add(token.data.access_token);
        return {
          ok: true,
          value: { accessToken: token.data.access_token, expiresInSeconds: token.data.expires_in },
        };
      }
    }
    const oauth = identityErrorSchema.safeParse(json);
    if (oauth.success) {
      const error = this.redactor.redact(oauth.data.error);
      const description = this.redactor.redact(oauth.data.error_description ?? "");
      const badCredentials = status === 401 || error === "invalid_client" || error === "unauthorized";
      if (badCredentials) {
        return {
          ok: false,
          failure: {
            kind: "fatal",
            processed: "no",
            label: error,
            retryKey: error,
            toError: () =>
              new MarketoAuthError(
                "badCredentials",
                { operation: "identity", httpStatus: status, codes: [error] },
                `Marketo refused the client credentials for ${this.host} (HTTP ${status} ${error}${description === "" ? "" : `: ${description}`}). Check ${this.names.clientId} and ${this.names.clientSecret}.`,
                `${this.names.clientId} and ${this.names.clientSecret} must be the Client ID and Client Secret of a LaunchPoint custom service on this instance (Admin > Integration > LaunchPoint > View Details), and ${this.names.baseUrl} must point at the same instance.`,
              ),
          },
        };
      }
    }
    const envelope = anyEnvelopeSchema.safeParse(json);
    if (envelope.success && (envelope.data.errors ?? []).length > 0) {
      const errors = (envelope.data.errors ?? []).map((e) => this.detail(e.code, e.message));
      const failure = this.apiFailure(call, status, envelope.data.requestId, errors, undefined);
      // A token refusal cannot happen here; anything of that kind is final.
      if (!failure.ok && failure.failure.kind === "reauth")
        return { ok: false, failure: { ...failure.failure, kind: "fatal" } };
      return failure;
    }
    return status === 200
      ? httpFailure("fatal", "a body that is not an access token", this.baseUrlHint())
      : httpFailure(policyForHttpStatus(status), "an unexpected status", this.statusHint(status));
  }

  // ---- helpers ----

  private urlFor(spec: RequestSpec): string {
    // Double slashes in paths are being deprecated by Marketo's gateway (docs/marketo-api.md 6.11).
    const path = `/${spec.path}`.replace(/\/{2,}/g, "/");
    const query = spec.query === undefined ? "" : new URLSearchParams(spec.query).toString();
    return `${this.baseUrl}${path}${query === "" ? "" : `?${query}`}`;
  }

  private baseUrlHint(): string {
    return `Check ${this.names.baseUrl}: it should be the REST host root of your instance, such as https://123-ABC-456.mktorest.com.`;
  }

  private statusHint(status: number): string | undefined {
    if (status === 404) return this.baseUrlHint();
    if (status === 413) return "The request body is over Marketo's 1 MB limit: send fewer records per call.";
    if (status === 414) return "The URL is over Marketo's 8 KB limit: use a shorter apiName.";
    return undefined;
  }

  private emit(event: MarketoClientEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch {
      // A listener's failure must not break the call.
    }
  }
}

/**
 * Reads `<prefix>_BASE_URL` (or `<prefix>_MUNCHKIN_ID`), `<prefix>_CLIENT_ID` and
 * `<prefix>_CLIENT_SECRET`. Throws one `MissingCredentialsError` naming every missing variable (an
 * empty value counts as missing), or a `MarketoConfigError` for a value it cannot use. Never echoes the
 * secret.
 */
export function credentialsFromEnv(
  prefix: string = DEFAULT_ENV_PREFIX,
  env: Readonly<Record<string, string | undefined>> = process.env,
): MarketoCredentials {
  if (!ENV_PREFIX_PATTERN.test(prefix)) {
    throw new MarketoConfigError(
      "envPrefix",
      `The environment variable prefix "${prefix}" is not valid: use upper-case letters, digits and underscores, starting with a letter.`,
      `Write it like "${DEFAULT_ENV_PREFIX}_PROD".`,
    );
  }
  const names = credentialNames(prefix);
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === "" ? undefined : value;
  };
  const rawBaseUrl = read(names.baseUrl);
  const munchkinId = read(names.munchkinId);
  const clientId = read(names.clientId);
  const clientSecret = read(names.clientSecret);
  const missing = [
    ...(rawBaseUrl === undefined && munchkinId === undefined ? [names.baseUrl] : []),
    ...(clientId === undefined ? [names.clientId] : []),
    ...(clientSecret === undefined ? [names.clientSecret] : []),
  ];
  if (missing.length > 0 || clientId === undefined || clientSecret === undefined) {
    throw new MissingCredentialsError(prefix, missing);
  }
  let baseUrl: string;
  if (rawBaseUrl !== undefined) {
    baseUrl = normalizeBaseUrl(rawBaseUrl, names.baseUrl);
  } else {
    if (munchkinId === undefined || !/^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$/.test(munchkinId)) {
      throw new MarketoConfigError(
        names.munchkinId,
        `${names.munchkinId} must look like 123-ABC-456 (letters, digits and dashes).`,
        "Copy the Munchkin Account ID from Admin > Integration > Munchkin, or set the REST endpoint in " +
          `${names.baseUrl} instead.`,
      );
    }
    baseUrl = normalizeBaseUrl(`https://${munchkinId}.mktorest.com`, names.munchkinId);
  }
  return { baseUrl, clientId, clientSecret };
}

/**
 * Normalizes a REST base URL to its host root: trims it, lower-cases the host (as the WHATWG URL parser
 * does), removes trailing slashes and a trailing
 * `/rest`, `/rest/v1` or `/identity` (as Admin > Web Services shows the endpoints). Throws a
 * `MarketoConfigError` naming `setting` for anything but an http(s) URL without credentials, query or
 * fragment. The value is never echoed, since a pasted URL may carry a token.
 */
export function normalizeBaseUrl(raw: string, setting = "baseUrl"): string {
  const example = "https://123-ABC-456.mktorest.com";
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MarketoConfigError(
      setting,
      `${setting} is not a URL (expected the REST host root, such as ${example}).`,
      "Copy the REST API endpoint from Admin > Integration > Web Services, or set the Munchkin id instead.",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new MarketoConfigError(
      setting,
      `${setting} must be an https:// URL such as ${example} (got a ${url.protocol} URL).`,
      "Copy the REST API endpoint from Admin > Integration > Web Services.",
    );
  }
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    throw new MarketoConfigError(
      setting,
      `${setting} must be only the REST host root, such as ${example}, without user info, query or fragment.`,
      "Remove everything after the host name; credentials go in the CLIENT_ID and CLIENT_SECRET variables.",
    );
  }
  const path = url.pathname
    .replace(/\/+$/, "")
    .replace(/\/(?:rest(?:\/v1)?|identity)$/i, "")
    .replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

function checkApiName(operation: Operation, apiName: string): void {
  if (apiName === "") {
    throw new MarketoRequestError(
      operation,
      `${operation} needs the activity type's apiName, but got an empty string.`,
      'Pass the apiName of the type, e.g. "webinarAttended".',
    );
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number > 0`);
  return value;
}
