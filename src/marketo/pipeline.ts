/**
 * The request pipeline: every request of a client, identity included, goes through it, and it reports
 * one event stream (`events.ts`). A call is a loop of attempts:
 *
 *   token (REST only) -> concurrency slot -> rolling-window slot -> `attempt` -> fetch -> answer
 *   (`response` or `networkError`) -> interpretation (pure: `interpret.ts`, `identity.ts`, `network.ts`)
 *   -> value, or `retry` / `reauthenticate` and the next attempt, or `giveUp`.
 *
 * The loop's rules (which failures are retried, how often, how long): see `codes.ts` and `retry.ts`.
 * Refusals by the instance's limits (606, 615, HTTP 429) are waited out until `retry.busyDeadlineMs`;
 * other retried failures count against `retry.maxAttempts`. A call that is not repeatable raises
 * `MarketoOutcomeUnknownError` as soon as a failure leaves open whether Marketo carried it out (no
 * Marketo answer was read after sending); one Marketo answered with a 6xx code was not carried out
 * (docs/marketo-api.md 2.2) and is resent like any other call (docs/design.md decision 13).
 */
import type { MarketoActivitiesError } from "../schema/errors.js";
import { type IssuedToken, TokenManager } from "./auth.js";
import { IDENTITY, type Operation, type RequestSpec } from "./endpoints.js";
import { MarketoOutcomeUnknownError } from "./errors.js";
import { emitterFor, type MarketoClientEvent, type RequestLine } from "./events.js";
import { identityUrl, interpretIdentity } from "./identity.js";
import { interpretRest, type RestResponse } from "./interpret.js";
import { RollingWindowLimiter, Semaphore, type WindowSlot } from "./limiter.js";
import { networkFailure } from "./network.js";
import type { ResolvedOptions } from "./options.js";
import { type Call, type Context, type Outcome, redirectFailure, type Verdict } from "./outcome.js";
import { Redactor } from "./redactor.js";
import { backoffDelay, busyDelay } from "./retry.js";

/** HTTP requests a client actually sent. */
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

function noUsage(): MarketoUsage {
  return { total: 0, byOperation: {}, retries: 0, identity: 0 };
}

/** Sends the requests of one client; see the module docs. */
export class RequestPipeline {
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #options: Omit<ResolvedOptions, "clientId" | "clientSecret">;
  readonly #redactor = new Redactor();
  readonly #emit: (event: MarketoClientEvent) => void;
  readonly #window: RollingWindowLimiter;
  readonly #concurrency: Semaphore;
  readonly #auth: TokenManager;
  #usage: MarketoUsage = noUsage();

