/**
 * `probe` against the emulator, in-process with the real MarketoClient: for each open behaviour
 * flipped, the probe reports the setting the emulator was started with, its emulator config
 * reproduces it, and nothing of the probe is left; a kill after each write and a rerun; the type
 * limit; an instance answering something unexpected.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_BEHAVIOUR,
  type Emulator,
  type EmulatorBehaviour,
  type EmulatorOptions,
  startEmulator,
} from "../../src/emulator/index.js";
import { type FetchLike, MarketoClient, type MarketoClientSettings } from "../../src/marketo/index.js";
import {
  emulatorConfig,
  PROBE_PREFIX,
  type ProbeJournal,
  type ProbeReport,
  runProbe,
} from "../../src/probe/probe.js";
import { BUDGET, QUESTIONS, UNSETTLED } from "../../src/probe/questions.js";
import { renderProbeReport } from "../../src/probe/render.js";

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function memoryJournal(): ProbeJournal & { names: readonly string[] } {
  let names: readonly string[] = [];
  return {
    get names() {
      return names;
    },
    load: () => names,
    save: (next) => {
      names = [...next];
    },
  };
}

async function probe(
  options: EmulatorOptions,
  extra: { fetch?: FetchLike; journal?: ProbeJournal; max?: number; reuse?: Emulator } = {},
): Promise<ProbeReport> {
  emulator = extra.reuse ?? (await startEmulator(options));
  const em = emulator;
  const settings: MarketoClientSettings = {
    sleep: async () => {},
    ...(extra.fetch ? { fetch: extra.fetch } : {}),
  };
  return runProbe({
    client: (s) =>
      new MarketoClient({ baseUrl: em.url, clientId: em.clientId, clientSecret: em.clientSecret, ...s }),
    settings,
    defaults: DEFAULT_BEHAVIOUR,
    secrets: [em.clientSecret],
    ...(extra.journal ? { journal: extra.journal } : {}),
    ...(extra.max === undefined ? {} : { maxActivityTypes: extra.max }),
  });
}

/** No probe type left that is not deleted, and no draft of one. */
function expectClean(em: Emulator): void {
  const left = em
    .state()
    .activityTypes.filter((t) => t.apiName.startsWith(PROBE_PREFIX) && t.status !== "deleted");
  expect(left).toEqual([]);
}

/** Every option the probe settled equals the behaviour the emulator was started with. */
function expectReproduces(report: ProbeReport, behaviour: EmulatorBehaviour): void {
  const started = { ...DEFAULT_BEHAVIOUR, ...behaviour } as Record<string, unknown>;
  const { behaviour: written } = emulatorConfig(report);
  for (const [option, value] of Object.entries(written))
    expect([option, value]).toEqual([option, started[option]]);
}

/** Each open behaviour flipped from its default, alone. */
const FLIPS: readonly EmulatorBehaviour[] = [
  { listIncludesDrafts: false },
  { listIncludesDeleted: true },
  { listIncludesAttributes: true },
  { describeMissingVersion: "error" },
  { discardDraftOnDraftOnly: "deleteType" },
  { attributesOnCreate: "reject" },
  { dataTypeChangeAfterApproval: "reject" },
  { primaryChangeAfterApproval: "allow" },
  { absentFields: "null" },
  { emptyDescription: "null" },
  { emptyDescription: "omit" },
  { emptyDescription: "ignore" },
  { attributeNameRequired: false },
  { listOrder: "reverse" },
  { primaryInAttributesList: true },
  { omitEmptyAttributes: false },
  { deletedApiNameReusable: false },
  { createResponseOmitsIds: true },
  {
    emptyResultOn: [
      "approveCustomActivityType",
      "deleteCustomActivityType",
      "discardCustomActivityTypeDraft",
    ],
  },
  { emptyErrorsAndWarnings: true },
  { activityTypesIncludeApiName: false },
  { unknownTypeCode: "1004" },
  { duplicateApiNameCode: "1018" },
  { duplicateAttributeCode: "1009" },
  { unknownAttributeCode: "1013" },
  { approveWithoutDraftCode: "1003" },
  { discardWithoutDraftCode: "1003" },
  { immutableFieldCode: "1007" },
  { missingFieldCode: "1002" },
];

/** Several flipped together. */
const TOGETHER: readonly EmulatorBehaviour[] = [
  { absentFields: "null", emptyDescription: "ignore", listIncludesDeleted: true },
  {
    discardDraftOnDraftOnly: "deleteType",
    dataTypeChangeAfterApproval: "reject",
    primaryChangeAfterApproval: "allow",
    emptyResultOn: ["approveCustomActivityType", "discardCustomActivityTypeDraft"],
  },
  { primaryInAttributesList: true, createResponseOmitsIds: true, listIncludesDrafts: false },
];

