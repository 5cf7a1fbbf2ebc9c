/**
 * Pinned plans (docs/design.md decision 10): a plan saved with `plan --out` is applied only if it is
 * exactly what the checked-out code plans for the instance as it is now. The steps, refusals and
 * limits in a file are never trusted as they are, and the desired state is never taken from the file:
 *
 * 1. before any call, the manifest the code synthesizes now must have the digest the plan records,
 *    and planning again from that manifest and the instance state the plan records must give the
 *    saved plan, byte for byte (an edited file is refused without a call to Marketo);
 * 2. then the instance is read again (the calls `plan` makes): its fingerprint must be the plan's,
 *    and the plan made from the manifest and the state read must again be the saved one.
 */
import { buildManifest, type Manifest, manifestDigest, stableStringify } from "../schema/index.js";
import { diff } from "./diff.js";
import type { Plan } from "./plan.js";
import { planText, type SavedPlan } from "./plan-file.js";
import { fingerprint, type ReconcileClient, readInstance } from "./read.js";

/** Options of `replan`. */
export interface ReplanOptions {
  /** The REST host the client talks to (no credentials): a plan made for another is refused. */
  readonly endpoint: string;
  /** The manifest of the plan's instance as the checked-out code synthesizes it now. */
  readonly manifest: Manifest;
}

/**
 * Where a saved plan and what the code gives differ: a dotted path (types and attributes by apiName:
 * `types[webinarAttended].steps`), the value the file has and the value the code gives (undefined:
 * absent).
 */
export interface Difference {
  readonly path: string;
  readonly saved: unknown;
  readonly current: unknown;
}

/** Why a saved plan must not be applied; nothing was written. */
export type ReplanRefusal =
  /** The plan was made against another REST host (`planned`) than the client's (`actual`); no call was made. */
  | { readonly reason: "otherInstance"; readonly planned: string; readonly actual: string }
  /**
   * The manifest the code synthesizes now is not the one the plan was made from: the plan's desired
   * state against the manifest, in the plan's scope (only `manifestDigest` when they differ elsewhere).
   * No call was made.
   */
  | { readonly reason: "manifestChanged"; readonly differences: readonly Difference[] }
  /** The instance changed since the plan was made: its fingerprint differs. */
  | { readonly reason: "instanceChanged" }
  /**
   * Planning again from the manifest and the state gives another plan: the file was edited, or made by
   * another version. `beforeAnyCall`: found from the state the file records, before any call.
   */
  | {
      readonly reason: "notReproduced";
      readonly differences: readonly Difference[];
      readonly beforeAnyCall: boolean;
    };

/** The saved plan planned again: the fresh plan (equal to the saved one), or a refusal. */
export type ReplanResult =
  | { readonly ok: true; readonly plan: SavedPlan }
  | { readonly ok: false; readonly refusal: ReplanRefusal };

/** The desired state a plan was made from: its instance, the declared definitions and the tombstones. */
export function manifestOfPlan(plan: Plan): Manifest {
  const { endpoint: _endpoint, ...instance } = plan.instance;
  return buildManifest({
    instance,
    types: plan.types.flatMap((t) => (t.desired === undefined ? [] : [t.desired])),
    retired: plan.types.filter((t) => t.desired === undefined).map((t) => t.apiName),
  });
}

