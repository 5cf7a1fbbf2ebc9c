/**
 * Marketo's error texts (DOC-ERR, summarised in docs/marketo-api.md 2.2 and 2.3) and the failure the emulator
 * raises internally; the router turns it into an HTTP 200 envelope with `success:false`.
 */
import type { MarketoCode } from "./options.js";

/** A failure that becomes `{success:false, errors:[{code, message}]}`. */
export class ApiFailure extends Error {
  constructor(
    public readonly code: MarketoCode,
    message: string,
  ) {
    super(message);
    this.name = "ApiFailure";
  }
}

/** Marketo's message for a code, as DOC-ERR gives it (placeholders filled in generically). */
const MESSAGES: Readonly<Record<string, string>> = {
  "500": "Internal Server error",
  "502": "Bad Gateway",
  "601": "Access token invalid",
  "602": "Access token expired",
  "603": "Access denied",
  "604": "Request time-out",
  "605": "HTTP Method not supported",
  "607": "Daily quota reached",
  "608": "API Temporarily Unavailable",
  "609": "Invalid JSON",
  "610": "Requested resource not found",
  "611": "System error",
  "612": "Invalid Content Type",
  "613": "Invalid Multipart Request",
  "614": "Invalid Subscription",
  "616": "Invalid subscription type",
  "701": "Field cannot be blank",
  "702": "No data found for a given search scenario",
  "703": "The feature is not enabled for the subscription",
  "704": "Invalid date format",
  "709": "Business Rule Violation",
  "713": "Transient Error",
  "1001": "Invalid value",
  "1002": "Missing value for required parameter",
  "1003": "Invalid data",
  "1004": "Lead not found",
  "1006": "Field not found",
  "1013": "Object not found",
  "1017": "Object already exists",
  "1022": "Object in use",
  "1027": "Max Activity Type Limit Reached",
  "1028": "Max field limit reached",
  "1049": "Failed to Create Activity",
};

/** Marketo's message for `code`, or a generic one. */
export function messageFor(code: MarketoCode): string {
  return MESSAGES[code] ?? `Error ${code}`;
}

/** `Max rate limit '100' exceeded with in '20' secs`, typo included (docs/marketo-api.md 2.2, quirk 8). */
export function rateLimitMessage(calls: number, windowMs: number): string {
  return `Max rate limit '${calls}' exceeded with in '${formatSeconds(windowMs)}' secs`;
}

/** `Concurrent access limit '10' reached` (ADF text, docs/marketo-api.md 2.2). */
export function concurrencyMessage(max: number): string {
  return `Concurrent access limit '${max}' reached`;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? String(seconds) : String(Number(seconds.toFixed(3)));
}

/** Codes whose calls do not count against the rate limit or the daily quota (DOC-ERR asterisk, docs/marketo-api.md 2.2). */
export const UNCOUNTED_CODES: ReadonlySet<string> = new Set(["601", "602", "604", "605", "608", "611"]);
