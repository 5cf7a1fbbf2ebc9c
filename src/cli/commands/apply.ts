import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  type ApplyEvent,
  ApplyRefusedError,
  applyPlan,
  diff,
  fingerprint,
  parsePlans,
  readInstance,
  refusals,
  renderMarkdown,
  renderText,
  serializePlans,
  summarize,
  type TypeResult,
} from "../../reconcile/index.js";
import { buildManifest, type Manifest, MarketoActivitiesError } from "../../schema/index.js";
import {
  type CliDeps,
  clientFor,
  colorsFor,
  findTargets,
  messageContext,
  type PlannedInstance,
  planInstances,
  refuseSharedEndpoints,
  type TargetOptions,
} from "../context.js";
import type { CliIO } from "../io.js";
import { checkManifests, refuseStale } from "../synth-check.js";

/** Options of `marketo-activities apply`. */
export interface ApplyOptions extends TargetOptions {
  /** A plan written by `plan --out`: apply exactly it, if the instance has not changed since. */
  readonly planFile?: string;
  readonly autoApprove?: boolean;
  readonly allowDestructive?: boolean;
  readonly discardForeignDrafts?: boolean;
  readonly format: "text" | "markdown" | "json";
  readonly color: boolean;
}

/** Re-reads the instances of a saved plan and refuses it if anything changed since (decision 10). */
async function pinnedPlans(file: string, io: CliIO, deps: CliDeps): Promise<PlannedInstance[]> {
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
  const plans = parsePlans(json, file);
  const clients = plans.map((plan) => clientFor(plan, io, deps));
  refuseSharedEndpoints(plans.map((plan, i) => ({ id: plan.instance.id, client: clients[i]! })));
  return Promise.all(
    plans.map(async (plan, i) => {
      const client = clients[i]!;
      const endpoint = new URL(client.baseUrl).host;
      if (endpoint !== plan.instance.endpoint) {
        throw new MarketoActivitiesError(
          "PlanOtherInstance",
          `${file} was made for instance "${plan.instance.id}" at ${plan.instance.endpoint}, but ${plan.instance.envPrefix}_BASE_URL points at ${endpoint}`,
          {
            hint: "run `marketo-activities plan` against this instance first, or set the variables of the instance the plan was made for",
          },
        );
      }
      const { endpoint: _endpoint, ...instance } = plan.instance;
      const manifest: Manifest = buildManifest({
        instance,
        types: plan.types.flatMap((t) => (t.desired === undefined ? [] : [t.desired])),
        retired: plan.types.filter((t) => t.desired === undefined).map((t) => t.apiName),
      });
      const only = plan.only === undefined ? {} : { only: plan.only };
      const state = await readInstance(client, manifest, only);
      if (fingerprint(state) !== plan.fingerprint) {
        throw new MarketoActivitiesError(
          "PlanStale",
          `the instance "${plan.instance.id}" changed since ${file} was made; nothing was applied`,
          { hint: "run `marketo-activities plan --out <file>` again and review the new plan" },
        );
      }
      // The refusals and steps in the file are not trusted as they are: planning again from the same
      // desired state and the same live state must give exactly the saved plan.
      const again = diff(manifest, state, { endpoint, ...only });
      if (serializePlans([again]) !== serializePlans([plan])) {
        throw new MarketoActivitiesError(
          "PlanInvalid",
          `${file} is not what this version of marketo-activities plans for instance "${plan.instance.id}" (edited by hand, or made by another version); nothing was applied`,
          { hint: "run `marketo-activities plan --out <file>` again and review the new plan" },
        );
      }
      return { found: { path: file, manifest }, client, plan };
    }),
  );
}

const PAST: Record<TypeResult["action"], string> = {
  create: "created",
  update: "updated",
  approve: "approved",
  delete: "deleted",
  noop: "unchanged",
};

const ING: Record<TypeResult["action"], string> = {
  create: "creating",
  update: "updating",
  approve: "approving",
  delete: "deleting",
  noop: "checking",
};

