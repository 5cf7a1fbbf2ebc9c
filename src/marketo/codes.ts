/**
 * Marketo's response codes, each written once: Marketo's message for it, whether it concerns the whole
 * call or one record, what the client does about it, what the user can do, and where the facts come
 * from. Adobe's error-code page is summarised in docs/marketo-api.md 2.2 (response level) and 2.3
 * (record level): https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes
 *
 * Readers: the client's retry policy (`policyForCodes`) and its hints (`hintForCodes`), and the
 * emulator, which answers with `messageForCode` and leaves `uncounted` codes out of its limits.
 *
 * Two questions are answered separately for every failure:
 *
 * 1. Did Marketo carry the request out? A response with Marketo's 6xx codes says no: DOC-ERR states
 *    that 6xx answers mean the request failed entirely and was not executed (docs/marketo-api.md 2.2;
 *    `answeredNotExecuted`). Only a failure where no Marketo answer was read (a timeout, a connection
 *    lost after sending, HTTP 5xx without Marketo's envelope, an unreadable body) or a transient code
 *    outside 6xx (713, 500, 502) leaves that open. That decides whether `addCustomActivities` may be resent
 *    (`outcome.ts`, `pipeline.ts`).
 * 2. What does the client do about it (`retry`)?
 *    - `reauth`: the token was refused (601, 602). Drop it, fetch one again, resend once.
 *    - `rejected`: refused before any work (606, 615, HTTP 429; a connection that was never opened).
 *      606, 615 and 429 are the instance's limits (`limit`): they are waited out, with backoff, until
 *      `retry.busyDeadlineMs` after the call started (two rate-limit windows at least), however many
 *      attempts that takes. A connection never opened is retried within `retry.maxAttempts`.
 *    - `transient`: a temporary failure (604, 608, 611, 614, 713, HTTP 5xx, timeouts, connections
 *      lost). Retried within `retry.maxAttempts` and `maxRetries`. For `addCustomActivities` only when
 *      Marketo answered with a 6xx code (question 1); otherwise its batch is reported as outcome
 *      unknown and not resent.
 *    - `quota`: the daily quota is used up (607). Fails at once with the reset time.
 *    - `fatal`: anything else (603, 605, 609, 610, 612, 1xxx, any code not listed). Not retried.
 *
 * The hint of a failure is that of its first code that has one (`hintForCodes`); a code not listed
 * gets a generic hint (look it up, report it to Adobe support with the requestId), so that no Marketo
 * refusal ends in a message without something to do.
 */
import {
  DEFAULT_MAX_ACTIVITY_TYPES,
  MARKETO_RATE_LIMIT,
  MAX_CONCURRENT_REQUESTS,
  MAX_SECONDARY_ATTRIBUTES,
} from "../schema/limits.js";

/** What the client does about a failure; see the module docs. */
export type FailureKind = "reauth" | "rejected" | "transient" | "quota" | "fatal";

/** Everything known about one Marketo code. */
export interface MarketoCodeFacts {
  /** Marketo's message, as DOC-ERR gives it (placeholders filled in generically). */
  readonly message: string;
  /** Whether it fails the whole call (6xx, 7xx: docs/marketo-api.md 2.2) or one record or object (1xxx: 2.3). */
  readonly kind: "response" | "record";
  /** What the client does when a response carries it. */
  readonly retry: FailureKind;
  /** At most this many retries for this code within one call (on top of `maxAttempts`). */
  readonly maxRetries?: number;
  /**
   * The instance's limit that refused the call (606 `rate`, 615 `concurrency`): every integration on
   * the instance shares it, so the client waits it out until `retry.busyDeadlineMs` instead of
   * counting attempts.
   */
  readonly limit?: "rate" | "concurrency";
  /** Calls answered with it count neither toward the rate limit nor the daily quota (DOC-ERR's asterisk). */
  readonly uncounted?: true;
  /** What the user can do about it, where there is something to do. */
  readonly hint?: string;
  /** The sources, as keys of docs/marketo-api.md section 0. */
  readonly source: string;
}

/** `Max rate limit '100' exceeded with in '20' secs`, typo included (docs/marketo-api.md 2.2, quirk 8). */
export function rateLimitMessage(calls: number, windowMs: number): string {
  const seconds = windowMs / 1000;
  const shown = Number.isInteger(seconds) ? String(seconds) : String(Number(seconds.toFixed(3)));
  return `Max rate limit '${calls}' exceeded with in '${shown}' secs`;
}

