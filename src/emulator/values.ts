/**
 * Checks an activity record's attribute value against the attribute's data type, following the
 * general Marketo field semantics of DOC-FT (docs/marketo-api.md 5.1; applying them to activity attributes is
 * inferred). Values are JSON; numbers and booleans may also be sent as strings.
 */
import type { AttributeDataType } from "../schema/index.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** True when `value` is acceptable for `dataType`; `null` (no value) is always acceptable. */
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
        typeof number === "number" && Number.isInteger(number) && number >= INT32_MIN && number <= INT32_MAX
      );
    }
    case "float":
    case "currency": {
      const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      return typeof number === "number" && Number.isFinite(number);
    }
    case "date":
      return typeof value === "string" && isDate(value);
    case "datetime":
      return typeof value === "string" && isDateTime(value);
  }
}

/** `YYYY-MM-DD` naming a real calendar day. */
export function isDate(value: string): boolean {
  const match = DATE.exec(value);
  if (match === null) return false;
  const [, y, m, d] = match;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

/** ISO-8601 date or date-time (W3C profile), with an optional offset. */
export function isDateTime(value: string): boolean {
  if (!DATETIME.test(value)) return false;
  if (!isDate(value.slice(0, 10))) return false;
  return !Number.isNaN(Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value.replace(" ", "T")));
}

/** How a value is quoted in a 1001 message. */
export function showValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
