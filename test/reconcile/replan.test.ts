import { describe, expect, it } from "vitest";
import {
  diff,
  manifestOfPlan,
  type Plan,
  parsePlans,
  readInstance,
  replan,
  serializePlans,
} from "../../src/reconcile/index.js";
import type { Manifest } from "../../src/schema/index.js";
import { approved, define, emulatorWith, listedOnly, manifest, minimal, signup } from "./helpers.js";

const HOST = (url: string) => new URL(url).host;

/** An emulator holding the published webinar type and an unmanaged one, and the plan `desired` gets there. */
async function saved(desired: Manifest, only?: string[]) {
  const { emulator, client } = await emulatorWith([approved(define()), listedOnly("legacy")]);
  const endpoint = HOST(emulator.url);
  const options = only === undefined ? {} : { only };
  const plan = diff(desired, await readInstance(client, desired, options), { endpoint, ...options });
  // What `plan --out` writes and `apply plan.json` reads.
  const [file] = parsePlans(JSON.parse(serializePlans([plan])), "plan.json");
  return { emulator, client, endpoint, plan, file: file! };
}

/** REST calls other than identity since `mark`. */
const callsSince = (requests: readonly { operation: string }[], mark: number) =>
  requests
    .slice(mark)
    .map((r) => r.operation)
    .filter((op) => op !== "identity");

describe("replan", () => {
  const desired = manifest({
    types: [define({ name: "Webinar Joined" }), signup()],
    retired: ["oldSignup"],
  });

  it("gives the fresh plan, equal to the saved one, reading as plan does", async () => {
    const { emulator, client, endpoint, plan, file } = await saved(desired);
    const mark = emulator.requests.length;
    const result = await replan(file, client, { endpoint });
    expect(result).toStrictEqual({ ok: true, plan });
    expect(callsSince(emulator.requests, mark)).toHaveLength(plan.calls.read);
  });

  it("keeps the scope of a plan made with --only", async () => {
    const { client, endpoint, plan, file } = await saved(desired, ["webinarAttended"]);
    const result = await replan(file, client, { endpoint });
    expect(result).toMatchObject({ ok: true, plan });
    expect(result.ok && result.plan.types.map((t) => t.apiName)).toStrictEqual(["webinarAttended"]);
  });

  it("refuses a plan made for another REST host, before any call", async () => {
    const { emulator, client, endpoint, file } = await saved(desired);
    const mark = emulator.requests.length;
    const result = await replan(file, client, { endpoint: "123-ABC-456.mktorest.com" });
    expect(result).toStrictEqual({
      ok: false,
      refusal: { reason: "otherInstance", planned: endpoint, actual: "123-ABC-456.mktorest.com" },
    });
    expect(emulator.requests.length).toBe(mark);
  });

  it("refuses when the instance changed since the plan was made", async () => {
    const { client, endpoint, file } = await saved(desired);
    // Someone edits the type in Marketo Admin: it now has a draft.
    await client.updateCustomActivityType("webinarAttended", { description: "Edited in Admin" });
    expect(await replan(file, client, { endpoint })).toStrictEqual({
      ok: false,
      refusal: { reason: "instanceChanged" },
    });
  });

  it("refuses when a type no code declares appears in the instance", async () => {
    const { client, endpoint, file } = await saved(desired);
    await client.createCustomActivityType({
      apiName: "partnerWebinar",
      name: "Partner Webinar",
      triggerName: "Attends Partner Webinar",
      filterName: "Attended Partner Webinar",
      primaryAttribute: { apiName: "partner", name: "Partner", dataType: "string" },
    });
    expect(await replan(file, client, { endpoint })).toMatchObject({
      refusal: { reason: "instanceChanged" },
    });
  });

  const edits: { name: string; edit: (plan: Plan) => Plan }[] = [
    {
      name: "a refusal removed (destructiveNotAllowed)",
      edit: (plan) => ({
        ...plan,
        types: plan.types.map((t) => {
          const { destructiveNotAllowed: _, ...rest } = t;
          return rest;
        }),
      }),
    },
    {
      name: "a step added",
      edit: (plan) => ({
        ...plan,
        types: plan.types.map((t) =>
          t.apiName === "webinarAttended"
            ? { ...t, steps: [...t.steps, { operation: "deleteCustomActivityType" as const }] }
            : t,
        ),
      }),
    },
    {
      name: "the type limit raised",
      edit: (plan) => ({ ...plan, limits: { ...plan.limits, maxActivityTypes: 100, ok: true } }),
    },
  ];

  it.each(edits)("refuses a saved plan edited by hand: $name", async (row) => {
    const destructive = manifest({
      types: [define({ attributes: [] }), minimal("alpha"), minimal("bravo")],
      instance: { maxActivityTypes: 3 },
    });
    const { client, endpoint, file } = await saved(destructive);
    expect(file.types.some((t) => t.destructiveNotAllowed)).toBe(true);
    expect(file.limits.ok).toBe(false);
    expect(await replan(row.edit(file), client, { endpoint })).toStrictEqual({
      ok: false,
      refusal: { reason: "notReproduced" },
    });
    // The unedited plan is still reproduced.
    expect(await replan(file, client, { endpoint })).toMatchObject({ ok: true });
  });
});

describe("manifestOfPlan", () => {
  it("gives back the desired state a plan was made from: instance, definitions and tombstones", async () => {
    const desired = manifest({
      types: [define(), signup()],
      retired: ["legacy", "oldSignup"],
      instance: { id: "sandbox", envPrefix: "MARKETO_SANDBOX", approve: false, maxActivityTypes: 12 },
    });
    const { plan } = await saved(desired);
    expect(manifestOfPlan(plan)).toStrictEqual(desired);
  });
});
