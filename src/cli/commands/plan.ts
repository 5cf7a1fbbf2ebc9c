import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { refusals, renderMarkdown, renderText, serializePlans, summarize } from "../../reconcile/index.js";
import { MarketoActivitiesError } from "../../schema/index.js";
import {
  type CliDeps,
  colorsFor,
  findTargets,
  messageContext,
  planInstances,
  type TargetOptions,
} from "../context.js";
import type { CliIO } from "../io.js";
import { checkManifests, provenanceLines, staleMarkdown, staleWarning } from "../synth-check.js";

/** Options of `marketo-activities plan`. */
export interface PlanOptions extends TargetOptions {
  readonly format: "text" | "markdown" | "json";
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  /** Exit 1 when apply would refuse the plan (for pull-request checks). */
  readonly failOnRefusal?: boolean;
  readonly color: boolean;
}

/** Writes the plan file, turning a bad path into a message instead of a crash. */
function writePlanFile(io: CliIO, file: string, content: string): void {
  try {
    writeFileSync(resolve(io.cwd, file), content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new MarketoActivitiesError("Usage", `cannot write the plan to ${file} (${code})`, {
      hint: "pass --out a path in an existing directory you can write to",
    });
  }
}

/**
 * Shows what apply would change. Exit 0, or with --detailed-exitcode 0 (no changes) / 2 (changes);
 * with --fail-on-refusal, 1 when apply would refuse the plan.
 */
export async function planCommand(options: PlanOptions, io: CliIO, deps: CliDeps): Promise<number> {
  const found = findTargets(options, io);
  const context = messageContext(io);
  // Which synth the plan is of, on stderr in every format: stdout stays the plan alone.
  const checked = checkManifests(found, io);
  io.stderr(provenanceLines(checked));
  io.stderr(staleWarning(checked, "plan again"));
  const planned = await planInstances(found, options, io, deps);
  const plans = planned.map((p) => p.plan);
  if (options.format === "json") io.stdout(serializePlans(plans));
  else if (options.format === "markdown")
    io.stdout(staleMarkdown(checked) + renderMarkdown(plans, { context }));
  else io.stdout(renderText(plans, colorsFor(io, options.color), { context }));
  if (options.out !== undefined) {
    writePlanFile(io, options.out, serializePlans(plans));
    io.stderr(
      `Plan saved to ${options.out}. Apply exactly this plan with: marketo-activities apply ${options.out}\n`,
    );
  }
  if (options.failOnRefusal === true) {
    const reasons = plans.flatMap((plan) =>
      refusals(plan, { context }).map((r) => (plans.length > 1 ? `${plan.instance.id}: ${r}` : r)),
    );
    if (reasons.length > 0) {
      io.stderr(`Apply would refuse this plan:\n${reasons.map((r) => `  - ${r}`).join("\n")}\n`);
      return 1;
    }
  }
  const summary = summarize(plans);
  return options.detailedExitcode === true && summary.changes > 0 ? 2 : 0;
}
