/**
 * Marketo's documented limits and naming rules for custom activity types, each with its source.
 * Sources are the Adobe developer docs summarised in docs/marketo-api.md.
 */

/**
 * The attribute data types Marketo accepts for custom activity attributes.
 * @see https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/lead-database/activities (docs/marketo-api.md 5.1, C2)
 */
export const DATA_TYPES = [
  "string",
  "boolean",
  "integer",
  "float",
  "link",
  "email",
  "currency",
  "date",
  "datetime",
  "phone",
  "text",
] as const;

/** One of Marketo's eleven attribute data types. */
export type AttributeDataType = (typeof DATA_TYPES)[number];

/** Secondary attributes per type; the primary attribute is separate (docs/marketo-api.md 5.1, code 1028). */
export const MAX_SECONDARY_ATTRIBUTES = 20;

/** Custom activity types per subscription on most plans; more can be bought (docs/marketo-api.md 5.1, code 1027). */
export const DEFAULT_MAX_ACTIVITY_TYPES = 10;

/** Longest type apiName Marketo accepts (docs/marketo-api.md 5.1, C2). */
export const MAX_API_NAME_LENGTH = 255;

/** Letters and digits only, with at least one letter (docs/marketo-api.md 5.1: type apiName). */
export const API_NAME_PATTERN = /^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]+$/;

/**
 * A display name: letters and digits of any script (with their combining marks), spaces and
 * underscores, with at least one letter. Marketo documents "alphanumeric" without saying whether
 * that includes letters outside ASCII (docs/marketo-api.md 5.1 and 8), so both readings are written
 * here: this one is accepted, and `plan` notes names outside the ASCII one as unconfirmed.
 */
export const DISPLAY_NAME_PATTERN = /^(?=.*\p{L})[\p{L}\p{M}\p{N} _]+$/u;

/** The narrow reading of a display name: ASCII letters, digits, spaces and underscores, at least one letter. */
export const ASCII_DISPLAY_NAME_PATTERN = /^(?=.*[A-Za-z])[A-Za-z0-9 _]+$/;

/** Environment variable prefix: upper-case letters, digits and underscores, starting with a letter. */
export const ENV_PREFIX_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/** The default environment variable prefix (MARKETO_BASE_URL, MARKETO_CLIENT_ID, ...). */
export const DEFAULT_ENV_PREFIX = "MARKETO";

// ---- Calls and requests (docs/marketo-api.md section 3) ----

/** Marketo's rate limit per instance: at most 100 calls in any rolling 20 s, shared by every integration (606). */
export const MARKETO_RATE_LIMIT = { calls: 100, windowMs: 20_000 } as const;

/** Requests in flight per instance, shared by every integration (615). */
export const MAX_CONCURRENT_REQUESTS = 10;

/**
 * The environment variable after an instance's envPrefix (`MARKETO_BUDGET_SHARE`) that gives one process
 * a share of the two limits above, greater than 0 and at most 1 (docs/client.md, Limits).
 */
export const BUDGET_SHARE_VARIABLE_SUFFIX = "_BUDGET_SHARE";

/**
 * How many operations, provisioners included, Terraform runs at once unless told otherwise
 * (`terraform apply -parallelism=n`, `cdktf deploy --terraform-parallelism n`).
 */
export const TERRAFORM_DEFAULT_PARALLELISM = 10;

/** Calls a day on most subscriptions; the count resets at 12:00 AM US Central time (607). */
export const DAILY_QUOTA = 50_000;

/**
 * Marketo's own timeout of the activities endpoints (DOC-ACT "Timeouts"): Marketo stops working on a
 * call after this long and answers 604. A Marketo fact, not the client's timeout: the client waits
 * longer (src/marketo/options.ts), so that it reads that 604 instead of giving up just before it.
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Marketo's own timeout of Add Custom Activities (DOC-ACT "Timeouts"); see `REQUEST_TIMEOUT_MS`. */
export const ADD_CUSTOM_ACTIVITIES_TIMEOUT_MS = 90_000;

/** Most records Add Custom Activities takes per call (docs/marketo-api.md section 3 and 4.2 L). */
export const MAX_ACTIVITIES_PER_CALL = 300;

/**
 * Marketo answers HTTP 413 to a request body over "1 MB" (docs/marketo-api.md 2.1 and section 3),
 * without saying which megabyte. `MAX_REQUEST_BYTES` is the decimal one: the client builds no larger
 * body, so it stays under either reading. `MAX_REQUEST_BYTES_ACCEPTED` is the binary one: what the
 * emulator takes.
 */
export const MAX_REQUEST_BYTES = 1_000_000;

/** The binary reading of Marketo's "1 MB" request limit; see `MAX_REQUEST_BYTES`. */
export const MAX_REQUEST_BYTES_ACCEPTED = 1024 * 1024;

/** Marketo answers HTTP 414 to a URI over 8 KB (docs/marketo-api.md 2.1 and section 3). */
export const MAX_URI_BYTES = 8 * 1024;

/** Most bytes of secondary attribute values (as JSON) one activity record may hold (code 1049, docs/marketo-api.md 2.3). */
export const MAX_ATTRIBUTE_VALUES_BYTES = 65_536;

/** A number as the docs write it, with thousands separators: `65,536`. */
export function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}
