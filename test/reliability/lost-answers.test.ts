/**
 * Lost answers: for every kind of write an apply makes, Marketo carries the request out and the
 * connection dies before its answer (`respond: { drop: "after" }`): the outcome-unknown case. The
 * client resends; Marketo refuses the resend or does it again (creates meet "already exists",
 * deletes "not found", approve "no draft"), and apply must read the effect back and go on: exit 0,
 * the instance as declared, nothing twice. Activity records, which are not idempotent, are the
 * opposite: never resent, reported as unknown, stored once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ActivityClient } from "../../src/activities/index.js";
import type { SeedActivityType } from "../../src/emulator/index.js";
import type { RestOperation } from "../../src/marketo/endpoints.js";
import { MarketoClient } from "../../src/marketo/index.js";
import type { ActivityTypeInput } from "../../src/schema/index.js";
import { deposit, oldSignup, webinar, webinarChanged } from "./fixtures.js";
import { divergence, duplicateRecords, type Lab, STACK_LINE, startLab } from "./harness.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const live = (type: SeedActivityType): SeedActivityType => ({
  ...type,
  attributes: [...(type.attributes ?? [])],
});

interface Row {
  /** The write whose answer is lost. */
  readonly operation: RestOperation;
  readonly seed: readonly SeedActivityType[];
  readonly types: readonly ActivityTypeInput[];
  readonly retired?: readonly string[];
  readonly flags?: readonly string[];
}

const ROWS: readonly Row[] = [
  { operation: "createCustomActivityType", seed: [], types: [deposit] },
  {
    operation: "updateCustomActivityType",
    seed: [live(webinar)],
    types: [{ ...webinar, description: "Watched a webinar, live or recorded" }],
  },
  { operation: "createCustomActivityTypeAttributes", seed: [live(webinar)], types: [webinarChanged] },
  {
    operation: "updateCustomActivityTypeAttributes",
    seed: [live(webinar)],
    types: [
      {
        ...webinar,
        attributes: [{ ...webinar.attributes[0], name: "Minutes Viewed" }, webinar.attributes[1]],
      },
    ],
  },
  {
    operation: "deleteCustomActivityTypeAttributes",
    seed: [live(webinar)],
    types: [{ ...webinar, attributes: [webinar.attributes[0]], allowDestructiveChanges: true }],
  },
  {
    operation: "approveCustomActivityType",
    seed: [live(webinar)],
    types: [{ ...webinar, description: "Watched a webinar, live or recorded" }],
  },
  {
    operation: "discardCustomActivityTypeDraft",
    // Someone edited the type in Marketo Admin; the code overrides them knowingly.
    seed: [
      {
        ...live(webinar),
        status: "approved with draft",
        draft: { ...webinar, attributes: [...webinar.attributes], name: "Webinar Edited In Admin" },
      },
    ],
    types: [webinarChanged],
    flags: ["--discard-foreign-drafts"],
  },
  {
    operation: "deleteCustomActivityType",
    seed: [live(webinar), live(oldSignup)],
    types: [webinar],
    retired: [oldSignup.apiName],
  },
];

describe("a write whose answer is lost is resent, and the apply succeeds", () => {
  it.each(ROWS.map((row) => [row.operation, row] as const))("%s", async (operation, row) => {
    // GIVEN Marketo will carry out the first call of this write and lose its answer
    lab = await startLab({
      seed: { activityTypes: [...row.seed] },
      faults: [{ operation, respond: { drop: "after" } }],
    });
    const manifest = lab.manifest(row.types, { retired: row.retired ?? [] });
    // WHEN the code is applied
    const run = await lab.run([
      "apply",
      "--manifest",
      lab.manifestPath,
      "--auto-approve",
      ...(row.flags ?? []),
    ]);
    // THEN it succeeds, having resent the write, and the instance is what the code declares
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr).not.toMatch(STACK_LINE);
    const sent = lab.emulator.requests.filter((r) => r.operation === operation);
    expect(sent[0]?.dropped, "the fault did not hit").toBe("after");
    expect(sent.length, "the write was not resent").toBeGreaterThanOrEqual(2);
    expect(divergence(lab.emulator, manifest)).toStrictEqual([]);
    const again = await lab.run(["plan", "--manifest", lab.manifestPath, "--detailed-exitcode"]);
    expect(again.code, again.stdout).toBe(0);
  });

  it("covers every write an apply makes", async () => {
    const { ENDPOINTS } = await import("../../src/marketo/endpoints.js");
    const writes = (Object.keys(ENDPOINTS) as RestOperation[]).filter(
      (op) => ENDPOINTS[op].writes && op !== "addCustomActivities",
    );
    expect(ROWS.map((r) => r.operation).sort()).toStrictEqual(writes.sort());
  });
});

describe("a batch of activity records whose answer is lost", () => {
  it("is not resent: its records are reported unknown and stored once", async () => {
    lab = await startLab({
      seed: { activityTypes: [live(webinar)] },
      faults: [{ operation: "addCustomActivities", nth: 2, respond: { drop: "after" } }],
    });
    const client = new MarketoClient({
      baseUrl: lab.emulator.url,
      clientId: lab.emulator.clientId,
      clientSecret: lab.emulator.clientSecret,
      sleep: async () => {},
    });
    const records = Array.from({ length: 30 }, (_, i) => ({
      leadId: i + 1,
      activityDate: "2026-01-15T12:00:00Z",
      primaryAttributeValue: `Webinar ${i}`,
      attributes: { minutesWatched: i },
    }));
    const sent = await new ActivityClient(client, { batchSize: 10 }).send(webinar, records);
    expect(sent.added).toBe(10);
    expect(sent.unknown).toBe(10);
    expect(sent.notSent).toBe(10);
    expect(sent.error?.message).toMatch(/Marketo may or may not have added them/);
    expect(lab.emulator.requests.filter((r) => r.operation === "addCustomActivities")).toHaveLength(2);
    expect(lab.emulator.state().activityTypes[0]?.records).toHaveLength(20);
    expect(duplicateRecords(lab.emulator)).toBe(0);
  });
});
