/**
 * Activity records typed from a definition (`ActivityRecord<D>`), and their runtime check and wire
 * form, built from the same definition (`recordSchema`).
 */
import { z } from "zod";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  type AttributeDataType,
  formatCount,
  MAX_ATTRIBUTE_VALUES_BYTES,
  MAX_REQUEST_BYTES,
  rule,
  toIssues,
  type ValidationIssue,
} from "../schema/index.js";
import { INT32 } from "../schema/values.js";
import { type AttributeValue, activityDateSchema, primaryWireValue, valueSchema } from "./values.js";

/** The data type of an attribute as written in a definition; the primary's defaults to `string`. */
type DataTypeOf<A> = A extends { readonly dataType: infer T extends AttributeDataType }
  ? T
  : A extends { readonly dataType?: infer T }
    ? Extract<T, AttributeDataType> | "string"
    : "string";

/** The secondary attributes of a definition, as a union of their literal types. */
type SecondaryOf<D> = D extends { readonly attributes?: infer L }
  ? L extends readonly (infer A)[]
    ? A
    : never
  : never;

/** The value type of the primary attribute of `D`. */
export type PrimaryValueOf<D extends ActivityTypeInput> = AttributeValue<DataTypeOf<D["primaryAttribute"]>>;

/**
 * The `attributes` of a record of `D`: each secondary attribute's apiName, optional, with the value
 * type of its dataType. Any other key is a compile error (in an object literal, as TypeScript checks
 * excess properties) and a runtime error.
 */
export type AttributeValuesOf<D extends ActivityTypeInput> = [SecondaryOf<D>] extends [never]
  ? { readonly [apiName: string]: never }
  : {
      readonly [A in SecondaryOf<D> as A extends { readonly apiName: infer K extends string }
        ? K
        : never]?: AttributeValue<DataTypeOf<A>>;
    };

/**
 * One activity record of the type `D` (a `defineActivityType(...)` definition):
 *
 * ```ts
 * const webinar = defineActivityType({ ..., primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
 *   attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }] });
 * const record: ActivityRecord<typeof webinar> = {
 *   leadId: 42, activityDate: new Date(), primaryAttributeValue: "Intro to IaC",
 *   attributes: { minutesWatched: 37 },
 * };
 * ```
 *
 * Value types by dataType: integer, float, currency `number`; boolean `boolean`; date and datetime
 * `Date | string` (a `date` string is `YYYY-MM-DD`, and a `Date` is sent as its UTC day; a `datetime`
 * string is `YYYY-MM-DDThh:mm:ss` with `Z` or `±hh:mm`, docs/marketo-api.md 5.1); string, text, link,
 * email, phone `string`.
 */
export interface ActivityRecord<D extends ActivityTypeInput> {
  /** The Marketo lead the activity belongs to. */
  readonly leadId: number;
  /**
   * When the activity happened: a `Date` (sent as ISO 8601 in UTC, `2026-01-15T12:00:00.000Z`) or a
   * string in Marketo's documented form `YYYY-MM-DDThh:mm:ssTZD`, seconds and offset included:
   * `"2026-01-15T12:00:00Z"`, `"2026-01-15T07:00:00-05:00"` (docs/marketo-api.md 5.1). A date-only
   * string, or one without seconds or an offset, is refused before sending.
   */
  readonly activityDate: Date | string;
  /** The value of the type's primary attribute (sent as a string, as Marketo takes it). */
  readonly primaryAttributeValue: PrimaryValueOf<D>;
  /** Values of the secondary attributes, by apiName; leave out the ones the activity does not have. */
  readonly attributes?: AttributeValuesOf<D>;
}

/** A record in Marketo's wire form, without the `activityTypeId` the client adds. */
export interface WireRecord {
  readonly leadId: number;
  readonly activityDate: string;
  readonly primaryAttributeValue: string;
  readonly attributes: readonly { readonly apiName: string; readonly value: string | number | boolean }[];
}

/** `{"input":[]}`: the request body around the records. */
export const ENVELOPE_BYTES = Buffer.byteLength('{"input":[]}');

const RECORD_KEYS = ["leadId", "activityDate", "primaryAttributeValue", "attributes"] as const;

function knownKeysError(what: string, allowed: readonly string[], fix: string, notObject: string) {
  return (issue: { code?: string; input?: unknown }) =>
    issue.code === "unrecognized_keys"
      ? rule(`is not ${what}; allowed: ${allowed.length === 0 ? "none" : allowed.join(", ")}`, fix)
      : rule(notObject, "pass an object");
}

