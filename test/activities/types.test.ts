/**
 * Type-level tests of `ActivityRecord<D>` and `ActivityClient.send`: checked by
 * `tsc -p tsconfig.check.json` (every `@ts-expect-error` must meet an error, or tsc fails), and run
 * by vitest, where `expectTypeOf` is a no-op.
 */
import { describe, expectTypeOf, it } from "vitest";
import {
  ActivityClient,
  type ActivityRecord,
  type AttributeValue,
  MarketoClient,
  type SendResult,
} from "../../src/client.js";
import {
  type ActivityTypeInput,
  type AttributeDataType,
  defineActivityType,
} from "../../src/schema/index.js";
import { scoreChanged, webinar } from "./fixtures.js";

type WebinarRecord = ActivityRecord<typeof webinar>;

describe("ActivityRecord<D>", () => {
  it("maps every data type to its value type", () => {
    expectTypeOf<AttributeValue<"integer">>().toEqualTypeOf<number>();
    expectTypeOf<AttributeValue<"float">>().toEqualTypeOf<number>();
    expectTypeOf<AttributeValue<"currency">>().toEqualTypeOf<number>();
    expectTypeOf<AttributeValue<"boolean">>().toEqualTypeOf<boolean>();
    expectTypeOf<AttributeValue<"date">>().toEqualTypeOf<Date | string>();
    expectTypeOf<AttributeValue<"datetime">>().toEqualTypeOf<Date | string>();
    for (const _ of ["string", "text", "link", "email", "phone"] as const) {
      expectTypeOf<AttributeValue<typeof _>>().toEqualTypeOf<string>();
    }
    expectTypeOf<AttributeValue<AttributeDataType>>().toEqualTypeOf<string | number | boolean | Date>();
  });

  it("types the fields, the primary value and each attribute by apiName from the definition", () => {
    expectTypeOf<WebinarRecord["leadId"]>().toEqualTypeOf<number>();
    expectTypeOf<WebinarRecord["activityDate"]>().toEqualTypeOf<Date | string>();
    expectTypeOf<WebinarRecord["primaryAttributeValue"]>().toEqualTypeOf<string>();
    expectTypeOf<NonNullable<WebinarRecord["attributes"]>>().toEqualTypeOf<{
      readonly minutesWatched?: number;
      readonly rating?: number;
      readonly ticketPrice?: number;
      readonly askedQuestion?: boolean;
      readonly sessionDay?: Date | string;
      readonly joinedAt?: Date | string;
      readonly recordingUrl?: string;
      readonly hostEmail?: string;
      readonly hostPhone?: string;
      readonly notes?: string;
      readonly track?: string;
    }>();
    // The primary's dataType, when given, decides its value type (here written `as const`).
    expectTypeOf<ActivityRecord<typeof scoreChanged>["primaryAttributeValue"]>().toEqualTypeOf<number>();
  });

  it("accepts well-typed records and rejects unknown attributes, wrong value types and missing fields", () => {
    const ok: WebinarRecord = {
      leadId: 42,
      activityDate: new Date(),
      primaryAttributeValue: "Intro to IaC",
      attributes: { minutesWatched: 37, sessionDay: "2026-01-15", joinedAt: new Date(), askedQuestion: true },
    };
    const bare: WebinarRecord = {
      leadId: 1,
      activityDate: "2026-01-15T12:00:00Z",
      primaryAttributeValue: "x",
    };
    // @ts-expect-error "minutesWatchd" is not an attribute of webinarAttended
    const typo: WebinarRecord = { ...bare, attributes: { minutesWatchd: 37 } };
    // @ts-expect-error minutesWatched is an integer attribute, not a string
    const wrongType: WebinarRecord = { ...bare, attributes: { minutesWatched: "37" } };
    // @ts-expect-error askedQuestion is a boolean attribute
    const wrongBoolean: WebinarRecord = { ...bare, attributes: { askedQuestion: "yes" } };
    // @ts-expect-error the primary attribute webinarName is a string
    const wrongPrimary: WebinarRecord = { ...bare, primaryAttributeValue: 5 };
    // @ts-expect-error primaryAttributeValue is required
    const noPrimary: WebinarRecord = { leadId: 1, activityDate: "2026-01-15T12:00:00Z" };
    const extra: ActivityRecord<typeof scoreChanged> = {
      ...bare,
      primaryAttributeValue: 3,
      // @ts-expect-error a type without secondary attributes takes none
      attributes: { x: 1 },
    };
    const noAttributes: ActivityRecord<typeof scoreChanged> = {
      ...bare,
      primaryAttributeValue: 3,
      attributes: {},
    };
    expectTypeOf([
      ok,
      typo,
      wrongType,
      wrongBoolean,
      wrongPrimary,
      noPrimary,
      extra,
      noAttributes,
    ]).toBeArray();
  });

  it("still types records of a definition whose types were widened", () => {
    const wide: ActivityTypeInput = webinar;
    expectTypeOf<ActivityRecord<typeof wide>["primaryAttributeValue"]>().toEqualTypeOf<
      AttributeValue<AttributeDataType>
    >();
  });
});

describe("ActivityClient.send", () => {
  // Never called: only compiled. The client needs no connection to be constructed.
  const activities = new ActivityClient(
    new MarketoClient({
      baseUrl: "https://123-ABC-456.mktorest.com",
      clientId: "id",
      clientSecret: "secret",
    }),
  );
  const compileOnly = () => {
    const good = activities.send(webinar, [
      { leadId: 42, activityDate: new Date(), primaryAttributeValue: "x", attributes: { rating: 4.5 } },
    ]);
    expectTypeOf(good).resolves.toEqualTypeOf<SendResult>();
    activities.send(webinar, [
      // @ts-expect-error "ratting" is not an attribute of webinarAttended
      { leadId: 42, activityDate: new Date(), primaryAttributeValue: "x", attributes: { ratting: 4.5 } },
    ]);
    // @ts-expect-error the records' type comes from the definition, not from the records
    activities.send(scoreChanged, [{ leadId: 42, activityDate: new Date(), primaryAttributeValue: "x" }]);
    // An inline definition keeps its literal types too (the `const` type parameter).
    activities.send(
      {
        apiName: "inline",
        name: "Inline",
        triggerName: "Does Inline",
        filterName: "Did Inline",
        primaryAttribute: { apiName: "p", name: "P", dataType: "boolean" },
        attributes: [{ apiName: "n", name: "N", dataType: "float" }],
      },
      // @ts-expect-error "n" is a float attribute (the boolean primary takes true)
      [{ leadId: 1, activityDate: new Date(), primaryAttributeValue: true, attributes: { n: "1" } }],
    );
  };
  it("is typed from the definition (compile-time checks above)", () => {
    expectTypeOf(compileOnly).toBeFunction();
  });

  it("keeps definitions with literal types usable as ActivityTypeInput", () => {
    expectTypeOf(defineActivityType(webinar)).toEqualTypeOf<typeof webinar>();
  });
});
