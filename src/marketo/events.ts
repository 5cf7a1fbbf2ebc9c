/**
 * The one event stream of the request pipeline (`pipeline.ts`), reported to `onEvent`. For each call:
 * `attempt` when a request goes out, an answer (`response`, or `networkError` when none came),
 * waits (`limiterWait`, and the token manager's `tokenWait`), `retry` or `reauthenticate` before the
 * next attempt, and `giveUp` when the call fails. No event carries a token, a secret or a
 * credential-bearing URL: requests are named by `method` and `path`, never by their URL, whose query
 * holds the secret on the identity call. `MARKETO_ACTIVITIES_TRACE=1` prints every event
 * (`src/cli/trace.ts`).
 */
import type { TokenEvent } from "./auth.js";
import type { HttpMethod, Operation } from "./endpoints.js";

/** What a request was: enough to trace it, never its URL or query. */
export interface RequestLine {
  /** e.g. `POST`. */
  readonly method: HttpMethod;
  /**
   * The path from the instance root, without the query, e.g.
   * `/rest/v1/activities/external/type/webinarAttended/describe.json` or `/identity/oauth/token`.
   */
  readonly path: string;
}

/** Events reported to `onEvent`. */
export type MarketoClientEvent =
  | TokenEvent
  | (RequestLine & {
      /** A request is about to be sent (after the limits let it go). */
      readonly type: "attempt";
      readonly operation: Operation;
      /** 1 for the first request of the call; a higher one is a resend (after `retry` or `reauthenticate`). */
      readonly attempt: number;
    })
  | (RequestLine & {
      /** An HTTP response arrived (any status). */
      readonly type: "response";
      readonly operation: Operation;
      readonly attempt: number;
      readonly httpStatus: number;
      readonly durationMs: number;
      readonly requestId: string | undefined;
      /** Marketo's error codes: empty on success, and `["702"]` for a list Marketo found empty. */
      readonly codes: readonly string[];
    })
  | (RequestLine & {
      /** A request failed without a response. */
      readonly type: "networkError";
      readonly operation: Operation;
      readonly attempt: number;
      readonly networkCode: string;
      readonly durationMs: number;
    })
  | {
      /** A failed attempt will be retried after `delayMs`. */
      readonly type: "retry";
      readonly operation: Operation;
      /** The attempt that failed (1 for the first). */
      readonly attempt: number;
      /**
       * Most attempts the call may make for failures other than the instance's limits
       * (`retry.maxAttempts`); it may stop sooner (time or per-code caps). Waits for the instance's
       * limits (`limit` set) are bounded by `giveUpInMs` instead.
       */
      readonly maxAttempts: number;
      readonly delayMs: number;
      /** e.g. `606 Max rate limit '100' exceeded with in '20' secs`, `HTTP 502`, `ECONNRESET`. */
      readonly reason: string;
      /**
       * Set when the instance's limits refused the attempt (606 or HTTP 429 `rate`, 615
       * `concurrency`): Marketo is busy, and the call waits it out until `retry.busyDeadlineMs`.
       */
      readonly limit?: "rate" | "concurrency";
      /** With `limit`: how long from now, before this wait, until the call gives up waiting. */
      readonly giveUpInMs?: number;
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
    }
  | {
      /** The call failed for good after `attempts` requests; it rejects with an error of code `error`. */
      readonly type: "giveUp";
      readonly operation: Operation;
      readonly attempts: number;
      /** The last failure, as in `retry.reason`. */
      readonly reason: string;
      /** The `code` of the error the call rejects with, e.g. `MarketoApi` or `MarketoOutcomeUnknown`. */
      readonly error: string;
    };

/** Reports events to a listener; a listener that throws is ignored, so it cannot break a call. */
export function emitterFor(
  onEvent: ((event: MarketoClientEvent) => void) | undefined,
): (event: MarketoClientEvent) => void {
  return (event) => {
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch {
      // A listener's failure must not break the call.
    }
  };
}
