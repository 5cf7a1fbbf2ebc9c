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

describe("probe", () => {
  it("settles every question under the defaults, within its budget, and leaves nothing", async () => {
    const report = await probe({});
    console.log(renderProbeReport(report));
    expect(report.outcome).toBe("completed");
    expect(report.error).toBeUndefined();
    expectReproduces(report, {});
    expectClean(emulator!);
    expect(report.calls).toBe(BUDGET.min + 2);
  });
});