/**
 * The zod schema of one record of `definition` (already parsed, so defaults are filled in). Its
 * output is the record's wire form: dates as ISO strings, the primary value as a string, attributes
 * as `{ apiName, value }` in the definition's order.
 */
export function recordSchema(definition: ActivityTypeDefinition): z.ZodType<WireRecord, unknown> {
  const type = `"${definition.apiName}"`;
  const primary = definition.primaryAttribute;
  const names = definition.attributes.map((a) => a.apiName);
  const attributeShape: Record<string, z.ZodType> = {};
  for (const attribute of definition.attributes) {
    attributeShape[attribute.apiName] = valueSchema(
      attribute.dataType,
      `attribute "${attribute.apiName}"`,
    ).optional();
  }
  const attributes = z.strictObject(attributeShape, {
    error: knownKeysError(
      `an attribute of ${type}`,
      names,
      "remove it, check the spelling, or declare the attribute in the definition and deploy it",
      `attributes must be an object of values by attribute apiName (${names.join(", ") || "none declared"})`,
    ),
  });
  return z
    .strictObject(
      {
        leadId: z
          .number({
            error: (issue) =>
              rule(
                issue.input === undefined
                  ? "leadId is required: the id of the Marketo lead"
                  : "leadId must be a number: the id of the Marketo lead",
                "pass the lead's numeric id, such as 42",
              ),
          })
          .int(rule("leadId must be a whole number", "pass the lead's numeric id, such as 42"))
          .positive(rule("leadId must be 1 or more", "pass the lead's numeric id, such as 42")),
        activityDate: activityDateSchema(),
        primaryAttributeValue: valueSchema(primary.dataType, `the primary attribute "${primary.apiName}"`),
        attributes: attributes.optional(),
      },
      {
        error: knownKeysError(
          "a field of an activity record",
          RECORD_KEYS,
          "remove it or check the spelling; attribute values go under attributes",
          "an activity record must be an object",
        ),
      },
    )
    .transform((record): WireRecord => {
      const values = (record.attributes ?? {}) as Record<string, string | number | boolean | undefined>;
      return {
        leadId: record.leadId,
        activityDate: record.activityDate,
        primaryAttributeValue: primaryWireValue(record.primaryAttributeValue),
        attributes: names.flatMap((apiName) => {
          const value = values[apiName];
          return value === undefined ? [] : [{ apiName, value }];
        }),
      };
    });
}

/** One problem in one record: `index` in the records passed to `send`, `path` such as `records[3].leadId`. */
export interface RecordIssue extends ValidationIssue {
  /** The record's index in the input. */
  readonly index: number;
}

/**
 * Checks every record, and that each fits in one request on its own; returns the wire forms, or
 * every problem of every record.
 */
export function checkRecords(
  schema: z.ZodType<WireRecord, unknown>,
  records: readonly unknown[],
): { ok: true; records: WireRecord[] } | { ok: false; issues: RecordIssue[] } {
  const wire: WireRecord[] = [];
  const issues: RecordIssue[] = [];
  records.forEach((record, index) => {
    const result = schema.safeParse(record);
    if (result.success) {
      // With the largest id a type can have (int32), so that the size holds whatever the type's id is.
      const bytes =
        ENVELOPE_BYTES + Buffer.byteLength(JSON.stringify({ ...result.data, activityTypeId: INT32.max }));
      if (bytes <= MAX_REQUEST_BYTES) wire.push(result.data);
      else
        issues.push({
          index,
          path: `records[${index}]`,
          message: `is ${bytes} bytes as JSON; Marketo takes at most ${MAX_REQUEST_BYTES} bytes per request (HTTP 413 above 1 MB)`,
          fix: `shorten its values (Marketo takes at most ${formatCount(MAX_ATTRIBUTE_VALUES_BYTES)} bytes of secondary attribute values per record, code 1049)`,
        });
      return;
    }
    for (const issue of toIssues(result.error, record, ["records", index])) {
      // JSON shows an invalid Date as null; name it instead.
      const invalidDate = issue.received instanceof Date && Number.isNaN(issue.received.getTime());
      issues.push(invalidDate ? { ...issue, index, received: "Invalid Date" } : { ...issue, index });
    }
  });
  return issues.length === 0 ? { ok: true, records: wire } : { ok: false, issues };
}
