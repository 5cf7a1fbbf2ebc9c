/**
 * The live state a plan is computed from: what `readInstance` reads from Marketo. The Plan itself is
 * in plan.ts, defined by its schema.
 */
import type { LeafSource } from "../schema/index.js";

/**
 * A version of a type as read from Marketo (live or draft). It has the shape a definition's leaves
 * are made of (`LeafSource`), so a definition and a version compare leaf by leaf.
 */
export type LiveVersion = LeafSource;

/** What is known about one type in the instance. */
export interface LiveType {
  readonly apiName: string;
  readonly id?: number;
  readonly name?: string;
  /** As the list shows them: trigger and filter names must be unique across the instance. */
  readonly triggerName?: string;
  readonly filterName?: string;
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
