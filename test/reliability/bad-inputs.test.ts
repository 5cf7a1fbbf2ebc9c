/**
 * Every bad input of test/reliability/bad-inputs.ts (construct props, hand-edited manifests, tampered
 * plan files, the environment, CLI flags, server answers) ends in one clear message with a fix, no
 * stack trace, exit code 1, and nothing written to Marketo.
 */
import { describe, expect, it } from "vitest";
import { type Area, BAD_INPUTS, judge } from "./bad-inputs.js";

describe("bad inputs", () => {
  it("number at least 120, in every area", () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(120);
    const areas: Area[] = ["props", "manifest", "plan file", "environment", "flags", "server"];
    for (const area of areas)
      expect(BAD_INPUTS.filter((r) => r.area === area).length).toBeGreaterThanOrEqual(10);
    const names = BAD_INPUTS.map((r) => `${r.area}: ${r.name}`);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(BAD_INPUTS.map((r) => [`${r.area}: ${r.name}`, r] as const))(
    "%s: one clear message with a fix, nothing written",
    async (_name, row) => {
      const answer = await row.answer();
      expect(judge(row, answer), answer.text).toStrictEqual([]);
    },
  );
});
