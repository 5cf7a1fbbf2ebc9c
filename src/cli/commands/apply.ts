import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { MarketoClient } from "../../marketo/index.js";
import {
  ApplyRefusedError,
  applyPlan,
  type MessageContext,
  parsePlans,
  refusals,
  summarize,
} from "../../reconcile/index.js";
import type { SavedPlan } from "../../reconcile/plan-file.js";
import { type Difference, type ReplanRefusal, replan, verifySavedPlan } from "../../reconcile/replan.js";
import { isUserError, MarketoActivitiesError, manifestDigest } from "../../schema/index.js";
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
import type { FoundManifest } from "../manifests.js";
import {
  APPLY_OUTCOMES,
  type ApplyOutcome,
  type InstanceRun,
  REFUSAL_CODES,
  type Report,
  type Reporter,
} from "../report.js";
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

/** Reads a plan file written by `plan --out` (apply and show). */
export function readPlanFile(file: string, io: CliIO): SavedPlan[] {
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
  refuseManifest(json, file);
  return parsePlans(json, file);
}

/** Keys every saved plan has and a manifest never does (docs/plan-format.md, src/schema/manifest.ts). */
const PLAN_ONLY_KEYS = ["fingerprint", "limits", "unmanaged", "calls", "manifestDigest", "state", "plans"];

/**
 * A manifest given where the saved plan goes (`apply marketo-activities.prod.json`): recognised by its
 * shape (`instance` and `types`, none of a plan's own keys), since its formatVersion 1 would otherwise
 * read as a plan of format 1 made by an earlier version.
 */
function refuseManifest(json: unknown, file: string): void {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return;
  if (!("instance" in json && "types" in json) || PLAN_ONLY_KEYS.some((key) => key in json)) return;
  const { instance } = json as { instance?: { id?: unknown } };
  const id =
    typeof instance?.id === "string" ? ` for instance ${JSON.stringify(instance.id.slice(0, 60))}` : "";
  throw new MarketoActivitiesError(
    "Usage",
    `${file} is a manifest (what \`cdktf synth\` writes${id}), not a saved plan: apply's argument is a plan saved with \`marketo-activities plan --out <file>\`, and a manifest is given with --manifest <file>; nothing was applied`,
    {
      hint: `apply the manifest with \`marketo-activities apply --manifest ${file}\`, or save a plan to review first with \`marketo-activities plan --manifest ${file} --out plan.json\` and apply it with \`marketo-activities apply plan.json --manifest ${file}\``,
    },
  );
}

const FIND_MANIFESTS =
  "run apply in the app directory the plan was made in, after `npx cdktf synth`, or pass the instance's manifest with --manifest <file>";
const NEW_PLAN =
  "synthesize again (`npx cdktf synth`), make a new plan from the code as it is now with `marketo-activities plan --out <file>`, review it and apply that";

/**
 * The manifests the code synthesizes now, found as `apply` finds them (cdktf.out, or --manifest):
 * a plan is checked against these, never against the desired state it carries.
 */
function currentManifests(file: string, options: ApplyOptions, io: CliIO): FoundManifest[] {
  try {
    return findTargets(
      {
        ...(options.manifest ? { manifest: options.manifest } : {}),
        ...(options.stack ? { stack: options.stack } : {}),
      },
      io,
    );
  } catch (error) {
    if (!isUserError(error) || error.code !== "Usage") throw error;
    throw new MarketoActivitiesError(
      "Usage",
      `${file} is checked against the manifests the checked-out code synthesizes, and none was found: ${error.message}; nothing was applied`,
      { hint: FIND_MANIFESTS },
    );
  }
}

/**
 * The manifest of a saved plan's instance: the one with the plan's instance id (the one the plan was
 * made from when several stacks have that id, else the one with its envPrefix).
 */
function manifestFor(saved: SavedPlan, found: readonly FoundManifest[], file: string): FoundManifest {
  const { id, envPrefix } = saved.plan.instance;
  const byId = found.filter((f) => f.manifest.instance.id === id);
  const chosen =
    byId.find((f) => manifestDigest(f.manifest) === saved.manifestDigest) ??
    byId.find((f) => f.manifest.instance.envPrefix === envPrefix) ??
    byId[0];
  if (chosen !== undefined) return chosen;
  throw new MarketoActivitiesError(
    "PlanNoManifest",
    `${file} is for instance "${id}", which none of the manifests found declares (${found.map((f) => `${f.path}: instance "${f.manifest.instance.id}"`).join(", ")}); nothing was applied`,
    { hint: FIND_MANIFESTS },
  );
}

