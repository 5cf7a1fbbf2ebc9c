/**
 * Reconcile benchmarks, printed as ratios (`npm run bench:reconcile`; needs `npm run build` first
 * for the cold-start part):
 *
 * 1. API calls of plan + apply for 10 types x 20 attributes (create, then a change to every type)
 *    against the minimum of docs/design.md decision 11 and against a naive one-call-per-attribute client.
 *    Target: equal to the minimum.
 * 2. Wall time of applying those 10 types against the emulator with Marketo's limits and 50 ms
 *    latency, against the bound the limits and latency allow. Target: within 1.5x of the bound.
 * 3. Cold start of `marketo-activities apply --help` against `node -e 0`. Target: within 4x.
 * 4. The create of 1 under a 606 storm of 25 s (every REST call refused), on a virtual clock: it
 *    succeeds; its calls, resends and (virtual) time against the storm-free run.
 * 5. The behaviour matrix of `test/matrix/` (every scenario under every open behaviour of Marketo):
 *    per cell the calls made against the minimum its plans name.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { startEmulator } from "../src/emulator/index.js";
import { MarketoClient } from "../src/marketo/index.js";
import { applyPlan, diff, readInstance } from "../src/reconcile/index.js";
import {
  type ActivityTypeInput,
  buildManifest,
  type Manifest,
  parseActivityType,
} from "../src/schema/index.js";
import { ROWS, renderMatrix, runCell, SCENARIOS, storm } from "../test/matrix/scenarios.js";
import { World } from "../test/matrix/world.js";

const TYPES = 10;
const ATTRIBUTES = 20;
const LATENCY_MS = 50;
const root = resolve(fileURLToPath(import.meta.url), "..", "..");

function definition(i: number, changed: boolean): ActivityTypeInput {
  return {
    apiName: `benchActivity${i}`,
    name: `Bench Activity ${i}`,
    triggerName: `Does Bench Activity ${i}`,
    filterName: `Did Bench Activity ${i}`,
    description: changed ? `Changed description ${i}` : `Description ${i}`,
    primaryAttribute: { apiName: "primaryValue", name: "Primary Value" },
    attributes: Array.from({ length: ATTRIBUTES }, (_, j) => ({
      apiName: `field${j}`,
      name: changed && j < 2 ? `Renamed Field ${j}` : `Field ${j}`,
      dataType: "string" as const,
    })),
  };
}

function manifest(changed: boolean): Manifest {
  return buildManifest({
    instance: { id: "bench", envPrefix: "MARKETO", maxActivityTypes: TYPES, approve: true },
    types: Array.from({ length: TYPES }, (_, i) => parseActivityType(definition(i, changed))),
    retired: [],
  });
}

async function planAndApply(client: MarketoClient, desired: Manifest) {
  const state = await readInstance(client, desired);
  const plan = diff(desired, state, { endpoint: "bench" });
  const result = await applyPlan(plan, client);
  if (!result.ok) throw new Error(`apply failed: ${result.types.map((t) => t.error?.message).join("; ")}`);
}

// ---- 1 and 2: calls and wall time against the emulator ----------------------------------------
const emulator = await startEmulator({ latencyMs: LATENCY_MS });
const newClient = () =>
  new MarketoClient({
    baseUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
  });
// Warm up the process (HTTP connection pool, JIT) with a throwaway client and a plan, so the
// timing measures reconcile rather than Node's first request.
await readInstance(newClient(), manifest(false));
const client = newClient();
const restCalls = (from: number) =>
  emulator.requests.slice(from).filter((r) => r.operation !== "identity").length;

let mark = emulator.requests.length;
const started = performance.now();
await planAndApply(client, manifest(false));
const createMs = performance.now() - started;
const createCalls = restCalls(mark);

mark = emulator.requests.length;
await planAndApply(client, manifest(true));
const changeCalls = restCalls(mark);
await emulator.close();

// Decision 11: plan = 1 list + 1 describe per declared type (of the live version, or of a draft the
// list may leave out when it shows none); apply per type = create, attributes/create, approve
// (create) or update, attributes/update, approve (the change here).
const minimum = { create: 1 + TYPES + TYPES * 3, change: 1 + TYPES + TYPES * 3 };
// A naive client: one call per attribute, and it describes every type before writing.
const naive = { create: 1 + TYPES * (1 + ATTRIBUTES + 1), change: 1 + TYPES + TYPES * (1 + 2 + 1) };

console.log(`API calls, ${TYPES} types x ${ATTRIBUTES} attributes (plan + apply)`);
console.log("scenario           measured  minimum  naive  measured/minimum  naive/measured");
for (const [name, measured] of [
  ["create", createCalls],
  ["change every type", changeCalls],
] as const) {
  const key = name === "create" ? "create" : "change";
  console.log(
    `${name.padEnd(18)} ${String(measured).padEnd(9)} ${String(minimum[key]).padEnd(8)} ${String(naive[key]).padEnd(6)} ${(measured / minimum[key]).toFixed(2).padEnd(17)} ${(naive[key] / measured).toFixed(1)}`,
  );
}
console.log("target: measured/minimum = 1.00\n");

// The bound: every call costs one latency; the identity call, the list, the describes side by side,
// then each type's three calls in sequence, all types side by side (10 types fit the 10 concurrent
// calls; 41 calls fit the 100 per 20 s window, so neither limit adds waiting).
const boundMs = LATENCY_MS * (1 + 1 + 1 + 3);
console.log(
  `Wall time of the create (plan + apply), Marketo's limits (100/20 s, 10 concurrent), ${LATENCY_MS} ms latency`,
);
console.log(
  `measured ${createMs.toFixed(0)} ms, bound ${boundMs} ms, ratio ${(createMs / boundMs).toFixed(2)} (target <= 1.5)\n`,
);

// ---- 4: a 606 storm of 25 s, on a virtual clock -------------------------------------------------
const stormRuns: { name: string; calls: number; retries: number; ms: number }[] = [];
for (const [name, fault] of [
  ["no storm", undefined],
  ["606 storm of 25 s", storm(25_000)],
] as const) {
  const world = await World.start({});
  fault?.(world);
  const deployed = await world.deploy(manifest(false));
  await world.close();
  if (deployed.result?.ok !== true) throw new Error(`${name}: apply failed`);
  stormRuns.push({ name, calls: deployed.calls, retries: deployed.retries, ms: deployed.elapsedMs });
}
console.log(`Create of ${TYPES} types x ${ATTRIBUTES} attributes under a 606 storm (virtual clock)`);
console.log("run                calls  resends  time");
for (const run of stormRuns) {
  console.log(
    `${run.name.padEnd(18)} ${String(run.calls).padEnd(6)} ${String(run.retries).padEnd(8)} ${(run.ms / 1000).toFixed(1)} s`,
  );
}
const [calm, stormy] = stormRuns as [(typeof stormRuns)[0], (typeof stormRuns)[0]];
console.log(
  `storm/no storm: calls ${(stormy.calls / calm.calls).toFixed(2)}x, first-attempt calls ${(stormy.calls - stormy.retries) / (calm.calls - calm.retries)}x (target 1: no extra work besides the resends)\n`,
);

// ---- 5: the behaviour matrix ----------------------------------------------------------------------
const cells = new Map<string, Awaited<ReturnType<typeof runCell>>>();
for (const row of ROWS) {
  for (const scenario of SCENARIOS) cells.set(`${row.name} / ${scenario.name}`, await runCell(row, scenario));
}
console.log(
  "Behaviour matrix: calls made (resends left out) / the minimum the plans name; +n resends, ~s virtual time",
);
console.log(renderMatrix(cells));

// ---- 3: cold start ------------------------------------------------------------------------------
const bin = join(root, "dist", "cli", "bin.js");
if (!existsSync(bin)) {
  console.log("Cold start: skipped, run `npm run build` first");
} else {
  const time = (args: string[]) => {
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const result = spawnSync(process.execPath, args, { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`);
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)]!;
  };
  const baseline = time(["-e", "0"]);
  const help = time([bin, "apply", "--help"]);
  console.log("Cold start, median of 15 runs");
  console.log(
    `node -e 0: ${baseline.toFixed(0)} ms; marketo-activities apply --help: ${help.toFixed(0)} ms; ratio ${(help / baseline).toFixed(2)} (target <= 4)`,
  );
}
