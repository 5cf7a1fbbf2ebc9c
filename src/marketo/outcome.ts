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
import { ENDPOINTS, type Operation } from "./endpoints.js";
import {
  type FailureContext,
  MarketoApiError,
  MarketoAuthError,
  type MarketoErrorDetail,
  MarketoHttpError,
  MarketoQuotaError,
  requestIdOf,
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
export function baseUrlHint(context: Pick<Context, "names" | "baseUrl">): string {
  const { names, baseUrl } = context;
  return `check ${names.baseUrl} (${baseUrl}): it should be the REST host root of your instance, such as https://123-ABC-456.mktorest.com`;
}

/** Adobe's page of the API role permissions (DOC-CS in docs/marketo-api.md section 0). */
const CUSTOM_SERVICES_PAGE =
  "https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/custom-services";

/**
 * What to check after HTTP 401 or 403 without Marketo's codes (Marketo reports its own refusals as
 * 601, 602 or 603 inside HTTP 200; docs/marketo-api.md 2.1): the credentials, the role's permission
 * for the call (section 1: DOC-EPREF, DOC-CS), an IP allowlist or a proxy.
 */
function accessHint(status: 401 | 403, context: Context): string {
  const { call, names } = context;
  const credentials = `${names.clientId} and ${names.clientSecret} must be the Client ID and Client Secret of a LaunchPoint custom service on the instance ${names.baseUrl} (${context.baseUrl}) names (Admin > Integration > LaunchPoint > View Details)`;
  const elsewhere =
    "an IP allowlist (Admin > Integration > Web Services) or a proxy may also refuse this machine";
  if (call.operation === "identity") return `${credentials}; ${elsewhere}`;
  const role = `the API-only user of that service needs a role with ${ENDPOINTS[call.operation].permission} for ${call.operation} (Admin > Users & Roles; Adobe lists the permissions at ${CUSTOM_SERVICES_PAGE})`;
  return status === 401 ? `${credentials}; ${role}; ${elsewhere}` : `${role}; ${credentials}; ${elsewhere}`;
}

/** What to check after an HTML page where Marketo's JSON was expected. */
function htmlHint(context: Context): string {
  const { names, baseUrl } = context;
  return `${names.baseUrl} (${baseUrl}) may point at something other than Marketo's REST host (the Marketo app's address, a proxy, a login or captive-portal page): set it to the REST API endpoint of Admin > Integration > Web Services, such as https://123-ABC-456.mktorest.com`;
}

/** What to check after a server error that outlasted the retries. */
export function serverErrorHint(context: Context): string {
  const { names, baseUrl } = context;
  return `Marketo, or a gateway in front of it, failed with a server error; this is usually temporary: try again in a few minutes. If it persists, check ${names.baseUrl} (${baseUrl}) and Adobe's status page (https://status.adobe.com)`;
}

/** What to check after an HTTP status Marketo does not use for this call (docs/marketo-api.md 2.1). */
export function statusHint(status: number, context: Context): string | undefined {
  if (status === 401 || status === 403) return accessHint(status, context);
  if (status === 404) return baseUrlHint(context);
  if (status === 413) return "the request body is over Marketo's 1 MB limit: send fewer records per call";
  if (status === 414)
    return `the URL is over Marketo's ${MAX_URI_BYTES / 1024} KB limit: use a shorter apiName`;
  return undefined;
}

/** Whether a body is a web page (a proxy's, a login page, the Marketo app) rather than JSON. */
export function isHtml(text: string): boolean {
  return /^\s*</.test(text) && /<(?:!doctype\s+html|html|head|body|title)\b/i.test(text);
}

/**
 * What an answer that is not Marketo's envelope was, and what to check: by its status (non-2xx),
 * then by its body (an HTML page, not JSON, JSON of another shape). Every one names a thing to check.
 */
export function unexpectedAnswer(
  context: Context,
  status: number,
  text: string,
  isJson: boolean,
): { readonly problem: string; readonly hint: string } {
  const html = !isJson && isHtml(text);
  if (status < 200 || status > 299) {
    const problem =
      status === 401
        ? "a refusal of its credentials (401 Unauthorized) without Marketo's error codes"
        : status === 403
          ? "a refusal of access (403 Forbidden) without Marketo's error codes"
          : html
            ? "an HTML page, not Marketo's JSON answer"
            : "an unexpected status";
    const hint =
      statusHint(status, context) ??
      (html
        ? htmlHint(context)
        : `Marketo's REST API does not answer with HTTP ${status}: ${baseUrlHint(context)}, and that no proxy answers in its place; if it is right, report this with the status`);
    return { problem, hint };
  }
  if (html) return { problem: "an HTML page instead of Marketo's JSON answer", hint: htmlHint(context) };
  if (!isJson) return { problem: "a body that is not JSON", hint: baseUrlHint(context) };
  return { problem: "JSON that is not Marketo's response envelope", hint: baseUrlHint(context) };
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

/**
 * A redirect, which the client never follows (it asks `fetch` for `redirect: "manual"`), or an answer
 * that came after a redirect anyway (a custom `fetch` that ignores it); undefined for any other
 * response. A redirect could carry the token, the secret in the identity URL, type definitions or lead
 * ids to another origin, so it is an error naming where it pointed, not retried. Only the target's
 * origin and path are shown, redacted: the query of a redirect back to the identity URL could hold the
 * secret. A 303 (See Other) says the request was handled; other 3xx say it was not handled there.
 */
export function redirectFailure(
  context: Context,
  requestUrl: string,
  response: Pick<Response, "status" | "redirected" | "url" | "headers">,
): Verdict<never> | undefined {
  const { status, redirected } = response;
  if (!redirected && (status < 300 || status > 399)) return undefined;
  const { names, baseUrl, redactor } = context;
  const target = redirected ? response.url : response.headers.get("location");
  let where: string | undefined;
  let origin: string | undefined;
  if (target !== null && target !== "") {
    try {
      const url = new URL(target, requestUrl);
      origin = redactor.redact(`${url.protocol}//${url.host}`);
      where = redactor.excerpt(`${url.protocol}//${url.host}${url.pathname}`);
    } catch {
      where = "an address that is not a URL";
    }
  }
  const problem = redirected
    ? `an answer from ${where ?? "another address"} after a redirect, which the fetch function followed although the client asked it not to`
    : `a redirect to ${where ?? "nowhere (no Location header)"}, which the client does not follow`;
  const hint = redirected
    ? `pass a fetch that honours redirect: "manual" (Node's fetch does), and check ${names.baseUrl} (${baseUrl}): the client sends credentials, type definitions and lead ids only there`
    : `the client sends credentials, activity type definitions and lead ids only to ${names.baseUrl} (${baseUrl}), never where a redirect points. ${
        origin === undefined
          ? "Check it"
          : `If ${origin} is your instance's REST endpoint (Admin > Integration > Web Services), set ${names.baseUrl} to it`
      }; otherwise a proxy or a login page between this machine and Marketo is answering`;
  const label = `HTTP ${status} redirect${where === undefined ? "" : ` to ${where}`}`;
  return {
    ok: false,
    failure: {
      kind: "fatal",
      processed: redirected || status === 303 ? "maybe" : "no",
      label,
      retryKey: `HTTP ${status}`,
      toError: ({ attempts }) =>
        new MarketoHttpError(
          {
            ...failureContext(context.call, attempts),
            httpStatus: status,
            bodyExcerpt: "",
            retryable: false,
          },
          problem,
          hint,
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
        if (errors.length === 0) {
          return new MarketoApiError(
            details,
            `Marketo answered ${callName(call)} with success: false but no error code, so it did not say why it failed (${requestIdOf(requestId)})${attempts > 1 ? ` (after ${attempts} attempts)` : ""}`,
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