/** A value in a refusal: `3`, `"Webinar"`, `absent`, `a list of 2`. */
function shown(value: unknown): string {
  if (value === undefined) return "absent";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

/** `limits.maxActivityTypes is 100 in plan.json, 3 from the code; ...`, the first few. */
function describeDifferences(differences: readonly Difference[], saved: string, current: string): string {
  const first = differences
    .slice(0, 4)
    .map((d) => `${d.path} is ${shown(d.saved)} ${saved}, ${shown(d.current)} ${current}`);
  const more = differences.length > 4 ? `; and ${differences.length - 4} more` : "";
  return `${first.join("; ")}${more}`;
}

/** The error for a saved plan that `verifySavedPlan` or `replan` refused. */
function refusedPlanError(
  file: string,
  saved: SavedPlan,
  manifest: FoundManifest,
  refusal: ReplanRefusal,
): MarketoActivitiesError {
  const { plan } = saved;
  switch (refusal.reason) {
    case "otherInstance":
      return new MarketoActivitiesError(
        "PlanOtherInstance",
        `${file} was made for instance "${plan.instance.id}" at ${refusal.planned}, but ${manifest.manifest.instance.envPrefix}_BASE_URL points at ${refusal.actual}`,
        {
          hint: "run `marketo-activities plan` against this instance first, or set the variables of the instance the plan was made for",
        },
      );
    case "manifestChanged": {
      const [only] = refusal.differences;
      const what =
        refusal.differences.length === 1 && only?.path === "manifestDigest"
          ? plan.only !== undefined
            ? `types outside the plan's --only scope (${plan.only.join(", ")}) changed`
            : "its manifestDigest does not match, though its desired state does (the file was edited)"
          : describeDifferences(refusal.differences, `in ${file}`, "in the manifest");
      return new MarketoActivitiesError(
        "PlanNotFromCode",
        `${file} was not made from the code checked out now: the manifest of instance "${plan.instance.id}" (${manifest.path}) is not the one the plan was made from: ${what}; nothing was applied`,
        { hint: NEW_PLAN },
      );
    }
    case "instanceChanged":
      return new MarketoActivitiesError(
        "PlanStale",
        `the instance "${plan.instance.id}" changed since ${file} was made; nothing was applied`,
        { hint: "run `marketo-activities plan --out <file>` again and review the new plan" },
      );
    case "notReproduced":
      return new MarketoActivitiesError(
        "PlanInvalid",
        `${file} is not the plan the checked-out code makes for instance "${plan.instance.id}" ${refusal.beforeAnyCall ? "from the instance state the plan records" : "from the instance as read now"} (the file was edited, or made by another version of marketo-activities): ${describeDifferences(refusal.differences, `in ${file}`, "planned again")}; nothing was applied`,
        { hint: `${NEW_PLAN}; never edit a plan file` },
      );
  }
}

/**
 * Plans the instances of a saved plan again from the code checked out now, and refuses it unless it
 * is exactly that plan and the instance has not changed since (docs/design.md decision 10). Every
 * check that needs no call runs for every instance first: an edited file makes no call at all.
 */
async function pinnedPlans(
  file: string,
  options: ApplyOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<PlannedInstance[]> {
  const saved = readPlanFile(file, io);
  const found = currentManifests(file, options, io);
  const manifests = saved.map((s) => manifestFor(s, found, file));
  report({ kind: "staleApplied", stale: refuseStale(checkManifests(manifests, io), options.context) });
  const settings = settingsFor(options, deps);
  // Credentials of the instance the code declares, not of whatever the file says.
  const clients = manifests.map((f) => clientFor(f.manifest, io, settings, report));
  refuseSharedEndpoints(saved.map((s, i) => ({ id: s.plan.instance.id, client: clients[i]! })));
  const checks = saved.map((s, i) => ({
    saved: s,
    found: manifests[i]!,
    client: clients[i]!,
    options: { endpoint: new URL(clients[i]!.baseUrl).host, manifest: manifests[i]!.manifest },
  }));
  for (const check of checks) {
    const refusal = verifySavedPlan(check.saved, check.options);
    if (refusal !== undefined) throw refusedPlanError(file, check.saved, check.found, refusal);
  }
  return Promise.all(
    checks.map(async (check) => {
      const result = await replan(check.saved, check.client, check.options);
      if (!result.ok) throw refusedPlanError(file, check.saved, check.found, result.refusal);
      return { client: check.client, ...result.plan };
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

/**
 * Counts the REST calls made for each type: every client call `applyPlan` makes names its type (an
 * apiName, or a create request's), and runs in that type's async context, in which the client
 * reports each request it sends (`attempt`, retries included). Types run side by side, so the
 * client's overall usage cannot tell them apart.
 */
class CallsByType {
  readonly #scope = new AsyncLocalStorage<string>();
  #counts = new Map<string, number>();

  /** A reporter that counts the requests sent within a type's calls, then passes every report on. */
  reporter(report: Reporter): Reporter {
    return (r: Report) => {
      if (r.kind === "client" && r.event.type === "attempt" && r.event.operation !== "identity") {
        const apiName = this.#scope.getStore();
        if (apiName !== undefined) this.#counts.set(apiName, (this.#counts.get(apiName) ?? 0) + 1);
      }
      report(r);
    };
  }

  /** The client, with each call that names a type run in that type's context. */
  client(client: MarketoClient): MarketoClient {
    const scope = this.#scope;
    return new Proxy(client, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          const [first] = args;
          const apiName =
            typeof first === "string"
              ? first
              : typeof first === "object" && first !== null && "apiName" in first
                ? String(first.apiName)
                : undefined;
          const call = () => value.apply(target, args) as unknown;
          return apiName === undefined ? call() : scope.run(apiName, call);
        };
      },
    });
  }

  /** The counts since the last call, and a fresh start for the next instance. */
  take(): ReadonlyMap<string, number> {
    const counts = this.#counts;
    this.#counts = new Map();
    return counts;
  }
}

/**
 * Brings the instances to the declared state. Exit 0 when done, 1 when refused or failed. Ends with
 * one `applyOutcome` report (the JSON result, docs/apply-result.md), also when an error stops it;
 * the error is then thrown on, for the CLI to print.
 */
export async function applyCommand(
  options: ApplyOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<number> {
  const calls = new CallsByType();
  let planned: PlannedInstance[] = [];
  const runs: InstanceRun[] = [];
  let readCalls = 0;
  const end = (outcome: ApplyOutcome, error?: unknown) =>
    report({
      kind: "applyOutcome",
      outcome,
      plans: planned,
      runs,
      readCalls,
      ...(error === undefined ? {} : { error }),
    });
  try {
    const outcome = await applyInstances(options, io, deps, calls, report, {
      planned: (p) => {
        planned = p;
        readCalls = summarize(p.map((i) => i.plan)).readCalls;
      },
      ran: (run) => runs.push(run),
    });
    end(outcome);
    return APPLY_OUTCOMES[outcome].exitCode;
  } catch (error) {
    const code = isUserError(error) ? error.code : undefined;
    end(
      runs.length > 0 ? "failed" : code !== undefined && REFUSAL_CODES.has(code) ? "refused" : "error",
      error,
    );
    throw error;
  }
}

/** Plans (or checks the saved plan), confirms and applies; tells `track` what it planned and ran. */
async function applyInstances(
  options: ApplyOptions,
  io: CliIO,
  deps: CliDeps,
  calls: CallsByType,
  report: Reporter,
  track: { planned(planned: PlannedInstance[]): void; ran(run: InstanceRun): void },
): Promise<ApplyOutcome> {
  if (options.planFile !== undefined && options.only?.length) {
    throw new MarketoActivitiesError(
      "Usage",
      "a plan file carries its own scope: --only does not apply to it",
      {
        hint: `run \`marketo-activities apply ${options.planFile}\` without --only, or make a plan with --only first`,
      },
    );
  }
  const { context } = options;
  const counting = calls.reporter(report);
  let planned: PlannedInstance[];
  if (options.planFile !== undefined) {
    // A saved plan is what was reviewed: it is checked against the code and the instance (pinnedPlans).
    planned = await pinnedPlans(options.planFile, options, io, deps, counting);
  } else {
    const found = findTargets(options, io);
    report({ kind: "staleApplied", stale: refuseStale(checkManifests(found, io), context) });
    planned = await planInstances(found, options, io, deps, counting);
  }
  track.planned(planned);
  const plans = planned.map((p) => p.plan);
  report({ kind: "plans", plans: planned, applying: true });

  const summary = summarize(plans);
  if (summary.changes === 0) {
    report({ kind: "nothingToApply", readCalls: summary.readCalls });
    return "nothingToApply";
  }
  const reasons = plans.flatMap((plan) =>
    refusals(plan, { ...options, context }).map((r) => (plans.length > 1 ? `${plan.instance.id}: ${r}` : r)),
  );
  if (reasons.length > 0) throw new ApplyRefusedError(plans.map((p) => p.instance.id).join(", "), reasons);
  if (!(await confirmed(options, io))) {
    report({ kind: "cancelled" });
    return "cancelled";
  }

  let ok = true;
  let used = summary.readCalls;
  for (const { plan, client } of planned) {
    if (!ok) {
      // Instances are applied in dependency order (sandbox before production): stop at a failure.
      report({ kind: "notStarted", instance: plan.instance.id });
      track.ran({ started: false, instance: plan.instance.id });
      continue;
    }
    const result = await applyPlan(plan, calls.client(client), {
      allowDestructive: options.allowDestructive === true,
      discardForeignDrafts: options.discardForeignDrafts === true,
      context,
      onProgress: (event) => report({ kind: "progress", event }),
    });
    used += result.calls;
    track.ran({ started: true, result, callsByType: calls.take() });
    report({ kind: "applied", result });
    ok = result.ok;
  }
  report({ kind: "callsUsed", total: used, read: summary.readCalls });
  return ok ? "applied" : "failed";
}