/** `Concurrent access limit '10' reached` (ADF text, docs/marketo-api.md 2.2). */
export function concurrencyMessage(max: number): string {
  return `Concurrent access limit '${max}' reached`;
}

const MALFORMED =
  "this request was malformed, which is a bug in cdktf-marketo-activities: please report it with the requestId";

/**
 * Every code this package knows, in Marketo's order. A code not listed is fatal, and gets the generic
 * hint of `hintForCodes`.
 */
export const MARKETO_CODES: Readonly<Record<string, MarketoCodeFacts>> = {
  // 500/502 also appear in DOC-ERR's code table; they are treated like the HTTP statuses.
  "500": { message: "Internal Server error", kind: "response", retry: "transient", source: "SEGMENT" },
  "502": { message: "Bad Gateway", kind: "response", retry: "transient", source: "DOC-ERR, PY, RUDDER" },
  // Re-authenticate, then resend once (PY, RUDDER and SEGMENT do the same).
  "601": {
    message: "Access token invalid",
    kind: "response",
    retry: "reauth",
    uncounted: true,
    hint: "check that the base URL and the client credentials belong to the same Marketo instance; if they do, the LaunchPoint service may have been deactivated",
    source: "DOC-AUTH, DOC-ERR, PY, RUDDER",
  },
  "602": {
    message: "Access token expired",
    kind: "response",
    retry: "reauth",
    uncounted: true,
    hint: "check that this machine's clock is correct; if it is, Marketo keeps expiring the token early: try again later",
    source: "DOC-AUTH, DOC-ERR, PY, RUDDER",
  },
  "603": {
    message: "Access denied",
    kind: "response",
    retry: "fatal",
    hint: "the API user's role lacks a permission this call needs (Read-Only or Read-Write Activity Metadata to read or change types, Read-Write Activity to add records), or an IP allowlist blocks this machine: check Admin > Users & Roles and Admin > Web Services",
    source: "DOC-ERR, RUDDER",
  },
  "604": {
    message: "Request time-out",
    kind: "response",
    retry: "transient",
    uncounted: true,
    hint: "Marketo timed out or hit database contention; try again later",
    source: "DOC-ERR, PY, RUDDER",
  },
  "605": {
    message: "HTTP Method not supported",
    kind: "response",
    retry: "fatal",
    uncounted: true,
    hint: MALFORMED,
    source: "DOC-ERR, RUDDER",
  },
  // Rate limit and concurrency limit: back off (PY, RUDDER and ADF do the same).
  "606": {
    message: rateLimitMessage(MARKETO_RATE_LIMIT.calls, MARKETO_RATE_LIMIT.windowMs),
    kind: "response",
    retry: "rejected",
    limit: "rate",
    hint: `every integration on this instance shares its ${MARKETO_RATE_LIMIT.calls} calls per ${MARKETO_RATE_LIMIT.windowMs / 1000} seconds (other integrations, Terraform's parallel provisioners, another apply); try again later, or give this client a smaller share with budgetShare`,
    source: "DOC-BP, PY, RUDDER, ADF",
  },
  // The daily quota resets at midnight US Central, so waiting inside one run is pointless (PY: fatal).
  "607": {
    message: "Daily quota reached",
    kind: "response",
    retry: "quota",
    hint: "wait until the quota resets, or ask your Adobe account manager to raise it; every integration on the instance shares it",
    source: "DOC-ERR, RUDDER",
  },
  "608": {
    message: "API Temporarily Unavailable",
    kind: "response",
    retry: "transient",
    uncounted: true,
    hint: "Marketo's API is temporarily unavailable; try again later",
    source: "DOC-ERR, PY, RUDDER",
  },
  "609": { message: "Invalid JSON", kind: "response", retry: "fatal", hint: MALFORMED, source: "DOC-ERR" },
  "610": {
    message: "Requested resource not found",
    kind: "response",
    retry: "fatal",
    hint: "Marketo does not know this URL: check that the base URL is the REST host root such as https://123-ABC-456.mktorest.com; otherwise report it as a bug",
    source: "DOC-ERR",
  },
  // RUDDER retries it, PY gives up. An unhandled exception can be transient or can recur for the same
  // payload every time, so a couple of retries, not the full budget.
  "611": {
    message: "System error",
    kind: "response",
    retry: "transient",
    maxRetries: 2,
    uncounted: true,
    hint: "Marketo hit an internal error; try again later, and report it to Adobe support with the requestId if it persists",
    source: "DOC-ERR, RUDDER, PY",
  },
  "612": {
    message: "Invalid Content Type",
    kind: "response",
    retry: "fatal",
    hint: MALFORMED,
    source: "DOC-ERR",
  },
  "613": { message: "Invalid Multipart Request", kind: "response", retry: "fatal", source: "DOC-ERR" },
  // "Usually temporary" (INF): a couple of retries, then the error.
  "614": {
    message: "Invalid Subscription",
    kind: "response",
    retry: "transient",
    maxRetries: 2,
    hint: "Marketo could not reach the subscription, usually for a short while; try again later",
    source: "DOC-ERR (INF for retrying)",
  },
  "615": {
    message: concurrencyMessage(MAX_CONCURRENT_REQUESTS),
    kind: "response",
    retry: "rejected",
    limit: "concurrency",
    hint: `every integration on this instance shares its ${MAX_CONCURRENT_REQUESTS} concurrent requests (other integrations, Terraform's parallel provisioners, another apply); try again later, or give this client a smaller share with budgetShare`,
    source: "DOC-BP, PY, RUDDER, ADF",
  },
  "616": { message: "Invalid subscription type", kind: "response", retry: "fatal", source: "DOC-ERR" },
  "701": { message: "Field cannot be blank", kind: "response", retry: "fatal", source: "DOC-ERR" },
  "702": {
    message: "No data found for a given search scenario",
    kind: "response",
    retry: "fatal",
    source: "DOC-ERR",
  },
  "703": {
    message: "The feature is not enabled for the subscription",
    kind: "response",
    retry: "fatal",
    source: "DOC-ERR",
  },
  "704": { message: "Invalid date format", kind: "response", retry: "fatal", source: "DOC-ERR" },
  "709": {
    message: "Business Rule Violation",
    kind: "response",
    retry: "fatal",
    hint: "Marketo refused the change under one of its rules; for approve, check that the type has a draft",
    source: "DOC-ERR",
  },
  "713": {
    message: "Transient Error",
    kind: "response",
    retry: "transient",
    hint: "Marketo reported a transient error; try again later",
    source: "DOC-ERR, PY, RUDDER",
  },
  "1001": { message: "Invalid value", kind: "record", retry: "fatal", source: "DOC-ERR" },
  "1002": {
    message: "Missing value for required parameter",
    kind: "record",
    retry: "fatal",
    source: "DOC-ERR",
  },
  "1003": { message: "Invalid data", kind: "record", retry: "fatal", source: "DOC-ERR" },
  "1004": {
    message: "Lead not found",
    kind: "record",
    retry: "fatal",
    hint: "check the leadId: Marketo has no lead with that id",
    source: "DOC-ERR, DOC-ACT",
  },
  "1006": {
    message: "Field not found",
    kind: "record",
    retry: "fatal",
    hint: "check the attribute apiNames against the type's declared attributes",
    source: "DOC-ERR",
  },
  "1013": {
    message: "Object not found",
    kind: "record",
    retry: "fatal",
    hint: "check the apiName: no such activity type or attribute exists on this instance (the list call shows them)",
    source: "DOC-ERR",
  },
  "1017": {
    message: "Object already exists",
    kind: "record",
    retry: "fatal",
    hint: "an object with this apiName already exists on the instance; describe it instead of creating it",
    source: "DOC-ERR",
  },
  "1022": {
    message: "Object in use",
    kind: "record",
    retry: "fatal",
    hint: "it is in use by a smart campaign or smart list; remove those references in Marketo first",
    source: "DOC-ERR",
  },
  "1027": {
    message: "Max Activity Type Limit Reached",
    kind: "record",
    retry: "fatal",
    hint: `the subscription has reached its custom activity type limit (usually ${DEFAULT_MAX_ACTIVITY_TYPES}): retire an unused type, or ask Adobe to raise the limit`,
    source: "DOC-ERR, DOC-ACT",
  },
  "1028": {
    message: "Max field limit reached",
    kind: "record",
    retry: "fatal",
    hint: `a custom activity type may have at most ${MAX_SECONDARY_ATTRIBUTES} secondary attributes; remove some`,
    source: "DOC-ERR, DOC-ACT",
  },
  "1049": { message: "Failed to Create Activity", kind: "record", retry: "fatal", source: "DOC-ERR" },
};

