/**
 * `npm run soak`: the long versions of test/reliability, printing the figures of docs/reliability.md.
 *
 *   npm run soak                                   # 20 seeds at 30% faults, and everything else
 *   npm run soak -- --seeds 50                     # more seeds
 *   npm run soak -- --failing-bad-inputs           # also the local list of bad inputs that fail today
 *
 * Everything runs in process against the emulator (the soak on a virtual clock); exit code 1 when a
 * figure is not met.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmulatorBehaviour } from "../src/emulator/index.js";
import { type Area, BAD_INPUTS, type BadInput, runBadInputs } from "../test/reliability/bad-inputs.js";
import {
  LIVE_SEED,
  MULTI_RETIRED,
  MULTI_TYPES,
  webinar,
  webinarNewPrimary,
} from "../test/reliability/fixtures.js";
import { everyKillPoint, type KillScenario } from "../test/reliability/kills.js";
import { interleavings, race, raceViolations } from "../test/reliability/race.js";
import { soak } from "../test/reliability/soak.js";

const args = process.argv.slice(2);
const seedsArg = args.indexOf("--seeds");
const seedCount = seedsArg >= 0 ? Number(args[seedsArg + 1]) : 20;
if (!Number.isInteger(seedCount) || seedCount < 1) {
  console.error(`--seeds must be a whole number of at least 1, got ${args[seedsArg + 1] ?? "nothing"}`);
  process.exit(1);
}

let failed = false;
const say = (line = "") => console.log(line);
const check = (ok: boolean) => {
  if (!ok) failed = true;
  return ok ? "" : "  << NOT MET";
};
const started = Date.now();

// ---- kill points ---------------------------------------------------------------------------------

const MULTI: KillScenario = { seed: LIVE_SEED, types: MULTI_TYPES, retired: MULTI_RETIRED };
const PRIMARY: KillScenario = {
  seed: [{ ...webinar, attributes: [...webinar.attributes], status: "draft" }],
  types: [webinarNewPrimary],
  approve: false,
};
/** The multi-type apply's kill points under Marketo's default answers and a few open behaviours flipped. */
const KILL_BEHAVIOURS: Readonly<Record<string, EmulatorBehaviour>> = {
  defaults: {},
  "listIncludesDrafts: false": { listIncludesDrafts: false },
  "listIncludesDeleted, listOrder reverse": { listIncludesDeleted: true, listOrder: "reverse" },
  "createResponseOmitsIds, absentFields null": { createResponseOmitsIds: true, absentFields: "null" },
  "approve/delete answer no type": {
    emptyResultOn: ["approveCustomActivityType", "deleteCustomActivityType"],
  },
  "attributeNameRequired: false": { attributeNameRequired: false },
};

say(
  "CLI kill points: marketo-activities apply of 2 creates, 1 update and 1 tombstone, killed after each write,",
);
say("then a fresh apply with no flag (the instance as declared, the next plan empty, nothing twice):");
let killTotal = 0;
let killFinished = 0;
for (const [name, behaviour] of Object.entries(KILL_BEHAVIOURS)) {
  const points = await everyKillPoint(MULTI, behaviour);
  const finished = points.filter((p) => p.finishedWithoutFlag);
  killTotal += points.length;
  killFinished += finished.length;
  say(
    `  ${name}: ${finished.length} of ${points.length} finish${check(finished.length === points.length && points.length > 0)}`,
  );
  for (const p of points.filter((q) => !q.finishedWithoutFlag))
    say(`    after write ${p.writes} (${p.killedAfter}): ${p.diverged.join("; ") || "the rerun failed"}`);
}
say(`  all: ${killFinished} of ${killTotal} kill points finish on the next apply with no flag`);
const primary = await everyKillPoint(PRIMARY);
const primaryOk = primary.filter((p) => p.finishedWithoutFlag || (p.refusedCleanly && p.finishedWithFlag));
say(
  `  primary change of a never-published type (approve: false, ${primary.length} writes): ${primaryOk.length} of ${primary.length} finish${check(primaryOk.length === primary.length)}`,
);
for (const p of primary) {
  const how = p.finishedWithoutFlag
    ? "finishes with no flag"
    : p.refusedCleanly
      ? `the rerun refuses, writing nothing, until --discard-foreign-drafts${p.finishedWithFlag ? ", then finishes" : ", and then does NOT finish"}`
      : `does not finish: ${p.diverged.join("; ")}`;
  say(`    after write ${p.writes} (${p.killedAfter}): ${how}`);
}
say();

