/**
 * Errors raised by the Marketo REST client, and the redaction that keeps secrets out of them.
 *
 * Every class extends `MarketoActivitiesError`, so the CLI prints `message` and `hint` without a stack
 * trace. No error built here holds a token, the client secret, a credential-bearing URL, a `Response`
 * object or a raw `fetch` error: the client hands them strings it has already passed through a
 * `Redactor`, and network failures keep only the error's `name` and `code`.
 *
 * Code meanings follow Adobe's error-code page, summarised in docs/marketo-api.md section 2.2:
 * https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/error-codes
 */
import { MarketoActivitiesError } from "../schema/errors.js";
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

/** What the user can do about a Marketo code, where there is something to do. */
const CODE_HINTS: Readonly<Record<string, string>> = {
  "601":
    "Check that the base URL and the client credentials belong to the same Marketo instance; if they do, the LaunchPoint service may have been deactivated.",
  "602":
    "Check that this machine's clock is correct; if it is, Marketo keeps expiring the token early: try again later.",
  "603":
    "The API user's role lacks a permission this call needs (Read-Only or Read-Write Activity Metadata to read or change types, Read-Write Activity to add records), or an IP allowlist blocks this machine: check Admin > Users & Roles and Admin > Web Services.",
  "604": "Marketo timed out or hit database contention; try again later.",
  "605":
    "This request was malformed, which is a bug in cdktf-marketo-activities: please report it with the requestId.",
  "606":
    "Other integrations are using this instance's 100 calls per 20 seconds; try again later, or lower rateLimit so that this tool leaves room for them.",
  "608": "Marketo's API is temporarily unavailable; try again later.",
  "609":
    "This request was malformed, which is a bug in cdktf-marketo-activities: please report it with the requestId.",
  "610":
    "Marketo does not know this URL: check that the base URL is the REST host root such as https://123-ABC-456.mktorest.com; otherwise report it as a bug.",
  "611":
    "Marketo hit an internal error; try again later, and report it to Adobe support with the requestId if it persists.",
  "612":
    "This request was malformed, which is a bug in cdktf-marketo-activities: please report it with the requestId.",
  "614": "Marketo could not reach the subscription, usually for a short while; try again later.",
  "615":
    "Other integrations keep this instance's 10 concurrent requests busy; try again later, or lower maxConcurrency.",
  "709": "Marketo refused the change under one of its rules; for approve, check that the type has a draft.",
  "713": "Marketo reported a transient error; try again later.",
  "1004": "Check the leadId: Marketo has no lead with that id.",
  "1006": "Check the attribute apiNames against the type's declared attributes.",
  "1013":
    "Check the apiName: no such activity type or attribute exists on this instance (the list call shows them).",
  "1017": "An object with this apiName already exists on the instance; describe it instead of creating it.",
  "1022": "It is in use by a smart campaign or smart list; remove those references in Marketo first.",
  "1027":
    "The subscription has reached its custom activity type limit (usually 10): retire an unused type, or ask Adobe to raise the limit.",
  "1028": "A custom activity type may have at most 20 secondary attributes; remove some.",
};

/** The hint for the first code that has one. */
export function hintForCodes(codes: readonly string[]): string | undefined {
  for (const code of codes) {
    const hint = CODE_HINTS[code];
    if (hint !== undefined) return hint;
  }
  return undefined;
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
        ? "no error code given"
        : details.errors.map((e) => (e.message === "" ? e.code : `${e.code} ${e.message}`)).join("; ");
    super(
      code,
      message ??
        `Marketo rejected ${details.operation}${subjectOf(details)}: ${summary}${afterAttempts(details.attempts)}`,
      { hint: details.hint ?? hintForCodes(details.errors.map((e) => e.code)) },
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
        hint: "Wait until the quota resets, or ask your Adobe account manager to raise it; every integration on the instance shares it.",
      },
      `Marketo's daily API quota for this instance is used up (607 Daily quota reached), so ${details.operation}${subjectOf(details)} was not carried out. It resets at midnight US Central time, ${resetAt}.`,
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
 * a connection lost after sending, a 5xx, or 604/608/611/614/713). Activity records are write-once and
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
      `Marketo may or may not have added the ${records} of this batch: ${context.operation} failed after the request was sent (${context.reason}). They were not sent again, to avoid duplicates.`,
      {
        cause,
        hint: "Check the leads' activity logs in Marketo before sending these records again: activity records cannot be updated or deleted through the API.",
      },
    );
    this.operation = context.operation;
    this.recordCount = context.recordCount;
    this.reason = context.reason;
  }
}

/** Environment variable names for the instance's URL and credentials, for messages. */
export interface CredentialNames {
  /** e.g. `MARKETO_BASE_URL` */
  readonly baseUrl: string;
  /** e.g. `MARKETO_MUNCHKIN_ID` */
  readonly munchkinId: string;
  /** e.g. `MARKETO_CLIENT_ID` */
  readonly clientId: string;
  /** e.g. `MARKETO_CLIENT_SECRET` */
  readonly clientSecret: string;
}

/** The variable names for a prefix such as `MARKETO` or `MARKETO_PROD`. */
export function credentialNames(prefix: string): CredentialNames {
  return {
    baseUrl: `${prefix}_BASE_URL`,
    munchkinId: `${prefix}_MUNCHKIN_ID`,
    clientId: `${prefix}_CLIENT_ID`,
    clientSecret: `${prefix}_CLIENT_SECRET`,
  };
}

