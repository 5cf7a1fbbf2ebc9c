/**
 * Two applies with different code racing on one live type (test/reliability/race.ts): X adds u2, Y
 * adds u9 to a type live with u1. Every interleaving of their write and approve, under Marketo's
 * default answers and with approve answering no type (so the published version is read back).
 */
import { describe, expect, it } from "vitest";
import type { EmulatorBehaviour } from "../../src/emulator/index.js";
import { interleavings, race, raceViolations } from "./race.js";

const BEHAVIOURS: Readonly<Record<string, EmulatorBehaviour>> = {
  "default answers": {},
  "approve answering no type": { emptyResultOn: ["approveCustomActivityType"] },
};

describe.each(Object.entries(BEHAVIOURS))("two applies racing, %s", (_, behaviour) => {
  it.each(interleavings().map((script) => [script.join(" -> "), script] as const))(
    "%s: no apply reports success for a version it did not declare; a mixed version only in the window, reported",
    async (_name, script) => {
      const outcome = await race(script, behaviour);
      expect(raceViolations(outcome)).toStrictEqual([]);
      // The window is hit exactly when the other's write lands between a racer's write and approve.
      // The racer that writes first; the other's write lands before its approve, or after.
      const racer = script[0]?.startsWith("X") ? "X" : "Y";
      const late = racer === "X" ? "Y" : "X";
      const window = script.indexOf(`${late}:write`) < script.indexOf(`${racer}:approve`);
      const attributes = outcome.published[racer];
      if (window) {
        expect(outcome.windowHit[racer]).toBe(true);
        expect(attributes).toStrictEqual(["u1", "u2", "u9"]);
        expect(outcome.runs[racer].code).toBe(1);
      } else {
        // The racer that wrote first and approved before the other's write: its own version, success.
        expect(outcome.runs[racer].code).toBe(0);
        expect(attributes).toStrictEqual(racer === "X" ? ["u1", "u2"] : ["u1", "u9"]);
      }
      // Whoever wrote second saw the other's change in its draft and did not publish.
      expect(outcome.runs[late].code).toBe(1);
      expect(outcome.published[late]).toBeUndefined();
      expect(outcome.runs[late].stdout).toContain("so it was not published");
    },
  );
});
