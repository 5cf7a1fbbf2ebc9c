import { describe, expect, it } from "vitest";
import {
  diff,
  fingerprint,
  type LiveState,
  manifestOfPlan,
  type Plan,
  parsePlans,
  readInstance,
  serializePlans,
} from "../../src/reconcile/index.js";
import type { SavedPlan } from "../../src/reconcile/plan-file.js";
import { differences, replan, verifySavedPlan } from "../../src/reconcile/replan.js";
import { type Manifest, manifestDigest } from "../../src/schema/index.js";
import { approved, define, emulatorWith, listedOnly, manifest, minimal, signup } from "./helpers.js";

const HOST = (url: string) => new URL(url).host;

/**
 * An emulator holding the published webinar type and an unmanaged one, and the plan `desired` gets
 * there, as `plan --out` writes it and `apply plan.json` reads it.
 */
async function saved(desired: Manifest, only?: string[]) {
  const { emulator, client } = await emulatorWith([approved(define()), listedOnly("legacy")]);
  const endpoint = HOST(emulator.url);
  const options = only === undefined ? {} : { only };
  const state = await readInstance(client, desired, options);
  const plan = diff(desired, state, { endpoint, ...options });
  const written: SavedPlan = { plan, manifestDigest: manifestDigest(desired), state };
  const [file] = parsePlans(JSON.parse(serializePlans([written])), "plan.json");
  return { emulator, client, endpoint, plan, state, file: file! };
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
    expect(file.plan).toStrictEqual(plan);
    const mark = emulator.requests.length;
    const result = await replan(file, client, { endpoint, manifest: desired });
    expect(result).toMatchObject({ ok: true, plan: { plan, manifestDigest: manifestDigest(desired) } });
    expect(callsSince(emulator.requests, mark)).toHaveLength(plan.calls.read);
  });

  it("keeps the scope of a plan made with --only", async () => {
    const { client, endpoint, plan, file } = await saved(desired, ["webinarAttended"]);
    const result = await replan(file, client, { endpoint, manifest: desired });
    expect(result).toMatchObject({ ok: true, plan: { plan } });
    expect(result.ok && result.plan.plan.types.map((t) => t.apiName)).toStrictEqual(["webinarAttended"]);
  });

  it("accepts the manifest in any order: the digest is of its canonical form", async () => {
    const { client, endpoint, file } = await saved(desired);
    const reordered = { ...desired, types: [...desired.types].reverse() };
    expect(manifestDigest(reordered)).toBe(manifestDigest(desired));
    expect(await replan(file, client, { endpoint, manifest: reordered })).toMatchObject({ ok: true });
  });

  it("refuses a plan made for another REST host, before any call", async () => {
    const { emulator, client, endpoint, file } = await saved(desired);
    const mark = emulator.requests.length;
    const result = await replan(file, client, { endpoint: "123-ABC-456.mktorest.com", manifest: desired });
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
    expect(await replan(file, client, { endpoint, manifest: desired })).toStrictEqual({
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
    expect(await replan(file, client, { endpoint, manifest: desired })).toMatchObject({
      refusal: { reason: "instanceChanged" },
    });
  });

  it("refuses, before any call, when the code changed since the plan was made, naming what differs", async () => {
    const { emulator, client, endpoint, file } = await saved(desired);
    const now = manifest({
      types: [define({ name: "Webinar Visited" }), signup()],
      retired: ["oldSignup"],
      instance: { maxActivityTypes: 12 },
    });
    const mark = emulator.requests.length;
    expect(await replan(file, client, { endpoint, manifest: now })).toStrictEqual({
      ok: false,
      refusal: {
        reason: "manifestChanged",
        differences: [
          { path: "instance.maxActivityTypes", saved: 10, current: 12 },
          { path: "types[webinarAttended].name", saved: "Webinar Joined", current: "Webinar Visited" },
        ],
      },
    });
    expect(emulator.requests.length).toBe(mark);
  });

  it("refuses a plan made with --only when the code changed outside its scope", async () => {
    const { client, endpoint, file } = await saved(desired, ["webinarAttended"]);
    const now = manifest({
      types: [define({ name: "Webinar Joined" }), signup({ name: "Newsletter Joined" })],
      retired: ["oldSignup"],
    });
    expect(await replan(file, client, { endpoint, manifest: now })).toStrictEqual({
      ok: false,
      refusal: {
        reason: "manifestChanged",
        differences: [
          { path: "manifestDigest", saved: manifestDigest(desired), current: manifestDigest(now) },
        ],
      },
    });
  });
});

