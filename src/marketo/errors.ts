/**
 * Errors of Marketo calls. The configuration errors (`MissingCredentialsError`, `MarketoConfigError`)
 * are in `credentials.ts`.
 *
 * Every class extends `MarketoActivitiesError`, so the CLI prints `message` and `hint` without a stack
 * trace. No error built here holds a token, the client secret, a credential-bearing URL, a `Response`
 * object or a raw `fetch` error: the client hands them strings it has already passed through a
 * `Redactor`, and network failures keep only the error's `name` and `code`. The meaning and hint of
 * each Marketo code are in `codes.ts`.
 */
import { MarketoActivitiesError } from "../schema/errors.js";
import { hintForCodes, messageForCode } from "./codes.js";
import type { Operation } from "./endpoints.js";

/** One `{code, message}` pair from a response's `errors[]` (or a record's `errors[]`/`reasons[]`). */
export interface MarketoErrorDetail {
  /** Marketo's code as a string, e.g. `"606"` or `"1017"`. */
  readonly code: string;
  /** Marketo's message, redacted; empty when Marketo sent none. */
  readonly message: string;
}

/** Where a failed call came from, for messages in the user's terms. */
export interface FailureContext {
  /** The client method, e.g. `createCustomActivityType`. */
  readonly operation: Operation;
  /** The activity type's apiName, for per-type operations. */
  readonly apiName?: string | undefined;
  /** The number of records in the batch, for `addCustomActivities`. */
  readonly recordCount?: number | undefined;
  /** How many requests this call sent in all (1 when it was not retried). */
  readonly attempts: number;
}

/** ` for "webinarAttended"` or ` (12 records)`: the subject of a call, for messages. */
function subjectOf(context: Pick<FailureContext, "apiName" | "recordCount">): string {
  if (context.apiName !== undefined) return ` for "${context.apiName}"`;
  if (context.recordCount !== undefined)
    return ` (${context.recordCount} record${context.recordCount === 1 ? "" : "s"})`;
  return "";
}

function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : "";
}

/** `requestId a1b2#19c0c0ffee0`, or that there was none: what Adobe support asks for. */
export function requestIdOf(requestId: string | undefined): string {
  return requestId === undefined ? "and no requestId" : `requestId ${requestId}`;
}

/** What to do when Marketo refused a call without saying why. */
export function noReasonHint(requestId: string | undefined): string {
  return `Marketo did not say why: try again, and if it fails the same way, report it to Adobe support with ${
    requestId === undefined
      ? "the time of the call (Marketo sent no requestId)"
      : `the requestId ${requestId}`
  }`;
}

/** Fields of a `MarketoApiError`. */
export interface MarketoApiErrorDetails extends FailureContext {
  /** Marketo's errors, redacted. */
  readonly errors: readonly MarketoErrorDetail[];
  /** `requestId` of the response, for Adobe support. */
  readonly requestId?: string | undefined;
  /** HTTP status of the response (usually 200: Marketo reports failures inside a 200 body). */
  readonly httpStatus: number;
  /** Whether a later call may succeed (the codes are transient). */
  readonly retryable: boolean;
  /** Whether an earlier attempt of this call may have been carried out (see the class docs). */
  readonly afterAmbiguousAttempt?: boolean | undefined;
  /** Overrides the hint derived from the codes. */
  readonly hint?: string | undefined;
}

/**
 * Marketo answered with `success: false` (usually with HTTP 200), or reported a failure for the one
 * object a metadata call returns.
 *
 * When `afterAmbiguousAttempt` is true, an earlier attempt of the same call failed in a way that leaves
 * open whether Marketo carried it out (a timeout or a 5xx) and the client retried it: a `1017 Object
 * already exists` after a create, or `709` after an approve, may then mean the first attempt worked.
 */
export class MarketoApiError extends MarketoActivitiesError {
  /** The client method that failed, e.g. `createCustomActivityType`. */
  public readonly operation: Operation;
  /** The activity type's apiName, for per-type operations. */
  public readonly apiName: string | undefined;
  /** Marketo's error codes, e.g. `["1017"]`. */
  public readonly codes: readonly string[];
  /** Marketo's error messages, redacted, in the order of `codes`. */
  public readonly messages: readonly string[];
  /** `requestId` of the response, for Adobe support. */
  public readonly requestId: string | undefined;
  /** HTTP status of the response. */
  public readonly httpStatus: number;
  /** Whether a later call may succeed (the codes are transient: 604, 606, 608, 611, 614, 615, 713, ...). */
  public readonly retryable: boolean;
  /** How many requests the call sent in all. */
  public readonly attempts: number;
  /** Whether an earlier attempt of this call may have been carried out by Marketo. */
  public readonly afterAmbiguousAttempt: boolean;

