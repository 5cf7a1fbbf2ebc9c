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

/** Longest namespace prefix Marketo recommends for LaunchPoint partners (docs/marketo-api.md 5.1). */
export const MAX_NAMESPACE_LENGTH = 16;

/** Letters and digits only, with at least one letter (docs/marketo-api.md 5.1: type apiName). */
export const API_NAME_PATTERN = /^(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]+$/;

/** Letters, digits, spaces and underscores, with at least one letter (docs/marketo-api.md 5.1: display name). */
export const DISPLAY_NAME_PATTERN = /^(?=.*[A-Za-z])[A-Za-z0-9 _]+$/;

/** Environment variable prefix: upper-case letters, digits and underscores, starting with a letter. */
export const ENV_PREFIX_PATTERN = /^[A-Z][A-Z0-9_]*$/;

/** The default environment variable prefix (MARKETO_BASE_URL, MARKETO_CLIENT_ID, ...). */
export const DEFAULT_ENV_PREFIX = "MARKETO";
