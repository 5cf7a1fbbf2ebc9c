/**
 * Pinned plans (docs/design.md decision 10): a plan saved with `plan --out` is applied only if
 * planning again now gives exactly it. The steps and refusals in a file are never trusted as they
 * are: an edited file cannot loosen a guard, and a changed instance is noticed before any write.
 */
import { buildManifest, type Manifest } from "../schema/index.js";
import { diff } from "./diff.js";
import type { Plan } from "./plan.js";
import { serializePlans } from "./plan-file.js";
import { fingerprint, type ReconcileClient, readInstance } from "./read.js";

/** Options of `replan`. */
export interface ReplanOptions {
  /** The REST host the client talks to (no credentials): a plan made for another is refused. */
  readonly endpoint: string;
}

/** Why a saved plan must not be applied; nothing was written. */
export type ReplanRefusal =
  /** The plan was made against another REST host (`planned`) than the client's (`actual`); no call was made. */
  | { readonly reason: "otherInstance"; readonly planned: string; readonly actual: string }
  /** The instance changed since the plan was made: its fingerprint differs. */
  | { readonly reason: "instanceChanged" }
  /** Planning again from the same desired and live state gives another plan: edited, or made by another version. */
  | { readonly reason: "notReproduced" };

/** The saved plan planned again: the fresh plan (equal to the saved one), or a refusal. */
export type ReplanResult =
  | { readonly ok: true; readonly plan: Plan }
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

/**
 * Reads the instance of a saved plan again (the same calls as `plan`) and plans again. Returns the
 * fresh plan when it is exactly the saved one; otherwise a refusal, and nothing is written. Another
 * REST host is refused before any call.
 */
export async function replan(
  saved: Plan,
  client: ReconcileClient,
  options: ReplanOptions,
): Promise<ReplanResult> {
  if (options.endpoint !== saved.instance.endpoint) {
    return {
      ok: false,
      refusal: { reason: "otherInstance", planned: saved.instance.endpoint, actual: options.endpoint },
    };
  }
  const manifest = manifestOfPlan(saved);
  const only = saved.only === undefined ? {} : { only: saved.only };
  const state = await readInstance(client, manifest, only);
  if (fingerprint(state) !== saved.fingerprint) return { ok: false, refusal: { reason: "instanceChanged" } };
  const plan = diff(manifest, state, { endpoint: options.endpoint, ...only });
  if (serializePlans([plan]) !== serializePlans([saved])) {
    return { ok: false, refusal: { reason: "notReproduced" } };
  }
  return { ok: true, plan };
}
