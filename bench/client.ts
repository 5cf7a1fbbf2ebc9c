/**
 * The client's own limits against Marketo's: 300 describeCustomActivityType calls through ONE
 * MarketoClient, all fired at once (Promise.all), against the emulator with Marketo's real limits
 * (100 calls per rolling 20 s, 10 concurrent; docs/marketo-api.md section 3) and real time. Prints the wall
 * time, the calls per 20 s achieved (from the emulator's request log) and the 606/615 responses the
 * emulator sent. Target: >= 90 calls in the busiest 20 s window, and zero 606 and 615.
 *
 *   npm run bench:client                  (about 40 s)
 *   npx tsx bench/client.ts --latency 150 (each request held 150 ms in the emulator, as on a real pod)
 */
import { performance } from "node:perf_hooks";
import { startEmulator } from "../src/emulator/index.js";
import { MarketoClient } from "../src/marketo/index.js";
import { MARKETO_RATE_LIMIT, MAX_CONCURRENT_REQUESTS } from "../src/schema/limits.js";
import { busiestWindow } from "../test/helpers/windows.js";

const CALLS = 300;
const WINDOW_MS = MARKETO_RATE_LIMIT.windowMs;
const WINDOW_CALLS = MARKETO_RATE_LIMIT.calls;
const MAX_CONCURRENT = MAX_CONCURRENT_REQUESTS;
const TARGET_PER_WINDOW = 90;

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index === -1) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number >= 0`);
  return value;
}

/** Calls started in consecutive windows `[first + k * windowMs, first + (k + 1) * windowMs)`. */
function perWindow(times: readonly number[], windowMs: number): number[] {
  const first = Math.min(...times);
  const counts: number[] = [];
  for (const at of times) {
    const k = Math.floor((at - first) / windowMs);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return Array.from(counts, (c) => c ?? 0);
}

async function main(): Promise<void> {
  const latencyMs = option("latency", 0);
  const emulator = await startEmulator({
    limits: { rateLimit: { calls: WINDOW_CALLS, windowMs: WINDOW_MS }, maxConcurrent: MAX_CONCURRENT },
    latencyMs,
    seed: {
      activityTypes: [
        {
          apiName: "webinarAttended",
          name: "Webinar Attended",
          triggerName: "Attends Webinar",
          filterName: "Attended Webinar",
          primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
          attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }],
        },
      ],
    },
  });
  let retries = 0;
  // The client's defaults are Marketo's limits: 100 calls / 20 s and 10 concurrent.
  const client = new MarketoClient({
    baseUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    onEvent: (event) => {
      if (event.type === "retry") retries++;
    },
  });

  console.log(
    `${CALLS} describeCustomActivityType calls through one client; emulator limits ${WINDOW_CALLS} calls / ` +
      `${WINDOW_MS / 1000} s rolling, ${MAX_CONCURRENT} concurrent; latency ${latencyMs} ms. About ` +
      `${Math.ceil(CALLS / WINDOW_CALLS - 1) * (WINDOW_MS / 1000)} s...`,
  );
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: CALLS }, () => client.describeCustomActivityType("webinarAttended")),
  );
  const wallMs = performance.now() - started;
  await emulator.close();

  const failed = outcomes.filter((o) => o.status === "rejected");
  const rest = emulator.requests.filter((r) => r.operation !== "identity");
  const starts = rest.map((r) => r.at);
  const count = (code: string) => rest.filter((r) => r.errorCodes.includes(code)).length;
  const rejected606 = count("606");
  const rejected615 = count("615");
  const busiest = busiestWindow(starts, WINDOW_MS);
  const spanMs = Math.max(...starts) - Math.min(...starts);
  const average = (rest.length / wallMs) * WINDOW_MS;
  const steady = (rest.length / (spanMs + WINDOW_MS)) * WINDOW_MS;
  const usage = client.usage();
  const pass = busiest >= TARGET_PER_WINDOW && rejected606 === 0 && rejected615 === 0 && failed.length === 0;

  const rows: [string, string][] = [
    ["wall time", `${(wallMs / 1000).toFixed(2)} s`],
    ["busiest 20 s window", `${busiest} calls started (target >= ${TARGET_PER_WINDOW} of ${WINDOW_CALLS})`],
    ["per 20 s from the first call", perWindow(starts, WINDOW_MS).join(", ")],
    [
      "average rate",
      `${average.toFixed(1)} calls / 20 s (${rest.length} calls in ${(wallMs / 1000).toFixed(2)} s; the first ${WINDOW_CALLS} start at once)`,
    ],
    [
      "steady rate",
      `${steady.toFixed(1)} calls / 20 s (calls / (last start - first start + 20 s): what a long run sustains)`,
    ],
    ["606 responses", `${rejected606} (target 0)`],
    ["615 responses", `${rejected615} (target 0)`],
    [
      "client usage",
      `${usage.total} REST calls, ${usage.retries} retries (${retries} retry events), ${usage.identity} identity`,
    ],
    ["failed calls", String(failed.length)],
    ["result", pass ? "PASS" : "FAIL"],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) console.log(`${label.padEnd(width)}  ${value}`);
  if (failed[0] !== undefined && failed[0].status === "rejected") console.error(String(failed[0].reason));
  if (!pass) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