describe("replan refuses a saved plan edited by hand, before any call", () => {
  // Three declared types over a limit of 3 with one unmanaged: over the limit; and a destructive change.
  const destructive = manifest({
    types: [define({ attributes: [] }), minimal("alpha"), minimal("bravo")],
    instance: { maxActivityTypes: 3 },
  });
  const webinarOf = (plan: Plan) => plan.types.find((t) => t.apiName === "webinarAttended")!;
  const onWebinar = (plan: Plan, edit: (type: Plan["types"][number]) => Plan["types"][number]) => ({
    ...plan,
    types: plan.types.map((t) => (t.apiName === "webinarAttended" ? edit(t) : t)),
  });

  const edits: {
    name: string;
    edit: (file: SavedPlan) => SavedPlan;
    reason: "manifestChanged" | "notReproduced";
    paths: string[];
  }[] = [
    {
      name: "the destructive flag removed",
      edit: (file) => ({
        ...file,
        plan: onWebinar(file.plan, (t) => {
          const { destructiveNotAllowed: _, ...rest } = t;
          return rest;
        }),
      }),
      reason: "notReproduced",
      paths: ["types[webinarAttended].destructiveNotAllowed"],
    },
    {
      name: "the change marked allowed (allowDestructiveChanges) in the plan's desired state",
      edit: (file) => ({
        ...file,
        plan: onWebinar(file.plan, (t) => {
          const { destructiveNotAllowed: _, ...rest } = t;
          return { ...rest, desired: { ...t.desired!, allowDestructiveChanges: true } };
        }),
      }),
      reason: "notReproduced",
      paths: [
        "types[webinarAttended].desired.allowDestructiveChanges",
        "types[webinarAttended].destructiveNotAllowed",
      ],
    },
    {
      name: "a step added",
      edit: (file) => ({
        ...file,
        plan: onWebinar(file.plan, (t) => ({
          ...t,
          steps: [...t.steps, { operation: "deleteCustomActivityType" as const }],
        })),
      }),
      reason: "notReproduced",
      paths: ["types[webinarAttended].steps"],
    },
    {
      name: "the type limit raised (limits)",
      edit: (file) => ({
        ...file,
        plan: { ...file.plan, limits: { ...file.plan.limits, maxActivityTypes: 100, ok: true } },
      }),
      reason: "notReproduced",
      paths: ["limits.maxActivityTypes", "limits.ok"],
    },
    {
      name: "maxActivityTypes raised everywhere in the plan",
      edit: (file) => ({
        ...file,
        plan: {
          ...file.plan,
          instance: { ...file.plan.instance, maxActivityTypes: 100 },
          limits: { ...file.plan.limits, maxActivityTypes: 100, ok: true },
        },
      }),
      reason: "notReproduced",
      paths: ["instance.maxActivityTypes", "limits.maxActivityTypes", "limits.ok"],
    },
    {
      name: "the desired state edited consistently, with a new digest for it",
      edit: (file) => {
        const plan = onWebinar(file.plan, (t) => ({
          ...t,
          desired: { ...t.desired!, name: "Webinar Joined" },
        }));
        return { ...file, plan, manifestDigest: manifestDigest(manifestOfPlan(plan)) };
      },
      reason: "manifestChanged",
      paths: ["types[webinarAttended].name"],
    },
    {
      name: "the recorded state edited",
      edit: (file) => ({ ...file, state: { ...file.state, listed: file.state.listed.slice(1) } }),
      reason: "notReproduced",
      paths: ["fingerprint"],
    },
  ];

  it.each(edits)("$name", async (row) => {
    const { emulator, client, endpoint, file } = await saved(destructive);
    expect(webinarOf(file.plan).destructiveNotAllowed).toBe(true);
    expect(file.plan.limits.ok).toBe(false);
    const mark = emulator.requests.length;
    const result = await replan(row.edit(file), client, { endpoint, manifest: destructive });
    expect(result.ok).toBe(false);
    const refusal = !result.ok ? result.refusal : undefined;
    expect(refusal?.reason).toBe(row.reason);
    expect(refusal && "differences" in refusal && refusal.differences.map((d) => d.path)).toStrictEqual(
      row.paths,
    );
    expect(emulator.requests.length, "no call to Marketo").toBe(mark);
    // The unedited plan is still reproduced.
    expect(await replan(file, client, { endpoint, manifest: destructive })).toMatchObject({ ok: true });
  });

  it("refuses, after reading but before any write, a plan made consistently from an invented state", async () => {
    const { emulator, client, endpoint, file } = await saved(destructive);
    // The unmanaged type left out of the state: the limit looks kept, and the fingerprint matches it.
    const state: LiveState = {
      ...file.state,
      listed: file.state.listed.filter((t) => t.apiName !== "legacy"),
    };
    const plan = diff(destructive, state, { endpoint });
    expect(plan.limits.ok).toBe(true);
    const forged: SavedPlan = { ...file, plan, state };
    expect(verifySavedPlan(forged, { endpoint, manifest: destructive })).toBeUndefined();
    const mark = emulator.requests.length;
    expect(await replan(forged, client, { endpoint, manifest: destructive })).toStrictEqual({
      ok: false,
      refusal: { reason: "instanceChanged" },
    });
    expect(callsSince(emulator.requests, mark).every((op) => /^(list|describe)/.test(op))).toBe(true);
    expect(fingerprint(state)).toBe(plan.fingerprint);
  });
});

describe("differences", () => {
  it("names paths, types and attributes by apiName, and lists as a whole", () => {
    expect(
      differences(
        { a: 1, types: [{ apiName: "x", steps: [1] }, { apiName: "y" }], same: [1, 2] },
        { a: 2, types: [{ apiName: "x", steps: [1, 2] }, { apiName: "z" }], same: [1, 2] },
      ),
    ).toStrictEqual([
      { path: "a", saved: 1, current: 2 },
      { path: "types[x].steps", saved: [1], current: [1, 2] },
      { path: "types[y]", saved: { apiName: "y" }, current: undefined },
      { path: "types[z]", saved: undefined, current: { apiName: "z" } },
    ]);
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
