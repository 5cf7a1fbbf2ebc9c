/**
 * What a running emulator offers its caller: the `Emulator` handle, the request log and the state
 * snapshot (docs/emulator.md).
 */
import type { Operation } from "../marketo/endpoints.js";
import type { CustomActivityTypeStatus } from "../marketo/wire.js";
import type { QuotaSnapshot } from "./limits.js";
import type { ActivityRecord } from "./model.js";
import type { FaultSpec } from "./options.js";

/** One request as the emulator saw it. Paths are logged without their query (identity puts credentials there). */
export interface RequestLogEntry {
  /** The operation matched, or `unknown` when method and path match no route (610, 605, 413, 414). */
  readonly operation: Operation | "unknown";
  readonly method: string;
  readonly path: string;
  /** The activity type's apiName from the path, for the `type/{apiName}/...` routes. */
  readonly apiName?: string;
  /** HTTP status sent; 0 when the connection was dropped without a response. */
  readonly httpStatus: number;
  /** `success` of the envelope (or HTTP 200 for identity). */
  readonly success: boolean;
  /** Response-level codes (`errors[].code`, or the OAuth `error` for identity). */
  readonly errorCodes: readonly string[];
  /** Arrival time, from the emulator's clock (epoch ms). */
  readonly at: number;
  /** Set when a fault answered the request. */
  readonly fault?: "scripted" | "random";
  readonly dropped?: "before" | "after";
}

/** An attribute in the snapshot. */
export interface SnapshotAttribute {
  readonly apiName: string;
  readonly name: string;
  readonly dataType: string;
  readonly description?: string;
}

/** A live or draft version in the snapshot. */
export interface SnapshotVersion {
  readonly name: string;
  readonly description?: string;
  readonly triggerName: string;
  readonly filterName: string;
  readonly primaryAttribute?: SnapshotAttribute;
  readonly attributes: readonly SnapshotAttribute[];
}

/** A type in the snapshot, deleted ones included. */
export interface SnapshotActivityType {
  readonly id: number;
  readonly apiName: string;
  readonly status: CustomActivityTypeStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly inUse: boolean;
  readonly live?: SnapshotVersion;
  readonly draft?: SnapshotVersion;
  readonly records: readonly ActivityRecord[];
}

/** A deep copy of the emulator's state. */
export interface EmulatorSnapshot {
  readonly activityTypes: readonly SnapshotActivityType[];
  readonly quota: QuotaSnapshot;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:53117` (use as MARKETO_BASE_URL). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * The variables that point an instance's `envPrefix` at this emulator:
   * `{ <prefix>_BASE_URL, <prefix>_CLIENT_ID, <prefix>_CLIENT_SECRET }`.
   */
  env(envPrefix?: string): Record<string, string>;
  /** Live log of completed requests, oldest first. */
  readonly requests: readonly RequestLogEntry[];
  /** A deep copy of the instance's state and the limit counters. */
  state(): EmulatorSnapshot;
  /** Adds a scripted fault at run time (without `nth`: from the next call of its operation). */
  addFault(fault: FaultSpec): void;
  /** Marks a type as used by triggers or filters (delete gives 1022), or not. */
  setInUse(apiName: string, inUse: boolean): void;
  /** Stops listening, ends every connection (keep-alive ones too) and abandons requests in progress. */
  close(): Promise<void>;
}
