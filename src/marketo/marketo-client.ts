/**
 * `MarketoClient`: a typed client for Marketo Engage's custom activity endpoints (docs/marketo-api.md
 * section 4). Each method is one row of the endpoint table (`endpoints.ts`), which gives its request,
 * its result type and how the result is read (`interpret.ts`); every call goes through the request
 * pipeline (`pipeline.ts`), which keeps Marketo's limits, reuses the token and retries only what is
 * safe to retry (docs/client.md).
 *
 * This module never imports cdktf.
 */
import { DEFAULT_ENV_PREFIX, MAX_ACTIVITIES_PER_CALL } from "../schema/limits.js";
import { budgetShareFromEnv, credentialsFromEnv } from "./credentials.js";
import { ENDPOINTS, type RequestInput, type RestOperation, type ResultOf, requestFor } from "./endpoints.js";
import { MarketoRequestError } from "./errors.js";
import { readResult } from "./interpret.js";
import {
  type MarketoClientOptions,
  type MarketoClientSettings,
  type RateLimit,
  resolveOptions,
} from "./options.js";
import type { Call } from "./outcome.js";
import { type MarketoUsage, RequestPipeline } from "./pipeline.js";
import type { AttributeRequest, CustomActivityInput, CustomActivityTypeRequest } from "./wire.js";

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
   * `<prefix>_CLIENT_ID` and `<prefix>_CLIENT_SECRET`, keeping to the share of the instance's call
   * budget in `<prefix>_BUDGET_SHARE` (optional; `options.budgetShare` wins). Throws one
   * `MissingCredentialsError` naming every missing variable.
   */
  public static fromEnv(
    prefix: string = DEFAULT_ENV_PREFIX,
    env: Readonly<Record<string, string | undefined>> = process.env,
    options: MarketoClientSettings = {},
  ): MarketoClient {
    const credentials = credentialsFromEnv(prefix, env);
    const budgetShare = options.budgetShare ?? budgetShareFromEnv(prefix, env);
    return new MarketoClient({
      ...options,
      ...credentials,
      ...(budgetShare === undefined ? {} : { budgetShare }),
      envPrefix: prefix,
    });
  }

  /** The normalized REST host root, e.g. `https://123-ABC-456.mktorest.com`. Holds no secret. */
  public readonly baseUrl: string;
  /**
   * The limits this client keeps, its share of the instance's budget applied: e.g.
   * `{ budgetShare: 0.1, rateLimit: { calls: 10, windowMs: 20_000 }, maxConcurrency: 1 }`.
   */
  public readonly limits: {
    readonly budgetShare: number;
    readonly rateLimit: RateLimit;
    readonly maxConcurrency: number;
  };
  readonly #pipeline: RequestPipeline;
  readonly #timeouts: { readonly request: number; readonly addCustomActivities: number };

  /** @param options connection settings and injectable clock, sleep, fetch and limits */
  constructor(options: MarketoClientOptions) {
    const resolved = resolveOptions(options);
    this.baseUrl = resolved.baseUrl;
    this.limits = {
      budgetShare: resolved.budgetShare,
      rateLimit: resolved.rateLimit,
      maxConcurrency: resolved.maxConcurrency,
    };
    this.#timeouts = {
      request: resolved.requestTimeoutMs,
      addCustomActivities: resolved.addCustomActivitiesTimeoutMs,
    };
    this.#pipeline = new RequestPipeline(resolved);
  }

  // ---- operations: one per row of the endpoint table ----

  /** A. GET activities/types.json: every activity type, standard and custom, not told apart. */
  public listActivityTypes(): Promise<ResultOf<"listActivityTypes">> {
    return this.call("listActivityTypes", {});
  }

  /** B. GET activities/external/types.json: every custom activity type (the docs' example has no attributes). */
  public listCustomActivityTypes(): Promise<ResultOf<"listCustomActivityTypes">> {
    return this.call("listCustomActivityTypes", {});
  }

  /**
   * C. GET activities/external/type/{apiName}/describe.json: the approved version, or the draft with
   * `{ draft: true }`.
   */
  public describeCustomActivityType(
    apiName: string,
    options: { readonly draft?: boolean } = {},
  ): Promise<ResultOf<"describeCustomActivityType">> {
    return this.call("describeCustomActivityType", { apiName, draft: options.draft });
  }

  /** D. POST activities/external/type.json: creates a type as a draft (with its primary attribute). */
  public createCustomActivityType(
    request: CustomActivityTypeRequest,
  ): Promise<ResultOf<"createCustomActivityType">> {
    return this.call("createCustomActivityType", { body: request }, { apiName: request.apiName });
  }

  /** E. POST activities/external/type/{apiName}.json: changes the type's fields in its draft. */
  public updateCustomActivityType(
    apiName: string,
    request: CustomActivityTypeRequest,
  ): Promise<ResultOf<"updateCustomActivityType">> {
    return this.call("updateCustomActivityType", { apiName, body: request });
  }

  /**
   * F. POST …/type/{apiName}/approve.json: publishes the draft. Resolves with the type, or `undefined`
   * when Marketo's success carries no result (undocumented for these three calls: docs/marketo-api.md 8.8).
   */
  public approveCustomActivityType(apiName: string): Promise<ResultOf<"approveCustomActivityType">> {
    return this.call("approveCustomActivityType", { apiName });
  }

  /** G. POST …/type/{apiName}/discardDraft.json: drops the draft. An empty result is a success, as for approve. */
  public discardCustomActivityTypeDraft(
    apiName: string,
  ): Promise<ResultOf<"discardCustomActivityTypeDraft">> {
    return this.call("discardCustomActivityTypeDraft", { apiName });
  }

  /**
   * H. POST …/type/{apiName}/delete.json: deletes the type (Marketo refuses while triggers or filters
   * use it). An empty result is a success, as for approve.
   */
  public deleteCustomActivityType(apiName: string): Promise<ResultOf<"deleteCustomActivityType">> {
    return this.call("deleteCustomActivityType", { apiName });
  }

  /** I. POST …/type/{apiName}/attributes/create.json: adds attributes to the draft. */
  public createCustomActivityTypeAttributes(
    apiName: string,
    attributes: readonly AttributeRequest[],
  ): Promise<ResultOf<"createCustomActivityTypeAttributes">> {
    return this.call("createCustomActivityTypeAttributes", { apiName, body: { attributes } });
  }

  /** J. POST …/type/{apiName}/attributes/update.json: changes attributes (keyed by apiName) in the draft. */
  public updateCustomActivityTypeAttributes(
    apiName: string,
    attributes: readonly AttributeRequest[],
  ): Promise<ResultOf<"updateCustomActivityTypeAttributes">> {
    return this.call("updateCustomActivityTypeAttributes", { apiName, body: { attributes } });
  }

  /** K. POST …/type/{apiName}/attributes/delete.json: removes the attributes with these apiNames from the draft. */
  public deleteCustomActivityTypeAttributes(
    apiName: string,
    apiNames: readonly string[],
  ): Promise<ResultOf<"deleteCustomActivityTypeAttributes">> {
    const attributes = apiNames.map((name) => ({ apiName: name }));
    return this.call("deleteCustomActivityTypeAttributes", { apiName, body: { attributes } });
  }

  /**
   * L. POST activities/external.json: adds up to 300 activity records. Returns one result per record, in
   * input order (`status: "added"` with an `id`, or `"skipped"` with `errors`).
   *
   * Not idempotent: the batch is resent only when Marketo certainly did not add it: it answered with
   * a 6xx code (601/602 after re-authenticating, 604, 606, 608, 611, 614, 615: docs/marketo-api.md 2.2
   * says 6xx answers were not executed), or the connection never opened. Any failure after which no
   * answer of Marketo's was read (a timeout, a connection lost after sending, a 5xx without Marketo's
   * envelope, an unreadable body) raises `MarketoOutcomeUnknownError` instead of sending them twice.
   */
  public async addCustomActivities(
    records: readonly CustomActivityInput[],
  ): Promise<ResultOf<"addCustomActivities">> {
    if (records.length === 0) return [];
    if (records.length > MAX_ACTIVITIES_PER_CALL) {
      throw new MarketoRequestError(
        "addCustomActivities",
        `addCustomActivities got ${records.length} records; Marketo takes at most ${MAX_ACTIVITIES_PER_CALL} per call`,
        `split the records into batches of at most ${MAX_ACTIVITIES_PER_CALL}`,
      );
    }
    return this.call("addCustomActivities", { body: { input: records } }, { recordCount: records.length });
  }

  /** HTTP requests sent so far by this client. */
  public usage(): MarketoUsage {
    return this.#pipeline.usage();
  }

  /** Sets every usage counter back to zero. */
  public resetUsage(): void {
    this.#pipeline.resetUsage();
  }

  /** Only the base URL: the client holds secrets and never serializes them. */
  public toJSON(): { baseUrl: string } {
    return { baseUrl: this.baseUrl };
  }

  /** Shows only the base URL in `util.inspect` and `console.log`. */
  public [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `MarketoClient { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }

  /** Sends one request of the table through the pipeline and reads its result by the table. */
  private async call<O extends RestOperation>(
    operation: O,
    input: RequestInput<O>,
    about: { readonly apiName?: string | undefined; readonly recordCount?: number } = {},
  ): Promise<ResultOf<O>> {
    const apiName = (input as { readonly apiName?: string }).apiName;
    if (apiName === "") {
      throw new MarketoRequestError(
        operation,
        `${operation} needs the activity type's apiName, but got an empty string`,
        'pass the apiName of the type, e.g. "webinarAttended"',
      );
    }
    const call: Call = {
      operation,
      apiName: apiName ?? about.apiName,
      recordCount: about.recordCount,
      repeatable: ENDPOINTS[operation].repeatable,
      timeoutMs:
        operation === "addCustomActivities" ? this.#timeouts.addCustomActivities : this.#timeouts.request,
    };
    return this.#pipeline.send(requestFor(operation, input), call, (context, outcome) =>
      readResult(context, operation, outcome),
    );
  }
}
