/**
 * What one attempt of a call produced, as data: a value, or a `Failure` that says what the retry loop
 * should do about it (its `FailureKind`, see `codes.ts`) and which error the call raises if it stops
 * there. The interpreters (`interpret.ts`, `identity.ts`, `network.ts`) build them; they are pure, so
 * they can be tested without `fetch`.
 */
import type { MarketoActivitiesError } from "../schema/errors.js";
import { MAX_URI_BYTES } from "../schema/limits.js";
import { answeredNotExecuted, type FailureKind, limitOfCodes, policyForCodes } from "./codes.js";
import type { CredentialNames } from "./credentials.js";
import type { Operation } from "./endpoints.js";
import {
  type FailureContext,
  MarketoApiError,
  MarketoAuthError,
  type MarketoErrorDetail,
  MarketoHttpError,
  MarketoQuotaError,
} from "./errors.js";
import { nextQuotaReset } from "./quota.js";
import type { Redactor } from "./redactor.js";
import { busyHint, busyMessage } from "./retry.js";

/** One call of the client, as its attempts and errors see it. */
export interface Call {
  readonly operation: Operation;
  /** The activity type the call is about, for messages. */
  readonly apiName?: string | undefined;
  /** The records of an `addCustomActivities` batch. */
  readonly recordCount?: number | undefined;
  /** Whether resending after a failure that leaves the outcome open is acceptable (`Endpoint.repeatable`). */
  readonly repeatable: boolean;
  readonly timeoutMs: number;
}

/** What the interpreters need besides the response: the call, and the client's names, URL, redactor and clock. */
export interface Context {
  readonly call: Call;
  /** What messages call the connection settings. */
  readonly names: CredentialNames;
  readonly baseUrl: string;
  readonly redactor: Redactor;
  readonly now: () => number;
}

/** What one attempt produced. */
export type Verdict<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: Failure };

/** How long a call waited out the instance's limits before it stopped, for the error it raises. */
export interface BusyStop {
  /** From the call's start to now. */
  readonly waitedMs: number;
  /** `retry.busyDeadlineMs`. */
  readonly deadlineMs: number;
}

/** What the retry loop knows when a call stops, for the error it raises. */
export interface StopInfo {
  readonly attempts: number;
  readonly afterAmbiguousAttempt: boolean;
  /** Set when the call stopped because the instance's limits kept refusing it until the deadline. */
  readonly busy?: BusyStop | undefined;
}

/** A failed attempt. */
export interface Failure {
  readonly kind: FailureKind;
  /**
   * Whether Marketo may have carried out the request (`maybe`) or certainly did not (`no`): `no` when
   * Marketo answered with 6xx codes (DOC-ERR, docs/marketo-api.md 2.2: `answeredNotExecuted`) or refused
   * it otherwise before any work, `maybe` when no Marketo answer was read after sending.
   */
  readonly processed: "no" | "maybe";
  /**
   * The instance's limit that refused the attempt (606 or HTTP 429 `rate`, 615 `concurrency`): waited
   * out until `retry.busyDeadlineMs` rather than counted against `retry.maxAttempts`.
   */
  readonly limit?: "rate" | "concurrency" | undefined;
  /** A short, redacted reason for events and `MarketoOutcomeUnknownError.reason`. */
  readonly label: string;
  /** For a failure without a response: its description (no secret), for retry events. */
  readonly network?: string;
  /** The key for per-code retry caps. */
  readonly retryKey: string;
  readonly maxRetries?: number | undefined;
  /** The token the attempt used (internal: lets a 601/602 drop exactly that token). */
  readonly token?: string | undefined;
  /** The error to raise if the call stops here. */
  readonly toError: (info: StopInfo) => MarketoActivitiesError;
}

/** A call's value and how many requests it took. */
export interface Outcome<T> {
  readonly value: T;
  readonly attempts: number;
}

/** The call's subject and attempts, as the errors take them. */
export function failureContext(call: Call, attempts: number): FailureContext {
  return { operation: call.operation, apiName: call.apiName, recordCount: call.recordCount, attempts };
}

/** `createCustomActivityType for "webinarAttended"`, `addCustomActivities (2 records)`: a call in messages. */
export function callName(call: Call): string {
  if (call.apiName !== undefined) return `${call.operation} for "${call.apiName}"`;
  if (call.recordCount !== undefined)
    return `${call.operation} (${call.recordCount} record${call.recordCount === 1 ? "" : "s"})`;
  return call.operation;
}