/** One line when a type starts and one when it ends; per-call events stay with API users. */
function progressLine(event: ApplyEvent): string | undefined {
  switch (event.kind) {
    case "start":
      return `${event.apiName}: ${ING[event.action]} (${event.steps} ${event.steps === 1 ? "call" : "calls"})...`;
    case "step":
      return undefined;
    case "done":
      return `${event.apiName}: ${PAST[event.action]}`;
    case "failed":
      return `${event.apiName}: failed: ${event.error.message}`;
  }
}

/** Brings the instances to the declared state. Exit 0 when done, 1 when refused or failed. */
export async function applyCommand(options: ApplyOptions, io: CliIO, deps: CliDeps): Promise<number> {
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
  const context = messageContext(io);
  let planned: PlannedInstance[];
  if (options.planFile !== undefined) {
    // A saved plan is what was reviewed; its instance is checked instead (pinnedPlans).
    planned = await pinnedPlans(options.planFile, io, deps);
  } else {
    const found = findTargets(options, io);
    refuseStale(checkManifests(found, io), context, io);
    planned = await planInstances(found, options, io, deps);
  }
  const plans = planned.map((p) => p.plan);
  const out = options.format === "text" ? io.stdout : io.stderr;
  if (options.format === "json") io.stdout(serializePlans(plans));
  else if (options.format === "markdown") io.stdout(renderMarkdown(plans, { context }));
  else io.stdout(renderText(plans, colorsFor(io, options.color), { context }));

  const summary = summarize(plans);
  if (summary.changes === 0) {
    out(`Nothing to apply. API calls used: ${summary.readCalls}.\n`);
    return 0;
  }
  const reasons = planned.flatMap((p) =>
    refusals(p.plan, { ...options, context }).map((r) =>
      planned.length > 1 ? `${p.plan.instance.id}: ${r}` : r,
    ),
  );
  if (reasons.length > 0)
    throw new ApplyRefusedError(planned.map((p) => p.plan.instance.id).join(", "), reasons);

  if (options.autoApprove !== true) {
    if (!io.isTTY) {
      throw new MarketoActivitiesError(
        "ConfirmationRequired",
        "apply needs confirmation, and this is not an interactive terminal",
        {
          hint:
            context === "provisioner"
              ? "this provisioner's command asks for a confirmation a provisioner cannot give (it was synthesized by another version): synthesize again with the installed cdktf-marketo-activities (`npx cdktf synth`) and deploy again"
              : "review the plan above, then run again with --auto-approve (as CI and the cdktf provisioners do)",
        },
      );
    }
    const answer = await io.prompt(`Apply these changes to Marketo? Only 'yes' will be accepted: `);
    if (answer.trim() !== "yes") {
      io.stderr("Apply cancelled; nothing was changed.\n");
      return 1;
    }
  }

  let ok = true;
  let calls = summary.readCalls;
  for (const { plan, client } of planned) {
    if (!ok) {
      // Instances are applied in dependency order (sandbox before production): stop at a failure.
      out(`Not started for instance "${plan.instance.id}": an earlier instance failed.\n`);
      continue;
    }
    const result = await applyPlan(plan, client, {
      allowDestructive: options.allowDestructive === true,
      discardForeignDrafts: options.discardForeignDrafts === true,
      context,
      onProgress: (event) => {
        const line = progressLine(event);
        if (line !== undefined) out(`  ${line}\n`);
      },
    });
    calls += result.calls;
    const done = result.types
      .filter((t) => t.outcome === "applied")
      .map((t) => `${t.apiName} ${PAST[t.action]}`);
    const failed = result.types.filter((t) => t.outcome === "failed" || t.outcome === "not started");
    if (failed.length === 0) {
      out(`Apply complete for instance "${plan.instance.id}": ${done.join(", ") || "nothing to do"}.\n`);
    } else {
      ok = false;
      out(
        `Apply stopped for instance "${plan.instance.id}": ${failed.map((t) => `${t.apiName} ${t.outcome}${t.error ? ` (${t.error.message})` : ""}`).join("; ")}.\n` +
          "Anything already written stays as a draft that the next apply recognises; run apply again to finish.\n",
      );
    }
  }
  out(`API calls used: ${calls} (${summary.readCalls} to read).\n`);
  return ok ? 0 : 1;
}