  /** @param options resolved client options; the credentials are kept in private fields */
  constructor(options: ResolvedOptions) {
    const { clientId, clientSecret, ...rest } = options;
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
    this.#options = rest;
    this.#redactor.add(clientSecret);
    this.#emit = emitterFor(options.onEvent);
    this.#window = new RollingWindowLimiter(
      options.rateLimit.calls,
      options.rateLimit.windowMs,
      options.now,
      options.sleep,
    );
    this.#concurrency = new Semaphore(options.maxConcurrency);
    this.#auth = new TokenManager({
      requestToken: () => this.requestToken(),
      now: options.now,
      sleep: options.sleep,
      onEvent: this.#emit,
      safetyMarginMs: options.tokenSafetyMarginMs,
    });
  }

  /** Requests sent so far. */
  public usage(): MarketoUsage {
    return { ...this.#usage, byOperation: { ...this.#usage.byOperation } };
  }

  /** Sets every usage counter back to zero. */
  public resetUsage(): void {
    this.#usage = noUsage();
  }

  /**
   * Runs one REST call: attempts until one is answered with success or a failure is final, then
   * `read` turns the answer into the call's value. Rejects with the error of the last failure, or
   * what `read` throws.
   */
  public async send<T>(
    spec: RequestSpec,
    call: Call,
    read: (context: Context, outcome: Outcome<RestResponse>) => T,
  ): Promise<T> {
    const context = this.context(call);
    const outcome = await this.withRetries(context, (attempt) => this.attemptRest(spec, context, attempt));
    try {
      return read(context, outcome);
    } catch (error) {
      this.giveUp(call, outcome.attempts, "unusable result", error);
      throw error;
    }
  }

  private context(call: Call): Context {
    const { names, baseUrl, now } = this.#options;
    return { call, names, baseUrl, now, redactor: this.#redactor };
  }

  // ---- the retry loop ----

  private async withRetries<T>(
    context: Context,
    run: (attempt: number) => Promise<Verdict<T>>,
  ): Promise<Outcome<T>> {
    const { call } = context;
    const { now, random, retry, sleep } = this.#options;
    const started = now();
    let reauthenticated = false;
    let afterAmbiguousAttempt = false;
    let backoffs = 0; // retries after failures other than the instance's limits
    let busyWaits = 0; // retries after refusals by the instance's limits
    const perKey = new Map<string, number>();
    for (let attempt = 1; ; attempt++) {
      const result = await run(attempt);
      if (result.ok) return { value: result.value, attempts: attempt };
      const failure = result.failure;
      const stop = (busy?: { waitedMs: number }): MarketoActivitiesError => {
        const error = failure.toError({
          attempts: attempt,
          afterAmbiguousAttempt,
          ...(busy === undefined ? {} : { busy: { ...busy, deadlineMs: retry.busyDeadlineMs } }),
        });
        this.giveUp(call, attempt, failure.label, error);
        return error;
      };

      if (!call.repeatable && failure.processed === "maybe") {
        const cause = failure.toError({ attempts: attempt, afterAmbiguousAttempt });
        const error = new MarketoOutcomeUnknownError(
          { operation: call.operation, recordCount: call.recordCount ?? 0, reason: failure.label },
          cause,
        );
        this.giveUp(call, attempt, failure.label, error);
        throw error;
      }
      if (failure.kind === "reauth" && call.operation !== "identity") {
        if (reauthenticated || failure.token === undefined) throw stop();
        reauthenticated = true;
        this.#auth.invalidate(failure.token);
        this.#emit({ type: "reauthenticate", operation: call.operation, code: failure.retryKey });
        continue;
      }
      if (failure.kind !== "transient" && failure.kind !== "rejected") throw stop();

      let delayMs: number;
      let busy: { limit: "rate" | "concurrency"; giveUpInMs: number } | undefined;
      if (failure.limit !== undefined) {
        // The instance's limits are shared with every other integration: wait them out until the
        // deadline, the last wait cut short so that one more attempt lands on it.
        const elapsed = now() - started;
        const left = retry.busyDeadlineMs - elapsed;
        if (left <= 0) throw stop({ waitedMs: elapsed });
        delayMs = Math.min(busyDelay(busyWaits++, random), left);
        busy = { limit: failure.limit, giveUpInMs: left };
      } else {
        const retriesOfKey = (perKey.get(failure.retryKey) ?? 0) + 1;
        perKey.set(failure.retryKey, retriesOfKey);
        if (failure.maxRetries !== undefined && retriesOfKey > failure.maxRetries) throw stop();
        if (backoffs + 1 >= retry.maxAttempts) throw stop();
        delayMs = backoffDelay(backoffs++, retry, random);
        if (now() + delayMs - started > retry.maxElapsedMs) throw stop();
      }
      if (failure.processed === "maybe") afterAmbiguousAttempt = true;
      this.#emit({
        type: "retry",
        operation: call.operation,
        attempt,
        maxAttempts: retry.maxAttempts,
        delayMs,
        reason: failure.label,
        ...(failure.network === undefined ? {} : { network: failure.network }),
        ...(busy === undefined ? {} : busy),
      });
      await sleep(delayMs);
    }
  }

  private giveUp(call: Call, attempts: number, reason: string, error: unknown): void {
    const code =
      typeof error === "object" && error !== null && "code" in error ? String(error.code) : "Error";
    this.#emit({ type: "giveUp", operation: call.operation, attempts, reason, error: code });
  }

  // ---- one attempt ----

  private async attemptRest(
    spec: RequestSpec,
    context: Context,
    attempt: number,
  ): Promise<Verdict<RestResponse>> {
    // Fetch the token before queueing: an identity call does not count toward the limits, and it may
    // have to wait out a nearly expired token.
    await this.#auth.get();
    await this.#concurrency.acquire();
    let slot: WindowSlot | undefined;
    let sent = false;
    try {
      slot = await this.#window.acquire((waitMs) =>
        this.#emit({ type: "limiterWait", operation: spec.operation, waitMs }),
      );
      const token = await this.#auth.get(); // cached unless it expired while queued
      sent = true;
      const usage = this.#usage;
      this.#usage = {
        ...usage,
        total: usage.total + 1,
        retries: usage.retries + (attempt > 1 ? 1 : 0),
        byOperation: { ...usage.byOperation, [spec.operation]: (usage.byOperation[spec.operation] ?? 0) + 1 },
      };
      const headers: Record<string, string> = {
        Accept: "application/json",
        Authorization: `Bearer ${token}`,
      };
      // Marketo answers 612 without a JSON content type, also for the bodyless POSTs (docs/marketo-api.md section 4).
      if (spec.method === "POST") headers["Content-Type"] = "application/json";
      const init: RequestInit = {
        method: spec.method,
        headers,
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
      };
      const { url, path } = this.urlOf(spec);
      const line = { method: spec.method, path };
      return await this.exchange(url, line, init, context, attempt, (status, text) =>
        interpretRest(context, status, text, token),
      );
    } finally {
      if (slot !== undefined) {
        if (sent) this.#window.release(slot);
        else this.#window.cancel(slot);
      }
      this.#concurrency.release();
    }
  }

  /** One identity call with retries for transient failures (it is idempotent and uncounted). */
  private async requestToken(): Promise<IssuedToken> {
    const call: Call = { operation: "identity", repeatable: true, timeoutMs: this.#options.requestTimeoutMs };
    const context = this.context(call);
    const outcome = await this.withRetries(context, (attempt) => {
      this.#usage = { ...this.#usage, identity: this.#usage.identity + 1 };
      // This URL holds the secret: it is built per attempt and never kept.
      const url = identityUrl(this.#options.baseUrl, this.#clientId, this.#clientSecret);
      const init: RequestInit = {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
      };
      const line = { method: "POST", path: IDENTITY.path } as const; // never the URL: its query holds the secret
      return this.exchange(url, line, init, context, attempt, (status, text) => ({
        verdict: interpretIdentity(context, status, text),
        requestId: undefined,
        codes: [],
      }));
    });
    return outcome.value;
  }

  /**
   * Sends the request and reads the body, reporting `attempt` and the answer, each with the request's
   * `line` (method and path, never the URL); a thrown error becomes a redacted network failure.
   */
  private async exchange<T>(
    url: string,
    line: RequestLine,
    init: RequestInit,
    context: Context,
    attempt: number,
    interpret: (
      status: number,
      text: string,
    ) => { verdict: Verdict<T>; requestId: string | undefined; codes: readonly string[] },
  ): Promise<Verdict<T>> {
    const { operation, timeoutMs } = context.call;
    const now = this.#options.now;
    // A path holds an apiName, never a credential; redacted all the same, as every event's text is.
    const request: RequestLine = { method: line.method, path: this.#redactor.redact(line.path) };
    const failed = (error: unknown, responded: boolean): Verdict<never> => {
      const { failure, code } = networkFailure(context, error, responded);
      this.#emit({
        type: "networkError",
        operation,
        ...request,
        attempt,
        networkCode: code,
        durationMs: now() - started,
      });
      return { ok: false, failure };
    };
    this.#emit({ type: "attempt", operation, ...request, attempt });
    const started = now();
    let response: Response;
    try {
      // Redirects are never followed: a 3xx could send the token, the secret in the identity URL, type
      // definitions or lead ids to another origin (docs/client.md, Transport and trust).
      response = await this.#options.fetch(url, {
        ...init,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      return failed(error, false);
    }
    const responded = (requestId: string | undefined, codes: readonly string[]) =>
      this.#emit({
        type: "response",
        operation,
        ...request,
        attempt,
        httpStatus: response.status,
        durationMs: now() - started,
        requestId,
        codes,
      });
    const redirect = redirectFailure(context, url, response);
    if (redirect !== undefined) {
      await response.body?.cancel().catch(() => undefined);
      responded(undefined, []);
      return redirect;
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The response had started, so the request arrived: never treat this as "not sent".
      return failed(error, true);
    }
    const answer = interpret(response.status, text);
    responded(answer.requestId, answer.codes);
    return answer.verdict;
  }

  /** The request's URL, and its path without the query (what events name). */
  private urlOf(spec: RequestSpec): { url: string; path: string } {
    // Double slashes in paths are being deprecated by Marketo's gateway (docs/marketo-api.md 6.11).
    const path = `/${spec.path}`.replace(/\/{2,}/g, "/");
    const query = spec.query === undefined ? "" : new URLSearchParams(spec.query).toString();
    return { url: `${this.#options.baseUrl}${path}${query === "" ? "" : `?${query}`}`, path };
  }
}
