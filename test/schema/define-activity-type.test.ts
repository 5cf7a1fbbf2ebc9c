import { describe, expect, expectTypeOf, it } from "vitest";
import { type ActivityTypeInput, defineActivityType } from "../../src/schema/index.js";

describe("defineActivityType", () => {
  const webinar = defineActivityType({
    apiName: "webinarAttended",
    name: "Webinar Attended",
    triggerName: "Attends Webinar",
    filterName: "Attended Webinar",
    primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
    attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }],
  });

  it("returns its argument unchanged", () => {
    expect(webinar.attributes[0]).toStrictEqual({
      apiName: "minutesWatched",
      name: "Minutes Watched",
      dataType: "integer",
    });
  });

  it("keeps literal types, so a typed client can infer record shapes from a definition", () => {
    expectTypeOf(webinar.apiName).toEqualTypeOf<"webinarAttended">();
    expectTypeOf(webinar.attributes[0].apiName).toEqualTypeOf<"minutesWatched">();
    expectTypeOf(webinar.attributes[0].dataType).toEqualTypeOf<"integer">();
    expectTypeOf(webinar).toExtend<ActivityTypeInput>();
    // Checked by `tsc` in `npm test`: a dataType Marketo does not have is a compile error.
    const wrong = { ...webinar, attributes: [{ apiName: "x", name: "X", dataType: "number" as const }] };
    // @ts-expect-error "number" is not one of Marketo's 11 data types
    expectTypeOf(wrong).toExtend<ActivityTypeInput>();
  });
});
