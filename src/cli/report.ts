/**
 * What the commands tell the user, as data. Commands orchestrate and report; `render.ts` alone turns
 * a report into text for the terminal, a pull-request comment or JSON, and picks stdout or stderr.
 */
import type { MarketoClientEvent } from "../marketo/index.js";
import type { ApplyEvent, ApplyResult } from "../reconcile/index.js";
import type { SavedPlan } from "../reconcile/plan-file.js";
import type { FoundManifest } from "./manifests.js";
import type { CheckedManifest } from "./synth-check.js";

export type Report =
  /** The manifests a plan is of: when each was synthesized, and whether the code changed since. */
  | { readonly kind: "manifests"; readonly checked: readonly CheckedManifest[] }
  /** Plan refused nothing, but apply will apply a stale synth as cdktf deploy wrote it (provisioner). */
  | { readonly kind: "staleApplied"; readonly stale: readonly CheckedManifest[] }
  /** A client event while talking to an instance (retries are shown as they happen). */
  | { readonly kind: "client"; readonly instance: string; readonly event: MarketoClientEvent }
  /**
   * The plans, with what each was made from (the JSON format holds both); `checked` (plan only) adds
   * the stale-synth warning to a pull-request comment.
   */
  | {
      readonly kind: "plans";
      readonly plans: readonly SavedPlan[];
      readonly checked?: readonly CheckedManifest[];
    }
  | { readonly kind: "planSaved"; readonly file: string }
  /** `plan --fail-on-refusal`: why apply would refuse the plan. */
  | { readonly kind: "wouldRefuse"; readonly reasons: readonly string[] }
  | { readonly kind: "nothingToApply"; readonly readCalls: number }
  | { readonly kind: "cancelled" }
  | { readonly kind: "progress"; readonly event: ApplyEvent }
  | { readonly kind: "applied"; readonly result: ApplyResult }
  /** An instance not started because an earlier one failed. */
  | { readonly kind: "notStarted"; readonly instance: string }
  | { readonly kind: "callsUsed"; readonly total: number; readonly read: number }
  | { readonly kind: "validated"; readonly found: FoundManifest };

/** Where commands send their reports. */
export type Reporter = (report: Report) => void;
