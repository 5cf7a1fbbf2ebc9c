import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  ApplyRefusedError,
  applyPlan,
  type MessageContext,
  type Plan,
  parsePlans,
  type ReplanRefusal,
  refusals,
  replan,
  summarize,
} from "../../reconcile/index.js";
import { MarketoActivitiesError } from "../../schema/index.js";
import {
  type CliDeps,
  clientFor,
  findTargets,
  type PlannedInstance,
  planInstances,
  refuseSharedEndpoints,
  settingsFor,
  type TargetOptions,
} from "../context.js";
import type { CliIO } from "../io.js";
import type { Reporter } from "../report.js";
import { checkManifests, refuseStale } from "../synth-check.js";

/** Options of `marketo-activities apply`. */
export interface ApplyOptions extends TargetOptions {
  /** A plan written by `plan --out`: apply exactly it, if the instance has not changed since. */
  readonly planFile?: string;
  readonly autoApprove?: boolean;
  readonly allowDestructive?: boolean;
  readonly discardForeignDrafts?: boolean;
  /** Where messages are read: a provisioner cannot add flags or confirm. */
  readonly context: MessageContext;
}

/** Reads a plan file written by `plan --out`. */
function readPlanFile(file: string, io: CliIO): Plan[] {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), "utf8");
  } catch {
    throw new MarketoActivitiesError("Usage", `cannot read plan file ${file}`, {
      hint: "write one with `marketo-activities plan --out <file>`, or run apply without a plan file",
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new MarketoActivitiesError("PlanInvalid", `${file} is not valid JSON`, {
      hint: "write a new plan with `marketo-activities plan --out <file>`",
    });
  }
  return parsePlans(json, file);
}

/** The error for a saved plan that `replan` refused. */
function refusedPlanError(file: string, plan: Plan, refusal: ReplanRefusal): MarketoActivitiesError {
  const again = { hint: "run `marketo-activities plan --out <file>` again and review the new plan" };
  switch (refusal.reason) {
    case "otherInstance":
      return new MarketoActivitiesError(
        "PlanOtherInstance",
        `${file} was made for instance "${plan.instance.id}" at ${refusal.planned}, but ${plan.instance.envPrefix}_BASE_URL points at ${refusal.actual}`,
        {
          hint: "run `marketo-activities plan` against this instance first, or set the variables of the instance the plan was made for",
        },
      );
    case "instanceChanged":
      return new MarketoActivitiesError(
        "PlanStale",
        `the instance "${plan.instance.id}" changed since ${file} was made; nothing was applied`,
        again,
      );
    case "notReproduced":
      return new MarketoActivitiesError(
        "PlanInvalid",
        `${file} is not what this version of marketo-activities plans for instance "${plan.instance.id}" (edited by hand, or made by another version); nothing was applied`,
        again,
      );
  }
}

/** Plans the instances of a saved plan again, and refuses it if anything changed since (decision 10). */
async function pinnedPlans(
  file: string,
  options: ApplyOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<PlannedInstance[]> {
  const settings = settingsFor(options, deps);
  const saved = readPlanFile(file, io);
  const clients = saved.map((plan) => clientFor(plan, io, settings, report));
  refuseSharedEndpoints(saved.map((plan, i) => ({ id: plan.instance.id, client: clients[i]! })));
  return Promise.all(
    saved.map(async (plan, i) => {
      const client = clients[i]!;
      const result = await replan(plan, client, { endpoint: new URL(client.baseUrl).host });
      if (!result.ok) throw refusedPlanError(file, plan, result.refusal);
      return { client, plan: result.plan };
    }),
  );
}

/** Asks for confirmation unless --auto-approve; false when the user said anything but yes. */
async function confirmed(options: ApplyOptions, io: CliIO): Promise<boolean> {
  if (options.autoApprove === true) return true;
  if (!io.isTTY) {
    throw new MarketoActivitiesError(
      "ConfirmationRequired",
      "apply needs confirmation, and this is not an interactive terminal",
      {
        hint:
          options.context === "provisioner"
            ? "this provisioner's command asks for a confirmation a provisioner cannot give (it was synthesized by another version): synthesize again with the installed cdktf-marketo-activities (`npx cdktf synth`) and deploy again"
            : "review the plan above, then run again with --auto-approve (as CI and the cdktf provisioners do)",
      },
    );
  }
  const answer = await io.prompt(`Apply these changes to Marketo? Only 'yes' will be accepted: `);
  return answer.trim() === "yes";
}

/** Brings the instances to the declared state. Exit 0 when done, 1 when refused or failed. */
export async function applyCommand(
  options: ApplyOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<number> {
  if (
    options.planFile !== undefined &&
    (options.manifest?.length || options.stack?.length || options.only?.length)
  ) {
    throw new MarketoActivitiesError(
      "Usage",
      "a plan file carries its own scope: --manifest, --stack and --only do not apply to it",
      {
        hint: `run \`marketo-activities apply ${options.planFile}\` alone, or make a plan with those options first`,
      },
    );
  }
  const { context } = options;
  let planned: PlannedInstance[];
  if (options.planFile !== undefined) {
    // A saved plan is what was reviewed; its instance is checked instead (pinnedPlans).
    planned = await pinnedPlans(options.planFile, options, io, deps, report);
  } else {
    const found = findTargets(options, io);
    report({ kind: "staleApplied", stale: refuseStale(checkManifests(found, io), context) });
    planned = await planInstances(found, options, io, deps, report);
  }
  const plans = planned.map((p) => p.plan);
  report({ kind: "plans", plans });

  const summary = summarize(plans);
  if (summary.changes === 0) {
    report({ kind: "nothingToApply", readCalls: summary.readCalls });
    return 0;
  }
  const reasons = plans.flatMap((plan) =>
    refusals(plan, { ...options, context }).map((r) => (plans.length > 1 ? `${plan.instance.id}: ${r}` : r)),
  );
  if (reasons.length > 0) throw new ApplyRefusedError(plans.map((p) => p.instance.id).join(", "), reasons);
  if (!(await confirmed(options, io))) {
    report({ kind: "cancelled" });
    return 1;
  }

  let ok = true;
  let calls = summary.readCalls;
  for (const { plan, client } of planned) {
    if (!ok) {
      // Instances are applied in dependency order (sandbox before production): stop at a failure.
      report({ kind: "notStarted", instance: plan.instance.id });
      continue;
    }
    const result = await applyPlan(plan, client, {
      allowDestructive: options.allowDestructive === true,
      discardForeignDrafts: options.discardForeignDrafts === true,
      context,
      onProgress: (event) => report({ kind: "progress", event }),
    });
    calls += result.calls;
    report({ kind: "applied", result });
    ok = result.ok;
  }
  report({ kind: "callsUsed", total: calls, read: summary.readCalls });
  return ok ? 0 : 1;
}
