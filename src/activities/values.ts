/**
 * What an activity record may hold for each of Marketo's attribute data types, and how it is sent.
 *
 * `VALUE_SCHEMAS` is the one table: the runtime check and the wire value come from its zod schemas,
 * and the TypeScript value types (`AttributeValue`) are derived from the same schemas with
 * `z.input`, so the compile-time and run-time rules cannot drift apart. The table is keyed by
 * `AttributeDataType` (src/schema's `DATA_TYPES`), so a data type added there is a compile error
 * here until it has a rule.
 *
 * Value semantics follow docs/marketo-api.md 5.1 (DOC-FT); the date rules are src/schema/values.ts, which
 * the emulator checks records with too: a `date` string is `YYYY-MM-DD`, a `datetime` string (and
 * `activityDate`) `YYYY-MM-DDThh:mm:ss` with `Z` or `±hh:mm`, as Marketo documents it; anything looser
 * is refused before sending, with what is wrong with it. Lengths (255 characters for `string`, about 30,000 bytes for
 * `text`) and number ranges are not documented for activity attributes, so they are left to Marketo,
 * which skips an offending record on its own (1001) rather than failing the batch.
 */
import { z } from "zod";
import { type AttributeDataType, rule } from "../schema/index.js";
import { DATE_FORM, DATE_TIME_FORM, dateProblem, dateTimeProblem } from "../schema/values.js";

/** The error of a value that is missing or of the wrong kind. */
function wrongValue(allowed: string, fix: string) {
  return (issue: { input?: unknown }) =>
    issue.input === undefined
      ? rule(`is required and ${allowed}`, fix)
      : issue.input instanceof Date && Number.isNaN(issue.input.getTime())
        ? rule(`is an invalid Date (its time is NaN); it ${allowed}`, fix)
        : rule(allowed, fix);
}

/** ` (attribute "minutesWatched" has dataType "integer")`: why a value must have its kind. */
type Why = string;

function text(why: Why) {
  return z.string({ error: wrongValue(`must be a string${why}`, "pass a string") });
}

function number(why: Why) {
  return z.number({ error: wrongValue(`must be a finite number${why}`, "pass a number such as 9.5") });
}

/**
 * How a `date` and a `datetime` value may be written (docs/marketo-api.md 5.1, DOC-FT): the form in
 * messages, the fix, the check of a string (`undefined` or what is wrong, from src/schema/values.ts)
 * and how a `Date` is sent.
 */
const TEMPORAL = {
  date: {
    allowed: `must be a Date or a string in Marketo's date format ${DATE_FORM}`,
    fix: 'pass a Date (sent as its UTC day) or a string such as "2026-01-15"',
    problem: dateProblem,
    /** The UTC calendar day. */
    send: (value: Date) => value.toISOString().slice(0, 10),
  },
  datetime: {
    allowed: `must be a Date or a string in Marketo's date-time format ${DATE_TIME_FORM}`,
    fix: 'pass a Date, or a string with seconds and an offset such as "2026-01-15T12:00:00Z" or "2026-01-15T12:00:00-05:00"',
    problem: dateTimeProblem,
    /** ISO 8601 in UTC, `2026-01-15T12:00:00.000Z`. */
    send: (value: Date) => value.toISOString(),
  },
} as const;

/**
 * A `Date` or a string in Marketo's form for `kind`, sent as a string. A string is sent as written
 * once it passes; a string that does not is refused with what is wrong with it (`it has no seconds
 * and no offset`). A `Date` must be valid and within the years 0 to 9999, which the form can write.
 */
function temporal(why: Why, kind: "date" | "datetime") {
  const { allowed, fix, problem, send } = TEMPORAL[kind];
  return z
    .union([z.date(), z.string()], { error: wrongValue(`${allowed}${why}`, fix) })
    .transform((value, ctx) => {
      if (value instanceof Date) {
        const sent = send(value);
        if (problem(sent) === undefined) return sent;
        ctx.addIssue({
          code: "custom",
          input: value,
          message: rule(
            `is a Date in the year ${value.getUTCFullYear()}; Marketo's format writes years 0000 to 9999${why}`,
            fix,
          ),
        });
        return z.NEVER;
      }
      const wrong = problem(value);
      if (wrong === undefined) return value;
      ctx.addIssue({ code: "custom", input: value, message: rule(`${allowed}${why}; ${wrong}`, fix) });
      return z.NEVER;
    });
}

/**
 * For each data type: the schema of a record value, given the reason for messages (such as
 * ` (attribute "minutesWatched" has dataType "integer")`). Each schema's input type is what a record
 * may hold; its output is the JSON value sent to Marketo.
 */
export const VALUE_SCHEMAS = {
  string: text,
  text,
  link: text,
  email: text,
  phone: text,
  integer: (why: Why) => {
    const message = wrongValue(
      `must be a whole number${why}`,
      "pass a number without a fraction, such as 42",
    );
    return z.number({ error: message }).int({ error: message });
  },
  float: number,
  currency: number,
  boolean: (why: Why) =>
    z.boolean({ error: wrongValue(`must be true or false${why}`, "pass true or false") }),
  date: (why: Why) => temporal(why, "date"),
  datetime: (why: Why) => temporal(why, "datetime"),
} as const satisfies Record<AttributeDataType, (why: Why) => z.ZodType<string | number | boolean>>;

/**
 * The TypeScript type of a record value for a data type: `number` for integer, float and currency,
 * `boolean` for boolean, `Date | string` for date and datetime, `string` for the rest.
 */
export type AttributeValue<T extends AttributeDataType> = z.input<ReturnType<(typeof VALUE_SCHEMAS)[T]>>;

/** The schema of a value of `dataType` for the attribute `subject` (e.g. `attribute "minutesWatched"`). */
export function valueSchema(
  dataType: AttributeDataType,
  subject: string,
): z.ZodType<string | number | boolean, unknown> {
  return VALUE_SCHEMAS[dataType](` (${subject} has dataType "${dataType}")`);
}

/** The wire form of the primary attribute's value: Marketo takes it as a string (docs/marketo-api.md 4.1). */
export function primaryWireValue(value: string | number | boolean): string {
  return typeof value === "string" ? value : String(value);
}

/**
 * The schema of `activityDate`: a `Date` or a string in Marketo's date-time form (seconds and an
 * offset required; docs/marketo-api.md 4.2 L and 5.1), sent as a string.
 */
export function activityDateSchema() {
  return temporal(" (when the activity happened)", "datetime");
}
