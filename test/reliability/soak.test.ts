/**
 * The short soak (the long one is `npm run soak`): first applies of three types at 30% random faults
 * on five fixed seeds, then 30 activity records on the same faulty instance. Every apply succeeds,
 * nothing is duplicated, and records whose outcome was unknown were never resent.
 */
import { describe, expect, it } from "vitest";
import { soak } from "./soak.js";

const SEEDS = [1, 2, 3, 4, 5];

describe("first applies at 30% faults, on fixed seeds", () => {
  it(`succeed ${SEEDS.length} of ${SEEDS.length} with zero duplicates`, async () => {
    const figures = await soak(SEEDS);
    const failed = figures.runs.filter((r) => !r.succeeded).map((r) => `seed ${r.seed}: ${r.failure}`);
    expect(failed).toStrictEqual([]);
    expect(figures.duplicates).toBe(0);
    // The faults were there: about 30% of the calls, some of them answers lost after the work was done.
    expect(figures.faultShare).toBeGreaterThan(0.2);
    expect(figures.runs.reduce((n, r) => n + r.lostAnswers, 0)).toBeGreaterThan(0);
    for (const run of figures.runs) {
      // A record is stored at most once: added ones, and perhaps some whose answer was lost; never one
      // that was not sent.
      expect(run.records.stored).toBeGreaterThanOrEqual(run.records.added);
      expect(run.records.stored).toBeLessThanOrEqual(run.records.added + run.records.unknown);
      expect(run.records.added + run.records.unknown + run.records.notSent).toBe(run.records.sent);
    }
  }, 30_000);
});
