/**
 * Kill points: `marketo-activities apply` of a multi-type change (two types created, one updated, one
 * retired) killed right after Marketo carried out each of its writes in turn, in process: the CLI's
 * fetch stops answering once the n-th write went through, and sends nothing more, as a killed process
 * would. Then a fresh apply with no flag must finish the work: the instance holds what the code
 * declares, the next plan is empty, nothing is duplicated.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LIVE_SEED, MULTI_RETIRED, MULTI_TYPES, webinar, webinarNewPrimary } from "./fixtures.js";
import { divergence, type Lab, runKilledAfter, STACK_LINE, startLab, writesIn } from "./harness.js";

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

const apply = (l: Lab) => ["apply", "--manifest", l.manifestPath, "--auto-approve"];
const plan = (l: Lab) => ["plan", "--manifest", l.manifestPath, "--detailed-exitcode"];

/** The writes of the multi-type apply: delete, then create x2 (+ attributes), update, approve x3. */
const MULTI_WRITES = 9;

describe("an apply of three types and a tombstone, killed after each write", () => {
  it(`makes ${MULTI_WRITES} writes when nothing kills it (so every kill point below is one of them)`, async () => {
    lab = await startLab({ seed: { activityTypes: [...LIVE_SEED] } });
    const manifest = lab.manifest(MULTI_TYPES, { retired: MULTI_RETIRED });
    const run = await lab.run(apply(lab));
    expect(run.code, run.stderr).toBe(0);
    expect(writesIn(lab.emulator).map((r) => r.operation)).toHaveLength(MULTI_WRITES);
    expect(divergence(lab.emulator, manifest)).toStrictEqual([]);
  });

  it.each(Array.from({ length: MULTI_WRITES }, (_, i) => i + 1))(
    "finishes on the next apply with no flag after a kill at write %i",
    async (writes) => {
      // GIVEN a live instance and code that creates two types, changes one and retires one
      lab = await startLab({ seed: { activityTypes: [...LIVE_SEED] } });
      const manifest = lab.manifest(MULTI_TYPES, { retired: MULTI_RETIRED });
      // WHEN the apply dies right after Marketo carried out its n-th write
      const { killed, finished } = await runKilledAfter(lab, apply(lab), writes);
      expect(finished, "the apply ended before its kill point").toBeUndefined();
      expect(killed?.write).toBe(true);
      expect(writesIn(lab.emulator).filter((r) => r.success)).toHaveLength(writes);
      // THEN a fresh apply, with no flag, finishes the work
      const rerun = await lab.run(apply(lab));
      expect(rerun.code, `${rerun.stdout}\n${rerun.stderr}`).toBe(0);
      expect(rerun.stderr).not.toMatch(STACK_LINE);
      expect(divergence(lab.emulator, manifest)).toStrictEqual([]);
      const again = await lab.run(plan(lab));
      expect(again.code, again.stdout).toBe(0);
      expect(again.stdout).toContain("No changes.");
    },
  );
});

/**
 * A primary change of a type that was never published, on an instance that leaves drafts for review
 * (approve: false). Moving the primary takes several writes; a draft half-way through (the old primary
 * demoted, the new one not yet promoted) is a step of ours, not an edit (docs/design.md decision 8), so
 * a rerun after a kill finishes with no flag; if it ever refused, it must refuse before writing
 * anything, say which flag, and converge with it.
 */
describe("a primary change of a never-published type (approve: false), killed after each write", () => {
  const seed = {
    activityTypes: [{ ...webinar, attributes: [...webinar.attributes], status: "draft" as const }],
  };
  const PRIMARY_WRITES = 2;

  it(`makes ${PRIMARY_WRITES} writes with no flag: moving a never-published type's primary is not a foreign edit`, async () => {
    lab = await startLab({ seed });
    const manifest = lab.manifest([webinarNewPrimary], { approve: false });
    const run = await lab.run(apply(lab));
    expect(run.code, run.stderr).toBe(0);
    expect(writesIn(lab.emulator)).toHaveLength(PRIMARY_WRITES);
    expect(divergence(lab.emulator, manifest)).toStrictEqual([]);
  });

  it.each(Array.from({ length: PRIMARY_WRITES }, (_, i) => i + 1))(
    "finishes after a kill at write %i: with no flag, or after a clean refusal naming the flag",
    async (writes) => {
      lab = await startLab({ seed });
      const manifest = lab.manifest([webinarNewPrimary], { approve: false });
      const { killed } = await runKilledAfter(lab, [...apply(lab), "--discard-foreign-drafts"], writes);
      expect(killed?.write).toBe(true);
      const mark = lab.emulator.requests.length;
      const rerun = await lab.run(apply(lab));
      if (rerun.code !== 0) {
        // Refused: nothing written, and the message says what to do.
        expect(rerun.code).toBe(1);
        expect(rerun.stderr).toMatch(/webinarAttended: the draft in Marketo has edits/);
        expect(rerun.stderr).toContain("--discard-foreign-drafts");
        expect(rerun.stderr).not.toMatch(STACK_LINE);
        expect(writesIn(lab.emulator, mark)).toStrictEqual([]);
        const flagged = await lab.run([...apply(lab), "--discard-foreign-drafts"]);
        expect(flagged.code, flagged.stderr).toBe(0);
      }
      expect(divergence(lab.emulator, manifest)).toStrictEqual([]);
      expect((await lab.run(plan(lab))).code).toBe(0);
    },
  );
});