/** A fetch that answers until `writes` POSTs went through, then fails every call, as if the process died. */
function killedAfter(writes: number): FetchLike {
  let seen = 0;
  return async (url, init) => {
    if (seen >= writes) throw new TypeError("fetch failed (the probe was killed)");
    const response = await fetch(url, init);
    if (init?.method === "POST" && !new URL(url).pathname.startsWith("/identity")) seen++;
    return response;
  };
}

describe("probe", () => {
  it("its tables name every behaviour option once", () => {
    const named = [...QUESTIONS.map((q) => q.option), ...UNSETTLED.map((u) => u.option)].sort();
    expect(named).toEqual(Object.keys(DEFAULT_BEHAVIOUR).sort());
  });

  it("settles every question under the defaults in 23 calls, and leaves nothing", async () => {
    const report = await probe({});
    console.log(renderProbeReport(report));
    console.log(`calls used: ${report.calls}`);
    expect(report.outcome).toBe("completed");
    expect(report.error).toBeUndefined();
    expect(report.findings.filter((f) => f.status === "not settled")).toEqual([]);
    expectReproduces(report, {});
    expectClean(emulator!);
    // 21 fixed calls, the discard of the accepted dataType change and the delete of the reused apiName.
    expect(BUDGET).toEqual({ min: 21, max: 26 });
    expect(report.calls).toBe(23);
    expect(JSON.stringify(report)).not.toContain(emulator!.clientSecret);
  });

  it.each([...FLIPS, ...TOGETHER])("reports and reproduces %j", async (behaviour) => {
    const report = await probe({ behaviour });
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe("completed");
    for (const [option, value] of Object.entries(behaviour)) {
      const finding = report.findings.find((f) => f.option === option);
      expect(finding?.status, option).toBe("settled");
      expect([option, finding?.value]).toEqual([option, value]);
      expect(finding?.matchesDefault).toBe(false);
    }
    expectReproduces(report, behaviour);
    expectClean(emulator!);
    expect(report.calls).toBeGreaterThanOrEqual(BUDGET.min);
    expect(report.calls).toBeLessThanOrEqual(BUDGET.max);
  });

  it.each(Array.from({ length: 16 }, (_, i) => i + 1))(
    "killed after write %i, a rerun cleans up and completes",
    async (writes) => {
      const journal = memoryJournal();
      const first = await probe({}, { fetch: killedAfter(writes), journal });
      // The 16th write is the run's last call: nothing follows it to fail.
      expect(first.outcome).toBe(writes < 16 ? "stopped" : "completed");
      const second = await probe({}, { journal, reuse: emulator! });
      expect(second.error).toBeUndefined();
      expect(second.outcome).toBe("completed");
      expect(second.removedLeftovers).toEqual(first.leftovers);
      expectClean(emulator!);
      expect(journal.names).toEqual([]);
    },
  );

  it("a leftover draft the list does not show is found by the journal", async () => {
    const journal = memoryJournal();
    const behaviour = { listIncludesDrafts: false };
    const first = await probe({ behaviour }, { fetch: killedAfter(1), journal });
    expect(first.leftovers).toHaveLength(1);
    const second = await probe({ behaviour }, { journal, reuse: emulator! });
    expect(second.outcome).toBe("completed");
    expect(second.removedLeftovers).toEqual(first.leftovers);
    expectClean(emulator!);
  });

  it("at the type limit stops before any write", async () => {
    const seed = {
      activityTypes: Array.from({ length: 10 }, (_, i) => ({
        apiName: `seeded${i}`,
        name: `Seeded ${i}`,
        triggerName: `Seeded ${i} happens`,
        filterName: `Seeded ${i} happened`,
        primaryAttribute: { apiName: "key", name: "Key" },
      })),
    };
    const report = await probe({ seed });
    expect(report.outcome).toBe("at type limit");
    expect(report.error?.message).toContain("holds 10 activity types (not deleted), the limit is 10");
    expect(report.calls).toBe(1);
    expect(emulator!.requests.filter((r) => r.method === "POST" && r.operation !== "identity")).toEqual([]);
    expect(renderProbeReport(report)).toContain("wrote nothing");
  });

  it("stops clearly and leaves nothing when the instance refuses every create", async () => {
    const report = await probe({
      faults: [{ operation: "createCustomActivityType", times: 1000, respond: { code: "1003" } }],
    });
    expect(report.outcome).toBe("stopped");
    expect(report.error?.message).toMatch(/^create again: the instance refused POST .* with 1003/);
    expect(report.leftovers).toEqual([]);
    expect(emulator!.state().activityTypes).toEqual([]);
  });
});
