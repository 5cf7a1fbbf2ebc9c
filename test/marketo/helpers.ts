/**
 * Test doubles for the Marketo client: a scripted fetch that records every request and answers from
 * per-operation queues, on a virtual clock (`test/helpers/clock.ts`: no real waits, no global fake
 * timers).
 */
import { matchRoute, type Operation } from "../../src/marketo/endpoints.js";
import {
  MarketoClient,
  type MarketoClientEvent,
  type MarketoClientSettings,
} from "../../src/marketo/index.js";
import { type VirtualClock, virtualClock } from "../helpers/clock.js";

export const SECRET = "s3cr3t-Client-Secret-value";
export const CLIENT_ID = "client-id-0001";
export const TOKEN = "cdf01657-110d-4155-99a7-f986b2ff13a0:int";
export const TOKEN_2 = "86e6c440-1a1c-4bcf-b3f8-6c6e3a4b5c6d:sj";
/** The normalized base URL (hosts are lower-cased). */
export const BASE_URL = "https://123-abc-456.mktorest.com";

/** One request as the stub saw it. */
export interface Recorded {
  readonly operation: Operation | "unknown";
  readonly method: string;
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  /** Fake-clock time when fetch was called. */
  readonly at: number;
}

/** What a scripted reply may be: a Response, an error to throw, or a function producing either. */
export type Reply = Response | Error | ((request: Recorded) => Response | Error | Promise<Response | Error>);

/** JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** A success envelope, as in the docs (no errors or warnings keys). */
export function ok(result: unknown[] = [], requestId = "e42b#14272d07d78"): Response {
  return json({ requestId, success: true, result });
}

/** A failure envelope with HTTP 200 and string codes. */
export function fail(code: string, message: string, requestId = "a1b2#19c0c0ffee0"): Response {
  return json({ requestId, success: false, errors: [{ code, message }] });
}

/** An identity success body. */
export function token(accessToken = TOKEN, expiresIn = 3599): Response {
  return json({
    access_token: accessToken,
    token_type: "bearer",
    expires_in: expiresIn,
    scope: "api@example.com",
  });
}

/** The activity type apiName in a recorded request's path, e.g. for a describe answered about it. */
export function apiNameOf(request: Recorded): string {
  const route = matchRoute(request.method, request.path);
  if (!("apiName" in route) || route.apiName === undefined) throw new Error(`no apiName in ${request.path}`);
  return route.apiName;
}

/** undici-style connection errors: TypeError("fetch failed") with the system error as cause. */
export function networkError(code: string, detail = `${code} 10.0.0.1:443`): Error {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(detail), { code }) });
}

/** What AbortSignal.timeout produces. */
export function timeoutError(): Error {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

/** A type as Marketo returns it. */
export function activityType(apiName = "webinarAttended", extra: Record<string, unknown> = {}) {
  return {
    id: 100001,
    apiName,
    name: "Webinar Attended",
    triggerName: "Attends Webinar",
    filterName: "Attended Webinar",
    primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
    attributes: [],
    status: "draft",
    ...extra,
  };
}

/**
 * A scripted fetch. `reply(operation, ...replies)` queues replies; an empty identity queue answers a
 * fresh token, any other empty queue fails the test loudly.
 */
export function scriptedFetch(clock: VirtualClock) {
  const queues = new Map<string, Reply[]>();
  const requests: Recorded[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const parsed = new URL(url);
    const route = matchRoute(init.method ?? "GET", parsed.pathname);
    const operation = "operation" in route ? route.operation : "unknown";
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: Recorded = {
      operation,
      method: init.method ?? "GET",
      url,
      path: parsed.pathname,
      query: parsed.searchParams,
      headers,
      body: typeof init.body === "string" ? init.body : undefined,
      at: clock.now(),
    };
    requests.push(request);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const queue = queues.get(operation) ?? [];
      const next = queue.shift();
      let reply: Response | Error;
      if (next === undefined) {
        if (operation !== "identity") throw new Error(`test script has no reply for ${operation} (${url})`);
        reply = token();
      } else {
        reply = typeof next === "function" ? await next(request) : next;
      }
      if (reply instanceof Error) throw reply;
      return reply;
    } finally {
      inFlight--;
    }
  };
  return {
    fetch,
    requests,
    /** Queues replies for an operation. */
    reply(operation: Operation, ...replies: Reply[]) {
      queues.set(operation, [...(queues.get(operation) ?? []), ...replies]);
    },
    /** Operations of the recorded requests, in order. */
    operations: () => requests.map((r) => r.operation),
    /** REST requests only (identity left out). */
    rest: () => requests.filter((r) => r.operation !== "identity"),
    get maxInFlight() {
      return maxInFlight;
    },
  };
}
export type ScriptedFetch = ReturnType<typeof scriptedFetch>;

/** A client wired to a fake clock and a scripted fetch, recording its events. */
export function setup(settings: MarketoClientSettings = {}) {
  const clock = virtualClock();
  const stub = scriptedFetch(clock);
  const events: MarketoClientEvent[] = [];
  const client = new MarketoClient({
    baseUrl: BASE_URL,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    fetch: stub.fetch,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    onEvent: (event) => events.push(event),
    ...settings,
  });
  return { client, clock, stub, events };
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error("expected the promise to reject, but it resolved");
}

/** Lets queued promise callbacks and a macrotask run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
