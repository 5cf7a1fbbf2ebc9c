/**
 * Limits and ownership at plan time: a tombstone makes room for a create at the type limit (deletes
 * run first, across types), and a trigger or filter name another type holds is refused by plan, from
 * the list call alone.
 */
import { describe, expect, it } from "vitest";
import { applyPlan, diff, readInstance, refusals } from "../../src/reconcile/index.js";
import { approved, ENDPOINT, emulatorWith, manifest, minimal, typePlan } from "./helpers.js";

describe("a swap at the type limit", () => {
  it("deletes the retired type before creating the new one, so the create never meets 1027", async () => {
    // GIVEN an instance at its limit of 3 types, and code that retires one and declares a new one
    // (named to sort first: types are planned in apiName order, so only the ordering rule puts the
    // delete first)
    const live = ["typeA", "typeB", "typeC"].map((a) => approved(minimal(a), a));
    const { client, emulator } = await emulatorWith(live, { limits: { maxActivityTypes: 3 } });
    const desired = manifest({
      types: [minimal("typeA"), minimal("typeB"), minimal("aaNewType")],
      retired: ["typeC"],
      instance: { maxActivityTypes: 3 },
    });
    const plan = diff(desired, await readInstance(client, desired), { endpoint: ENDPOINT });
    expect(plan.limits).toMatchObject({ current: 3, afterApply: 3, ok: true });
    // WHEN applied
    const mark = emulator.requests.length;
    // One type at a time, so the order is the rule's and not the network's
    const result = await applyPlan(plan, client, { concurrency: 1 });
    // THEN it succeeded, and the delete came before the create
    expect(result.types.map((t) => t.error?.message)).toStrictEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    const writes = emulator.requests
      .slice(mark)
      .filter((r) => r.operation === "deleteCustomActivityType" || r.operation === "createCustomActivityType")
      .map((r) => r.operation);
    expect(writes).toStrictEqual(["deleteCustomActivityType", "createCustomActivityType"]);
    expect(
      emulator
        .state()
        .activityTypes.filter((t) => t.status !== "deleted")
        .map((t) => t.apiName)
        .sort(),
    ).toStrictEqual(["aaNewType", "typeA", "typeB"]);
  });
});

describe("trigger and filter names another type holds", () => {
  // An unmanaged type (made in Admin, or by another team's code) holds these names.
  const other = approved(
    { ...minimal("partnerWebinar"), triggerName: "Attends Webinar", filterName: "Attended Webinar" },
    "partnerWebinar",
  );

  it("refuses at plan a create whose triggerName or filterName an unmanaged type holds, whatever the flags", async () => {
    const { client, emulator } = await emulatorWith([other]);
    const desired = manifest({
      types: [
        { ...minimal("webinarAttended"), triggerName: "Attends Webinar", filterName: "Attended Webinar" },
      ],
    });
    const plan = diff(desired, await readInstance(client, desired), { endpoint: ENDPOINT });
    const type = typePlan(plan);
    expect(type.forbidden).toBe(
      'triggerName "Attends Webinar" is already used by partnerWebinar (approved), and Marketo requires it to be unique: choose another triggerName; filterName "Attended Webinar" is already used by partnerWebinar (approved), and Marketo requires it to be unique: choose another filterName',
    );
    expect(refusals(plan, { allowDestructive: true, discardForeignDrafts: true })).toHaveLength(1);
    // Known from the list call: no describe of the other type
    expect(emulator.requests.filter((r) => r.apiName === "partnerWebinar")).toStrictEqual([]);
  });

  it("lets a declared type keep names it already has, and a type the code renames in the same plan free its old one", async () => {
    const { client } = await emulatorWith([approved(minimal("typeA"), "typeA")]);
    // typeA keeps its names; typeB takes typeA's old trigger name while typeA is renamed in this plan
    const desired = manifest({
      types: [
        { ...minimal("typeA"), triggerName: "Does typeA now" },
        { ...minimal("typeB"), triggerName: "Does typeA" },
      ],
    });
    const plan = diff(desired, await readInstance(client, desired), { endpoint: ENDPOINT });
    expect(plan.types.map((t) => t.forbidden)).toStrictEqual([undefined, undefined]);
  });
});
