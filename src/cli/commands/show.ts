import type { CliIO } from "../io.js";
import type { Reporter } from "../report.js";
import { readPlanFile } from "./apply.js";

/** Options of `marketo-activities show`. */
export interface ShowOptions {
  /** A plan saved with `plan --out`. */
  readonly planFile: string;
}

/**
 * Renders a saved plan as `plan` renders the plans it makes, with no credentials and no call: for a
 * plan made elsewhere (another job, another machine). It checks the file's format only; `apply`
 * checks the plan against the code and the instance before applying it (docs/plan-format.md).
 */
export async function showCommand(options: ShowOptions, io: CliIO, report: Reporter): Promise<number> {
  report({ kind: "plans", plans: readPlanFile(options.planFile, io) });
  return 0;
}
