/**
 * What Marketo takes as an attribute value of each data type, as pure predicates. The typed activity
 * client builds its record schemas on them (src/activities/values.ts) and the emulator checks the
 * records it receives with them, so both follow one rule.
 *
 * The semantics follow Marketo's field types (DOC-FT, docs/marketo-api.md 5.1; applying them to
 * activity attributes is inferred): `date` is `YYYY-MM-DD`, `datetime` the form DOC-FT documents,
 * `YYYY-MM-DDThh:mm:ssTZD` "where TZD is +hh:mm or -hh:mm" (a W3C profile of ISO 8601, whose TZD is
 * also `Z`), `integer` a 32-bit whole number, `float` and `currency` finite numbers. Values are JSON;
 * Marketo also takes numbers and booleans written as strings.
 *
 * Date-times follow that documented form strictly: a date-only string, one without seconds or without
 * an offset, a space instead of `T`, or an offset without its colon (`+0530`, the form Marketo's
 * export files write, not the one it documents for input) is refused. Marketo may read such a string
 * in a time zone of its choosing or skip the record (1001), so it is refused before sending.
 */
import type { AttributeDataType } from "./limits.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/**
 * A reading looser than Marketo's form, so that a string that fails can be told what is wrong with
 * it: a space for `T`, no seconds, no offset, an offset without a colon or without minutes.
 */
const LOOSE_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:(Z)|([+-])(\d{2})(:?)(\d{2})?)?)?$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The range of an `integer` attribute: a signed 32-bit number. */
export const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/** Marketo's date-time form (DOC-FT, docs/marketo-api.md 5.1), as messages show it. */
export const DATE_TIME_FORM = "YYYY-MM-DDThh:mm:ss with Z, +hh:mm or -hh:mm";

/** Marketo's date form (DOC-FT, docs/marketo-api.md 5.1), as messages show it. */
export const DATE_FORM = "YYYY-MM-DD";

/** Whether the year, month and day name a day of the proleptic Gregorian calendar (years 0 to 9999). */
function isRealDay(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0 to 99 as written
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** `YYYY-MM-DD` naming a real calendar day. */
export function isIsoDate(value: string): boolean {
  return dateProblem(value) === undefined;
}

/**
 * Why `value` is not a `date` value, as a clause for messages (`it has a time as well`), or
 * `undefined` when it is one: `YYYY-MM-DD` naming a real calendar day.
 */
export function dateProblem(value: string): string | undefined {
  const match = DATE.exec(value);
  if (match === null)
    return /^\d{4}-\d{2}-\d{2}[T ]/.test(value) ? "it has a time as well" : "it is not in that form";
  return isRealDay(Number(match[1]), Number(match[2]), Number(match[3]))
    ? undefined
    : "that day does not exist";
}

/**
 * A date-time in the form Marketo documents (DOC-FT, docs/marketo-api.md 5.1): `YYYY-MM-DDThh:mm:ss`,
 * an optional decimal fraction of a second, then `Z` or `+hh:mm`/`-hh:mm`, naming a real instant:
 * `2026-01-15T12:00:00Z`, `2016-09-26T06:56:35+07:00`, `2026-01-15T12:00:00.250-05:00`.
 */
export function isIsoDateTime(value: string): boolean {
  return dateTimeProblem(value) === undefined;
}

/**
 * Why `value` is not a date-time in Marketo's form, as a clause for messages (`it has no seconds and
 * no offset`), or `undefined` when it is one (see `isIsoDateTime`).
 */
export function dateTimeProblem(value: string): string | undefined {
  const match = LOOSE_DATE_TIME.exec(value);
  if (match === null) return "it is not in that form";
  const [
    ,
    year,
    month,
    day,
    separator,
    hours,
    minutes,
    seconds,
    zulu,
    sign,
    offsetHours,
    colon,
    offsetMinutes,
  ] = match;
  const realDay = isRealDay(Number(year), Number(month), Number(day));
  if (separator === undefined)
    return realDay
      ? "it is a date without a time"
      : "it is a date without a time, and that day does not exist";
  const problems: string[] = [];
  if (!realDay) problems.push("a day that does not exist");
  if (separator === " ") problems.push('a space instead of "T"');
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds ?? 0) > 59)
    problems.push("a time that does not exist");
  if (seconds === undefined) problems.push("no seconds");
  if (zulu === undefined && sign === undefined) problems.push("no offset");
  if (sign !== undefined) {
    if (offsetMinutes === undefined)
      problems.push(`an offset without minutes (write ${sign}${offsetHours}:00)`);
    else if (colon === "")
      problems.push(`an offset without a colon (write ${sign}${offsetHours}:${offsetMinutes})`);
    if (Number(offsetHours) > 23 || Number(offsetMinutes ?? 0) > 59) problems.push("an offset out of range");
  }
  return problems.length === 0 ? undefined : `it has ${listed(problems)}`;
}

/** True when Marketo takes the JSON `value` for an attribute of `dataType`; `null` (no value) always fits. */
export function valueFits(dataType: AttributeDataType, value: unknown): boolean {
  if (value === null) return true;
  switch (dataType) {
    case "string":
    case "text":
    case "phone":
    case "link":
      return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
    case "email":
      return typeof value === "string" && EMAIL.test(value);
    case "boolean":
      return typeof value === "boolean" || (typeof value === "string" && /^(true|false)$/i.test(value));
    case "integer": {
      const number = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
      return (
        typeof number === "number" && Number.isInteger(number) && number >= INT32.min && number <= INT32.max
      );
    }
    case "float":
    case "currency": {
      const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      return typeof number === "number" && Number.isFinite(number);
    }
    case "date":
      return typeof value === "string" && isIsoDate(value);
    case "datetime":
      return typeof value === "string" && isIsoDateTime(value);
  }
}