// ---- the soak ------------------------------------------------------------------------------------

const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
const figures = await soak(seeds);
const sum = (pick: (r: (typeof figures.runs)[number]) => number) =>
  figures.runs.reduce((n, r) => n + pick(r), 0);
say(
  `First-apply success at 30% faults: ${figures.succeeded} of ${seeds.length}, ${figures.duplicates === 0 ? "zero" : figures.duplicates} duplicates${check(figures.succeeded === seeds.length && figures.duplicates === 0)}`,
);
say(
  `  (3 types; ${sum((r) => r.requests)} calls, ${Math.round(figures.faultShare * 100)}% answered with a fault, ${sum((r) => r.lostAnswers)} of them answers lost after Marketo did the work;`,
);
say(
  `  duplicates: types ${sum((r) => r.duplicates.types)}, attributes ${sum((r) => r.duplicates.attributes)}, records ${sum((r) => r.duplicates.records)};`,
);
say(
  `  records on the same instance: ${sum((r) => r.records.sent)} sent, ${sum((r) => r.records.added)} added, ${sum((r) => r.records.unknown)} unknown (never resent), ${sum((r) => r.records.notSent)} not sent, ${sum((r) => r.records.stored)} stored)`,
);
for (const r of figures.runs.filter((run) => !run.succeeded)) say(`    seed ${r.seed}: ${r.failure}`);
say();

// ---- races ---------------------------------------------------------------------------------------

const RACE_BEHAVIOURS: readonly EmulatorBehaviour[] = [{}, { emptyResultOn: ["approveCustomActivityType"] }];
let raceRuns = 0;
let raceOk = 0;
let mixed = 0;
let mixedInWindow = 0;
const raceProblems: string[] = [];
for (const behaviour of RACE_BEHAVIOURS) {
  for (const script of interleavings()) {
    const outcome = await race(script, behaviour);
    raceRuns++;
    const problems = raceViolations(outcome);
    if (problems.length === 0) raceOk++;
    else raceProblems.push(`${script.join(" -> ")}: ${problems.join("; ")}`);
    for (const racer of ["X", "Y"] as const) {
      const held = outcome.published[racer] ?? [];
      if (held.includes("u2") && held.includes("u9")) {
        mixed++;
        if (outcome.windowHit[racer] && outcome.runs[racer].code === 1) mixedInWindow++;
      }
    }
  }
}
say(
  `Racing applies with different code: ${raceOk} of ${raceRuns} in which no apply reports success for a version it did not declare${check(raceOk === raceRuns)};`,
);
say(
  `  mixed published versions in ${mixed}, ${mixedInWindow} of them in the one-call window and reported by the apply that published it${check(mixed === mixedInWindow)}`,
);
for (const p of raceProblems) say(`    ${p}`);
say();

// ---- bad inputs ----------------------------------------------------------------------------------

async function badInputs(rows: readonly BadInput[], title: string): Promise<void> {
  const results = await runBadInputs(rows);
  const good = results.filter((r) => r.problems.length === 0);
  const areas = [...new Set(rows.map((r) => r.area))] as Area[];
  const byArea = areas.map((a) => `${a} ${rows.filter((r) => r.area === a).length}`).join(", ");
  say(
    `${title}: ${good.length} of ${rows.length} answered with one clear message and a fix, nothing written (${byArea})${check(good.length === rows.length)}`,
  );
  for (const r of results.filter((q) => q.problems.length > 0)) {
    say(`    [${r.row.area}] ${r.row.name}: ${r.problems.join("; ")}`);
    say(
      `      exit ${r.answer.code}: ${r.answer.text.trim().split("\n").slice(-3).join(" | ").slice(0, 400)}`,
    );
  }
}
await badInputs(BAD_INPUTS, "Bad inputs");
if (args.includes("--failing-bad-inputs")) {
  const local = join(
    dirname(fileURLToPath(import.meta.url)),
    "..",
    "test",
    "reliability",
    "bad-inputs.failing.local.ts",
  );
  if (existsSync(local)) {
    const { FAILING_BAD_INPUTS } = (await import(local)) as { FAILING_BAD_INPUTS: readonly BadInput[] };
    await badInputs(FAILING_BAD_INPUTS, "Bad inputs that fail today (local list)");
  } else say("No local list of failing bad inputs (test/reliability/bad-inputs.failing.local.ts).");
}

say();
say(
  `${failed ? "Some figures are NOT met." : "Every figure is met."} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
process.exit(failed ? 1 : 0);