  /** @param code the stable code; subclasses pass their own */
  constructor(details: MarketoApiErrorDetails, message?: string, code = "MarketoApi") {
    const summary =
      details.errors.length === 0
        ? `no error code given (${requestIdOf(details.requestId)})`
        : details.errors.map((e) => (e.message === "" ? e.code : `${e.code} ${e.message}`)).join("; ");
    super(
      code,
      message ??
        `Marketo rejected ${details.operation}${subjectOf(details)}: ${summary}${afterAttempts(details.attempts)}`,
      {
        hint:
          details.hint ??
          hintForCodes(
            details.errors.map((e) => e.code),
            details.requestId,
          ) ??
          (details.errors.length === 0 ? noReasonHint(details.requestId) : undefined),
      },
    );
    this.operation = details.operation;
    this.apiName = details.apiName;
    this.codes = details.errors.map((e) => e.code);
    this.messages = details.errors.map((e) => e.message);
    this.requestId = details.requestId;
    this.httpStatus = details.httpStatus;
    this.retryable = details.retryable;
    this.attempts = details.attempts;
    this.afterAmbiguousAttempt = details.afterAmbiguousAttempt ?? false;
  }
}

/**
 * Marketo's daily API quota (usually 50,000 calls, shared by all integrations) is used up: code 607.
 * Not retried: the quota resets at midnight US Central time, which `resetAt` gives as an ISO time.
 */
export class MarketoQuotaError extends MarketoApiError {
  /** When the quota resets: the next midnight in America/Chicago, as an ISO 8601 UTC time. */
  public readonly resetAt: string;

  /** @param resetAt the next reset, from `nextQuotaReset` */
  constructor(details: MarketoApiErrorDetails, resetAt: string) {
    super(
      {
        ...details,
        hint: hintForCodes(["607"]),
      },
      `Marketo's daily API quota for this instance is used up (607 ${messageForCode("607")}), so ${details.operation}${subjectOf(details)} was not carried out. It resets at midnight US Central time, ${resetAt}`,
      "MarketoQuota",
    );
    this.resetAt = resetAt;
  }
}

/** Why authentication failed. */
export type MarketoAuthFailure = "badCredentials" | "tokenRejected" | "tokenExpiring";

/**
 * Authentication failed: the identity endpoint rejected the client credentials (HTTP 401), Marketo
 * kept rejecting the token after one re-authentication (601/602), or the identity endpoint kept
 * returning a token about to expire. Never retried; never carries the credentials or the token.
 */
export class MarketoAuthError extends MarketoActivitiesError {
  /** Which of the three failures it is. */
  public readonly reason: MarketoAuthFailure;
  /** The call that needed the token (`identity` when the identity call itself failed). */
  public readonly operation: Operation;
  /** HTTP status of the failing response, when there was one. */
  public readonly httpStatus: number | undefined;
  /** Marketo's codes, e.g. `["601"]`, or the OAuth `error` value such as `invalid_client`. */
  public readonly codes: readonly string[];

  /** @param message already redacted */
  constructor(
    reason: MarketoAuthFailure,
    details: { operation: Operation; httpStatus?: number | undefined; codes?: readonly string[] },
    message: string,
    hint: string,
  ) {
    super("MarketoAuth", message, { hint });
    this.reason = reason;
    this.operation = details.operation;
    this.httpStatus = details.httpStatus;
    this.codes = details.codes ?? [];
  }
}

/**
 * Marketo answered with something other than its JSON envelope: an unexpected HTTP status (a 5xx after
 * the retries, 404 for a wrong base URL, 413 for a body over 1 MB), a body that is not JSON, or JSON
 * that does not have the documented shape. `bodyExcerpt` holds at most 200 redacted characters.
 */
export class MarketoHttpError extends MarketoActivitiesError {
  /** The call that failed. */
  public readonly operation: Operation;
  /** The activity type's apiName, for per-type operations. */
  public readonly apiName: string | undefined;
  /** HTTP status of the response. */
  public readonly httpStatus: number;
  /** Up to 200 characters of the body, redacted; empty when there was none. */
  public readonly bodyExcerpt: string;
  /** Whether a later call may succeed (5xx statuses). */
  public readonly retryable: boolean;
  /** How many requests the call sent in all. */
  public readonly attempts: number;

  /** @param problem what was wrong, e.g. `a body that is not JSON`; already redacted */
  constructor(
    context: FailureContext & { httpStatus: number; bodyExcerpt: string; retryable: boolean },
    problem: string,
    hint?: string,
  ) {
    const excerpt = context.bodyExcerpt === "" ? "" : `: ${JSON.stringify(context.bodyExcerpt)}`;
    super(
      "MarketoHttp",
      `Marketo answered ${context.operation}${subjectOf(context)} with HTTP ${context.httpStatus} and ${problem}${afterAttempts(context.attempts)}${excerpt}`,
      { hint },
    );
    this.operation = context.operation;
    this.apiName = context.apiName;
    this.httpStatus = context.httpStatus;
    this.bodyExcerpt = context.bodyExcerpt;
    this.retryable = context.retryable;
    this.attempts = context.attempts;
  }
}

/**
 * Marketo's answer is well-formed but does not fit the request: it is about another activity type
 * than the one asked for, or gives a type status this package does not know. Nothing is built on such
 * an answer: the plan or the call stops here, quoting it. Not retried. `answerExcerpt` holds at most
 * 200 redacted characters of the part at fault.
 */