/** The facts of `code`, or undefined for a code this package does not know. */
export function codeFacts(code: string): MarketoCodeFacts | undefined {
  return Object.hasOwn(MARKETO_CODES, code) ? MARKETO_CODES[code] : undefined;
}

/** Marketo's message for `code`, or a generic one. */
export function messageForCode(code: string): string {
  return codeFacts(code)?.message ?? `Error ${code}`;
}

/** Whether calls answered with `code` stay out of the rate limit and the daily quota. */
export function isUncounted(code: string): boolean {
  return codeFacts(code)?.uncounted === true;
}

/** Adobe's page of Marketo's codes (DOC-ERR in docs/marketo-api.md section 0). */
const ERROR_CODES_PAGE =
  "https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes";

/**
 * The hint of the first code that has one; else, when a code is not in the table, a generic hint for
 * codes this version does not know (with the requestId for Adobe support); else undefined.
 */
export function hintForCodes(codes: readonly string[], requestId?: string): string | undefined {
  for (const code of codes) {
    const hint = codeFacts(code)?.hint;
    if (hint !== undefined) return hint;
  }
  // Codes as Marketo (or whatever answered) sent them, redacted by the caller: shown cut short.
  const unknown = codes
    .filter((code) => codeFacts(code) === undefined)
    .slice(0, 3)
    .map((code) => (code.length > 20 ? `${code.slice(0, 17)}...` : code));
  if (unknown.length === 0) return undefined;
  return `Marketo answered ${unknown.length === 1 ? "a code" : "codes"} this version of cdktf-marketo-activities does not know (${unknown.join(", ")}; the codes it knows are in docs/marketo-api.md 2.2 and 2.3), so it did not retry: look ${unknown.length === 1 ? "it" : "them"} up on ${ERROR_CODES_PAGE}, and if the call keeps failing, report it to Adobe support with ${
    requestId === undefined
      ? "the time of the call (Marketo sent no requestId)"
      : `the requestId ${requestId}`
  }`;
}