/** The part of a manifest a plan made with `only` covers, in canonical order. */
function scoped(manifest: Manifest, only: readonly string[] | undefined): Manifest {
  const wanted = (apiName: string) => only === undefined || only.includes(apiName);
  return buildManifest({
    instance: manifest.instance,
    types: manifest.types.filter((t) => wanted(t.apiName)),
    retired: manifest.retired.filter(wanted),
  });
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const keyedByApiName = (value: unknown): value is { apiName: string }[] =>
  Array.isArray(value) &&
  value.every((item) => isRecord(item) && typeof item["apiName"] === "string") &&
  new Set(value.map((item) => (item as { apiName: string }).apiName)).size === value.length;

/**
 * Every place two JSON values differ, as paths. Objects are compared key by key, lists of things with
 * an apiName by apiName, other lists and values as a whole.
 */
export function differences(saved: unknown, current: unknown, path = ""): Difference[] {
  const at = (key: string) => (path === "" ? key : `${path}.${key}`);
  if (isRecord(saved) && isRecord(current)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(current)])].sort();
    return keys.flatMap((key) => differences(saved[key], current[key], at(key)));
  }
  if (keyedByApiName(saved) && keyedByApiName(current)) {
    const byName = (list: { apiName: string }[]) => new Map(list.map((item) => [item.apiName, item]));
    const [a, b] = [byName(saved), byName(current)];
    const names = [...new Set([...a.keys(), ...b.keys()])].sort();
    return names.flatMap((name) => differences(a.get(name), b.get(name), `${path}[${name}]`));
  }
  return stableStringify(saved) === stableStringify(current) ? [] : [{ path, saved, current }];
}

/**
 * Checks a saved plan against the code and the instance state it records, before any call: the
 * endpoint, the manifest's digest, and the plan made again from the manifest and that state. Returns
 * the refusal, or undefined when the file is exactly what the code plans from what it read.
 */
export function verifySavedPlan(saved: SavedPlan, options: ReplanOptions): ReplanRefusal | undefined {
  const { plan } = saved;
  if (options.endpoint !== plan.instance.endpoint) {
    return { reason: "otherInstance", planned: plan.instance.endpoint, actual: options.endpoint };
  }
  const digest = manifestDigest(options.manifest);
  if (digest !== saved.manifestDigest) {
    const found = differences(manifestOfPlan(plan), scoped(options.manifest, plan.only));
    return {
      reason: "manifestChanged",
      differences:
        found.length > 0 ? found : [{ path: "manifestDigest", saved: saved.manifestDigest, current: digest }],
    };
  }
  const recorded = fingerprint(saved.state);
  if (recorded !== plan.fingerprint) {
    return {
      reason: "notReproduced",
      differences: [{ path: "fingerprint", saved: plan.fingerprint, current: recorded }],
      beforeAnyCall: true,
    };
  }
  const again = diff(options.manifest, saved.state, {
    endpoint: plan.instance.endpoint,
    ...(plan.only === undefined ? {} : { only: plan.only }),
  });
  const found = differences(JSON.parse(planText(plan)), JSON.parse(planText(again)));
  return found.length === 0
    ? undefined
    : { reason: "notReproduced", differences: found, beforeAnyCall: true };
}

/**
 * Plans a saved plan again from the checked-out code (`options.manifest`): first without a call
 * (`verifySavedPlan`), then from the instance read again (the same calls as `plan`). Returns the fresh
 * plan when it is exactly the saved one; otherwise a refusal, and nothing is written.
 */
export async function replan(
  saved: SavedPlan,
  client: ReconcileClient,
  options: ReplanOptions,
): Promise<ReplanResult> {
  const refusal = verifySavedPlan(saved, options);
  if (refusal !== undefined) return { ok: false, refusal };
  const only = saved.plan.only === undefined ? {} : { only: saved.plan.only };
  const state = await readInstance(client, options.manifest, only);
  if (fingerprint(state) !== saved.plan.fingerprint) {
    return { ok: false, refusal: { reason: "instanceChanged" } };
  }
  const plan = diff(options.manifest, state, { endpoint: options.endpoint, ...only });
  const found = differences(JSON.parse(planText(saved.plan)), JSON.parse(planText(plan)));
  if (found.length > 0) {
    return { ok: false, refusal: { reason: "notReproduced", differences: found, beforeAnyCall: false } };
  }
  return { ok: true, plan: { plan, manifestDigest: saved.manifestDigest, state } };
}
