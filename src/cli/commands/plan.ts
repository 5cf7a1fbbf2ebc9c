import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { type MessageContext, refusals, serializePlans, summarize } from "../../reconcile/index.js";
import { MarketoActivitiesError } from "../../schema/index.js";
import { type CliDeps, findTargets, planInstances, type TargetOptions } from "../context.js";
import type { CliIO } from "../io.js";
import type { Reporter } from "../report.js";
import { checkManifests } from "../synth-check.js";

/** Options of `marketo-activities plan`. */
export interface PlanOptions extends TargetOptions {
  readonly out?: string;
  readonly detailedExitcode?: boolean;
  /** Exit 1 when apply would refuse the plan (for pull-request checks). */
  readonly failOnRefusal?: boolean;
  /** Where refusal reasons are read: they offer flags only in `cli`. */
  readonly context: MessageContext;
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
 * Plans every targeted instance and reports the plans. Exit 0, or with --detailed-exitcode 0 (no
 * changes) / 2 (changes); with --fail-on-refusal, 1 when apply would refuse the plan.
 */
export async function planCommand(
  options: PlanOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<number> {
  const found = findTargets(options, io);
  const checked = checkManifests(found, io);
  report({ kind: "manifests", checked });
  const planned = await planInstances(found, options, io, deps, report);
  const plans = planned.map((p) => p.plan);
  report({ kind: "plans", plans: planned, checked });
  if (options.out !== undefined) {
    writePlanFile(io, options.out, serializePlans(planned));
    report({ kind: "planSaved", file: options.out });
  }
  if (options.failOnRefusal === true) {
    const reasons = plans.flatMap((plan) =>
      refusals(plan, { context: options.context }).map((r) =>
        plans.length > 1 ? `${plan.instance.id}: ${r}` : r,
      ),
    );
    if (reasons.length > 0) {
      report({ kind: "wouldRefuse", reasons });
      return 1;
    }
  }
  return options.detailedExitcode === true && summarize(plans).changes > 0 ? 2 : 0;
}
