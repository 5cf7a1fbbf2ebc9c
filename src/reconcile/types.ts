/**
 * The Plan: what `plan` shows and `apply` does. JSON-serialisable and versioned, so
 * `plan --out plan.json` can be reviewed, kept as a CI artifact and applied later (pinned).
 * The JSON format is documented in docs/plan-format.md.
 */

import type { AttributeRequest, CustomActivityTypeRequest } from "../marketo/wire.js";
import type { ActivityTypeDefinition, InstanceSettings } from "../schema/index.js";

/** The plan format this version writes and reads. */
export const PLAN_FORMAT_VERSION = 1;

/** How much a change can hurt: decision 9 of docs/design.md. */
export type Risk = "safe" | "risky" | "destructive";

/** What happens to a type. `approve`: only publishing an earlier draft of ours. */
export type Action = "create" | "update" | "approve" | "delete" | "noop";

/** One field's change, under the same dotted keys as the Terraform triggers. */
export interface FieldChange {
  /** `name`, `primaryAttribute.dataType`, `attributes.minutesWatched` (whole attribute), ... */
  readonly path: string;
  readonly kind: "add" | "change" | "remove";
  readonly before?: string;
  readonly after?: string;
  readonly risk: Risk;
  /** Why it has this risk, in a reviewer's words. */
  readonly note?: string;
}

/** One REST call apply makes; steps map one to one onto client calls. */
export type Step =
  | { readonly op: "createType"; readonly request: CustomActivityTypeRequest }
  | { readonly op: "updateType"; readonly request: CustomActivityTypeRequest }
  | { readonly op: "createAttributes"; readonly attributes: readonly AttributeRequest[] }
  | { readonly op: "updateAttributes"; readonly attributes: readonly AttributeRequest[] }
  | { readonly op: "deleteAttributes"; readonly apiNames: readonly string[] }
  | { readonly op: "discardDraft" }
  | { readonly op: "approve" }
  | { readonly op: "deleteType" };

/** The state of the type's draft (decision 8). */
export type DraftState = "none" | "ours" | "foreign";

/** The plan for one declared or retired apiName. */
export interface TypePlan {
  readonly apiName: string;
  readonly action: Action;
  /** The highest risk among the changes. */
  readonly risk: Risk;
  /** Marketo's status before apply, or `absent`. */
  readonly status: string;
  readonly draft: DraftState;
  readonly changes: readonly FieldChange[];
  /** The REST calls apply makes for this type, in order. */
  readonly steps: readonly Step[];
  /** Set when apply must not run this type as planned: a foreign draft. */
  readonly conflict?: string;
  /** Set when destructive changes are not allowed by the definition (allowDestructiveChanges). */
  readonly destructiveNotAllowed?: boolean;
  /** Extra facts for the reviewer (a draft left for review, a tombstone for a missing type). */
  readonly notes: readonly string[];
  /** The desired definition (absent for tombstones). */
  readonly desired?: ActivityTypeDefinition;
}

/** A type in the instance that no manifest declares or retires: listed, never touched. */
export interface UnmanagedType {
  readonly apiName: string;
  readonly name?: string;
  readonly status?: string;
}

/** The plan for one Marketo instance. */
export interface Plan {
  readonly formatVersion: typeof PLAN_FORMAT_VERSION;
  readonly instance: InstanceSettings & {
    /** The REST host the plan was made against (no credentials). Apply refuses another. */
    readonly endpoint: string;
  };
  /** When set, the plan covers only these apiNames (`--only`). */
  readonly only?: readonly string[];
  readonly types: readonly TypePlan[];
  readonly unmanaged: readonly UnmanagedType[];
  readonly limits: {
    readonly maxActivityTypes: number;
    /** Types in the instance now (deleted ones excluded), unmanaged included. */
    readonly current: number;
    /** After apply: current + creates - deletes. */
    readonly afterApply: number;
    readonly ok: boolean;
  };
  /** Hash of the live state the plan was computed from: apply refuses a plan whose instance changed. */
  readonly fingerprint: string;
  /** REST calls used to read the instance for this plan, and the calls apply will make. */
  readonly calls: { readonly read: number; readonly apply: number };
}

/** A version of a type as read from Marketo (live or draft). */
export interface LiveVersion {
  readonly name?: string;
  readonly triggerName?: string;
  readonly filterName?: string;
  readonly description?: string;
  readonly primaryAttribute?: LiveAttribute;
  readonly attributes: readonly LiveAttribute[];
}

export interface LiveAttribute {
  readonly apiName: string;
  readonly name?: string;
  readonly dataType?: string;
  readonly description?: string;
}

/** What is known about one type in the instance. */
export interface LiveType {
  readonly apiName: string;
  readonly id?: number;
  readonly name?: string;
  readonly status: string;
  /** The approved version, when one exists and was read. */
  readonly live?: LiveVersion;
  /** The draft, when one exists and was read. */
  readonly draft?: LiveVersion;
}

/** The instance as read for a plan. */
export interface LiveState {
  /** Every type the list endpoint returned, in list form (no attributes). */
  readonly listed: readonly LiveType[];
  /** The declared types that exist, described (live and draft versions). */
  readonly described: readonly LiveType[];
  /** REST calls used to read. */
  readonly calls: number;
}