/**
 * Required environment variables are not set (or are empty). The message names every missing variable
 * at once and shows how to set them; it never shows a value.
 */
export class MissingCredentialsError extends MarketoActivitiesError {
  /** The environment variable prefix, e.g. `MARKETO`. */
  public readonly prefix: string;
  /** The missing variables, e.g. `["MARKETO_CLIENT_ID", "MARKETO_CLIENT_SECRET"]`. */
  public readonly missing: readonly string[];

  /** @param missing names of the missing variables; `<prefix>_BASE_URL` stands for "URL or Munchkin id" */
  constructor(prefix: string, missing: readonly string[]) {
    const names = credentialNames(prefix);
    const examples: Record<string, string> = {
      [names.baseUrl]: `export ${names.baseUrl}=https://123-ABC-456.mktorest.com   # or: export ${names.munchkinId}=123-ABC-456`,
      [names.clientId]: `export ${names.clientId}=<Client ID>`,
      [names.clientSecret]: `export ${names.clientSecret}=<Client Secret>`,
    };
    const label = (name: string) => (name === names.baseUrl ? `${name} (or ${names.munchkinId})` : name);
    const lines = [
      `Marketo connection settings for envPrefix ${prefix} are missing: ${missing.map(label).join(", ")} ${missing.length === 1 ? "is" : "are"} not set.`,
      "Set them in the environment, for example:",
      ...missing.map((name) => `  ${examples[name] ?? `export ${name}=...`}`),
      "The REST endpoint is under Admin > Integration > Web Services; the Client ID and Secret under Admin > Integration > LaunchPoint > View Details.",
    ];
    super("MissingCredentials", lines.join("\n"), {
      hint: `Export the variables above, or try it locally: \`marketo-activities emulator\` in the app directory (or \`marketo-activities emulator --env-prefix ${prefix}\` anywhere) prints \`export ${names.baseUrl}=... ${names.clientId}=... ${names.clientSecret}=...\` for a local emulator.`,
    });
    this.prefix = prefix;
    this.missing = missing;
  }
}

/** The client was configured with a value it cannot use (a base URL that is not an http(s) URL, ...). */
export class MarketoConfigError extends MarketoActivitiesError {
  /** The option or environment variable at fault, e.g. `MARKETO_BASE_URL` or `baseUrl`. */
  public readonly setting: string;

  /** @param message already free of secrets */
  constructor(setting: string, message: string, hint: string) {
    super("MarketoConfig", message, { hint });
    this.setting = setting;
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

const REDACTED = "[REDACTED]";

/**
 * Removes secrets from text that may end up in an error or event: every registered secret (the client
 * secret and every token seen), plus anything that looks like one (`access_token=...`,
 * `client_secret=...`, `"access_token": "..."`, `Bearer ...`). Secrets sit in a private field so that
 * neither `util.inspect` nor `JSON.stringify` of the holder shows them.
 */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a value to remove wherever it appears. Values shorter than 4 characters are ignored. */
  public add(secret: string): void {
    if (secret.length >= 4) this.#secrets.add(secret);
  }

  /** The text with every secret replaced by `[REDACTED]`. */
  public redact(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.split(secret).join(REDACTED);
    return out
      .replace(/((?:access_token|client_secret|refresh_token)=)[^&\s"']*/gi, `$1${REDACTED}`)
      .replace(/("(?:access_token|client_secret|refresh_token)"\s*:\s*")[^"]*"/gi, `$1${REDACTED}"`)
      .replace(/(Bearer\s+)[^\s"',]+/gi, `$1${REDACTED}`);
  }

  /** The redacted text cut to `max` characters (with an ellipsis when cut). */
  public excerpt(text: string, max = 200): string {
    const flat = this.redact(text).replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  }

  /** Keeps the holder's `JSON.stringify` free of the secret list. */
  public toJSON(): string {
    return "Redactor";
  }
}

const CHICAGO = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Chicago",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function chicagoParts(ms: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
} {
  const parts: Record<string, number> = {};
  for (const part of CHICAGO.formatToParts(new Date(ms))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts["year"] ?? 0,
    month: parts["month"] ?? 1,
    day: parts["day"] ?? 1,
    hour: parts["hour"] ?? 0,
    minute: parts["minute"] ?? 0,
  };
}

/**
 * The next time Marketo's daily quota resets after `nowMs`: midnight in US Central time
 * (America/Chicago, so 06:00Z in winter and 05:00Z in summer), as an ISO 8601 UTC string.
 * Source: docs/marketo-api.md section 3 ("resets daily at 12:00 AM CST"; DOC-REST, DOC-BP, DOC-ERR).
 */
export function nextQuotaReset(nowMs: number): string {
  const today = chicagoParts(nowMs);
  // Midnight of the next Chicago calendar day is 05:00Z (CDT) or 06:00Z (CST) of that date; DST switches at
  // 02:00 local, so midnight is never skipped or repeated. Pick the candidate that is midnight in Chicago.
  const nextDayUtc = Date.UTC(today.year, today.month - 1, today.day + 1);
  for (const offsetHours of [5, 6]) {
    const candidate = nextDayUtc + offsetHours * 3_600_000;
    const local = chicagoParts(candidate);
    if (local.hour === 0 && local.minute === 0 && candidate > nowMs) return new Date(candidate).toISOString();
  }
  return new Date(nextDayUtc + 6 * 3_600_000).toISOString();
}