/** The instance's limit behind the first code that names one (606 `rate`, 615 `concurrency`). */
export function limitOfCodes(codes: readonly string[]): "rate" | "concurrency" | undefined {
  for (const code of codes) {
    const limit = codeFacts(code)?.limit;
    if (limit !== undefined) return limit;
  }
  return undefined;
}

/**
 * Whether Marketo's answer says the request was not carried out: it holds error codes, and every one
 * is a 6xx code. DOC-ERR states that 6xx answers mean the request failed entirely and was not executed
 * (docs/marketo-api.md 2.2), so such a call may be resent without doing anything twice, even
 * `addCustomActivities`. 7xx codes, 500 and 502 carry no such statement.
 */
export function answeredNotExecuted(codes: readonly string[]): boolean {
  return codes.length > 0 && codes.every((code) => /^6\d\d$/.test(code));
}

/** What the client does about one code: its class and its own retry cap. */
export interface CodePolicy {
  readonly kind: FailureKind;
  readonly maxRetries?: number;
}

const SEVERITY: readonly FailureKind[] = ["quota", "fatal", "reauth", "transient", "rejected"];

/** The policy of a response's codes: the most severe one wins (quota, fatal, reauth, transient, rejected). */
export function policyForCodes(codes: readonly string[]): CodePolicy & { code: string } {
  let best: (CodePolicy & { code: string }) | undefined;
  for (const code of codes) {
    const facts = codeFacts(code);
    const policy: CodePolicy & { code: string } =
      facts?.maxRetries === undefined
        ? { kind: facts?.retry ?? "fatal", code }
        : { kind: facts.retry, maxRetries: facts.maxRetries, code };
    if (best === undefined || SEVERITY.indexOf(policy.kind) < SEVERITY.indexOf(best.kind)) best = policy;
  }
  return best ?? { kind: "fatal", code: "" };
}