/** A `{code, message}` pair from Marketo, redacted. */
export function detail(context: Context, code: string, message: string | undefined): MarketoErrorDetail {
  return { code: context.redactor.redact(code), message: context.redactor.redact(message ?? "") };
}

/** The hint for an answer that is not from Marketo's REST API: the base URL is probably wrong. */
export function baseUrlHint(names: CredentialNames): string {
  return `check ${names.baseUrl}: it should be the REST host root of your instance, such as https://123-ABC-456.mktorest.com`;
}

/** The hint for an unexpected HTTP status, where there is one (docs/marketo-api.md 2.1). */
export function statusHint(status: number, names: CredentialNames): string | undefined {
  if (status === 404) return baseUrlHint(names);
  if (status === 413) return "the request body is over Marketo's 1 MB limit: send fewer records per call";
  if (status === 414)
    return `the URL is over Marketo's ${MAX_URI_BYTES / 1024} KB limit: use a shorter apiName`;
  return undefined;
}

/** A failure at the HTTP level: a status, or a body that is not Marketo's answer. */
export function httpFailure(
  context: Context,
  status: number,
  excerpt: string,
  kind: FailureKind,
  processed: "no" | "maybe",
  problem: string,
  hint?: string,
  limit?: "rate" | "concurrency",
): Verdict<never> {
  return {
    ok: false,
    failure: {
      kind,
      processed,
      limit,
      label: `HTTP ${status}`,
      retryKey: `HTTP ${status}`,
      toError: ({ attempts, busy }) =>
        new MarketoHttpError(
          {
            ...failureContext(context.call, attempts),
            httpStatus: status,
            bodyExcerpt: excerpt,
            retryable: kind === "transient" || kind === "rejected",
          },
          busy === undefined
            ? problem
            : `${problem} for ${Math.round(busy.waitedMs / 1000)} s: the Marketo instance stayed busy`,
          busy === undefined ? hint : busyHint(context.names, busy.deadlineMs),
        ),
    },
  };
}

/** An answer with Marketo's error codes: the codes decide what happens (`policyForCodes`). */
export function apiFailure(
  context: Context,
  status: number,
  requestId: string | undefined,
  errors: readonly MarketoErrorDetail[],
  token: string | undefined,
): Verdict<never> {
  const { call, names } = context;
  const codes = errors.map((e) => e.code);
  const policy = policyForCodes(codes);
  const summary =
    errors.length === 0 ? "no error code" : errors.map((e) => `${e.code} ${e.message}`.trim()).join("; ");
  // Marketo answered: with 6xx codes it did not carry the request out (DOC-ERR, docs/marketo-api.md
  // 2.2); only a transient code outside 6xx (713, 500, 502) leaves that open.
  const processed = answeredNotExecuted(codes) || policy.kind !== "transient" ? "no" : "maybe";
  const limit = policy.kind === "rejected" ? limitOfCodes(codes) : undefined;
  return {
    ok: false,
    failure: {
      kind: policy.kind,
      processed,
      limit,
      label: summary,
      retryKey: policy.code,
      maxRetries: policy.maxRetries,
      token,
      toError: ({ attempts, afterAmbiguousAttempt, busy }) => {
        const details = {
          ...failureContext(call, attempts),
          errors,
          requestId,
          httpStatus: status,
          retryable: policy.kind !== "fatal" && policy.kind !== "quota",
          afterAmbiguousAttempt,
        };
        if (busy !== undefined) {
          return new MarketoApiError(
            { ...details, hint: busyHint(names, busy.deadlineMs) },
            busyMessage({ call: callName(call), last: summary, attempts, waitedMs: busy.waitedMs }),
          );
        }
        if (policy.kind === "quota") return new MarketoQuotaError(details, nextQuotaReset(context.now()));
        if (policy.kind === "reauth") {
          return new MarketoAuthError(
            "tokenRejected",
            { operation: call.operation, httpStatus: status, codes: errors.map((e) => e.code) },
            `Marketo refused the access token for ${call.operation}${call.apiName === undefined ? "" : ` for "${call.apiName}"`} again after re-authenticating (${summary})`,
            `check that ${names.baseUrl} and ${names.clientId} / ${names.clientSecret} belong to the same Marketo instance; if they do, the LaunchPoint service may have been deactivated`,
          );
        }
        return new MarketoApiError(details);
      },
    },
  };
}
