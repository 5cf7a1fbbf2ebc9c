import { describe, expect, it } from "vitest";
import { diff } from "../../src/reconcile/index.js";
import {
  applyOnEmulator,
  approved,
  define,
  draftOnly,
  ENDPOINT,
  liveState,
  manifest,
  typePlan,
  versionOf,
} from "./helpers.js";

const primary = { apiName: "webinarName", name: "Webinar Name" } as const;

describe("the primary attribute's dataType on update", () => {
  it("sends dataType string when Marketo holds another one, so a primary changed back to string converges", async () => {
    // GIVEN a never-published type whose primary is an integer, and code that makes it a string again
    const base = draftOnly(define({ primaryAttribute: { ...primary, dataType: "integer" } }));
    const desired = define({ primaryAttribute: { ...primary, dataType: "string" } });
    const plan = diff(manifest({ types: [desired] }), liveState([base]), { endpoint: ENDPOINT });
    // THEN the update names the dataType
    const update = typePlan(plan).steps.find((s) => s.operation === "updateCustomActivityType");
    expect(update).toMatchObject({ request: { primaryAttribute: { dataType: "string" } } });
    // AND applied in Marketo (the emulator) it converges
    const applied = await applyOnEmulator(plan, [base]);
    expect(applied.error).toBeUndefined();
    expect(applied.version()).toStrictEqual(versionOf(desired));
    expect(typePlan(applied.again).action).toBe("noop");
  });

  it("leaves dataType string out when Marketo already holds it (the docs never send one)", () => {
    const base = approved(define());
    const desired = define({ primaryAttribute: { ...primary, description: "The title" } });
    const plan = diff(manifest({ types: [desired] }), liveState([base]), { endpoint: ENDPOINT });
    const update = typePlan(plan).steps.find((s) => s.operation === "updateCustomActivityType");
    expect(update).toStrictEqual({
      operation: "updateCustomActivityType",
      request: {
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name", description: "The title" },
      },
    });
  });
});