export class MarketoUnexpectedAnswerError extends MarketoActivitiesError {
  /** The call that was answered. */
  public readonly operation: Operation;
  /** The activity type's apiName the call asked about, for per-type operations. */
  public readonly apiName: string | undefined;
  /** HTTP status of the response. */
  public readonly httpStatus: number;
  /** `requestId` of the response, for Adobe support. */
  public readonly requestId: string | undefined;
  /** The part of the answer at fault, as JSON, redacted and shortened. */
  public readonly answerExcerpt: string;

  /** @param problem what does not fit, e.g. `an activity type named "other"`; already redacted */
  constructor(
    context: FailureContext & { httpStatus: number; requestId: string | undefined; answerExcerpt: string },
    problem: string,
    hint: string,
  ) {
    super(
      "MarketoUnexpected",
      `Marketo answered ${context.operation}${subjectOf(context)} with ${problem} (${requestIdOf(context.requestId)}): ${context.answerExcerpt}`,
      { hint },
    );
    this.operation = context.operation;
    this.apiName = context.apiName;
    this.httpStatus = context.httpStatus;
    this.requestId = context.requestId;
    this.answerExcerpt = context.answerExcerpt;
  }
}

/**
 * The request did not get an answer: the connection was refused or reset, the host name did not
 * resolve, TLS failed, or the request timed out. `networkCode` is the system error code (such as
 * `ECONNRESET`) or `Timeout`; the original error is not kept, because undici's errors can carry the
 * request URL, and the identity URL holds the client secret.
 */
export class MarketoNetworkError extends MarketoActivitiesError {
  /** The call that failed. */
  public readonly operation: Operation;
  /** The activity type's apiName, for per-type operations. */
  public readonly apiName: string | undefined;
  /** `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `Timeout`, ... or the error's name when it had no code. */
  public readonly networkCode: string;
  /** Whether a later call may succeed. */
  public readonly retryable: boolean;
  /** How many requests the call sent in all. */
  public readonly attempts: number;

  /** @param description e.g. `could not connect to 123-abc-456.mktorest.com (ECONNREFUSED)` */
  constructor(
    context: FailureContext & { networkCode: string; retryable: boolean },
    description: string,
    hint?: string,
  ) {
    super(
      "MarketoNetwork",
      `${context.operation}${subjectOf(context)} failed: ${description}${afterAttempts(context.attempts)}`,
      { hint, cause: new NetworkCause(context.networkCode) },
    );
    this.operation = context.operation;
    this.apiName = context.apiName;
    this.networkCode = context.networkCode;
    this.retryable = context.retryable;
    this.attempts = context.attempts;
  }
}

/** The redacted stand-in for a network error: its code only, never its message or URL. */
export class NetworkCause extends Error {
  /** The system error code or error name of the original failure. */
  public readonly code: string;

  /** @param code the system error code or error name */
  constructor(code: string) {
    super(code);
    this.name = "NetworkCause";
    this.code = code;
  }
}

/**
 * `addCustomActivities` failed in a way that leaves open whether Marketo added the records (a timeout,
 * a connection lost after sending, a 5xx without Marketo's answer, or 713; a 6xx answer means Marketo
 * did not execute the request, docs/marketo-api.md 2.2, and is resent instead). Activity records are write-once and
 * the call is not idempotent, so the client does not resend them: check the leads' activity logs before
 * sending these records again. `cause` is the redacted failure.
 */
export class MarketoOutcomeUnknownError extends MarketoActivitiesError {
  /** Always `addCustomActivities`. */
  public readonly operation: Operation;
  /** How many records were in the batch whose outcome is unknown. */
  public readonly recordCount: number;
  /** The failure, e.g. `HTTP 502` or `ECONNRESET` or `604 Request time-out`. */
  public readonly reason: string;

  /** @param cause the redacted error of the failed attempt */
  constructor(
    context: { operation: Operation; recordCount: number; reason: string },
    cause: MarketoActivitiesError,
  ) {
    const records = `${context.recordCount} activity record${context.recordCount === 1 ? "" : "s"}`;
    super(
      "MarketoOutcomeUnknown",
      `Marketo may or may not have added the ${records} of this batch: ${context.operation} failed after the request was sent (${context.reason}). They were not sent again, to avoid duplicates`,
      {
        cause,
        hint: "check the leads' activity logs in Marketo before sending these records again: activity records cannot be updated or deleted through the API",
      },
    );
    this.operation = context.operation;
    this.recordCount = context.recordCount;
    this.reason = context.reason;
  }
}

/** A call was made with arguments Marketo would reject before sending (e.g. more than 300 records). */
export class MarketoRequestError extends MarketoActivitiesError {
  /** The call that was refused. */
  public readonly operation: Operation;

  /** @param message what is wrong, in the caller's terms */
  constructor(operation: Operation, message: string, hint: string) {
    super("MarketoRequestInvalid", message, { hint });
    this.operation = operation;
  }
}
