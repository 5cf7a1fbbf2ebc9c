/**
 * What Marketo takes as an attribute value of each data type, as pure predicates. The typed activity
 * client builds its record schemas on them (src/activities/values.ts) and the emulator checks the
 * records it receives with them, so both follow one rule.
 *
 * The semantics follow Marketo's field types (DOC-FT, docs/marketo-api.md 5.1; applying them to
 * activity attributes is inferred): `date` is `YYYY-MM-DD`, `datetime` ISO 8601 in its W3C profile,
 * `integer` a 32-bit whole number, `float` and `currency` finite numbers. Values are JSON; Marketo
 * also takes numbers and booleans written as strings.
 */
import type { AttributeDataType } from "./limits.js";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):?(\d{2}))?)?$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The range of an `integer` attribute: a signed 32-bit number. */
export const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 } as const;

/** `YYYY-MM-DD` naming a real calendar day. */
export function isIsoDate(value: string): boolean {
  const match = DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An ISO 8601 (W3C profile) date or date-time, with an optional offset: `2026-01-15T12:00:00Z`. */
export function isIsoDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (match === null) return false;
  const [, day = "", hours, minutes, seconds, offsetHours, offsetMinutes] = match;
  if (!isIsoDate(day)) return false;
  const within = (part: string | undefined, max: number) => part === undefined || Number(part) <= max;
  return (
    within(hours, 23) &&
    within(minutes, 59) &&
    within(seconds, 59) &&
    within(offsetHours, 23) &&
    within(offsetMinutes, 59)
  );
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
