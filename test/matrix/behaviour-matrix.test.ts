/**
 * The behaviour matrix (test/matrix/scenarios.ts): every scenario under every answer Marketo's
 * documents allow, in process on one virtual clock. Each cell converges with the calls its plans name
 * plus the resends faults forced, or refuses with the message `EXPECTED` names for it.
 * `MATRIX_REPORT=1` prints the matrix with its call counts (as `npm run bench:reconcile` does).
 */
import { afterAll, describe, expect, it } from "vitest";
import { EXPECTED, type Observed, ROWS, renderMatrix, runCell, SCENARIOS } from "./scenarios.js";

const cells = new Map<string, Observed>();

describe.each(ROWS)("behaviour matrix: $name", (row) => {
  it.each(SCENARIOS)("$name", async (scenario) => {
    const observed = await runCell(row, scenario);
    cells.set(`${row.name} / ${scenario.name}`, observed);
    const refusal = EXPECTED[`${row.name} / ${scenario.name}`];
    if (refusal !== undefined) {
      expect(observed.outcome, observed.message).toBe("refuse");
      expect(observed.message).toMatch(refusal);
    } else {
      expect(observed.outcome, observed.message).toBe("converge");
      expect(
        observed.calls - observed.retries - observed.reads,
        "calls beyond the plan's minimum, the resends and the check reads",
      ).toBe(observed.minimum);
    }
  });
});

afterAll(() => {
  if (process.env.MATRIX_REPORT === "1") process.stdout.write(renderMatrix(cells));
});
