/**
 * Errors of the typed activity client. The long wording lives here, in one place (STYLE 2.4).
 */
import { MarketoOutcomeUnknownError } from "../marketo/index.js";
import { formatIssue, MarketoActivitiesError } from "../schema/index.js";
import type { RecordIssue } from "./records.js";

/** At most this many problems are spelt out in a message; `issues` holds all of them. */
const MAX_LISTED_ISSUES = 20;

/** `record 5` or `records 300-599` (indexes in the input, inclusive). */
export function recordRange(first: number, last: number): string {
  return first === last ? `record ${first}` : `records ${first}-${last}`;
}

/** `Record 5` or `Records 300-599`, to start a sentence. */
function RecordRange(first: number, last: number): string {
  const range = recordRange(first, last);
  return `${range.charAt(0).toUpperCase()}${range.slice(1)}`;
}

/**
 * Some records do not fit the definition. Raised by `send` before any call to Marketo, so nothing
 * was sent; `issues` lists every problem of every record, each with the record's `index`.
 */
export class ActivityRecordsInvalidError extends MarketoActivitiesError {
  /** The activity type's apiName. */
  public readonly apiName: string;
  /** Every problem, in record order. */
  public readonly issues: readonly RecordIssue[];
  /** Indexes of the invalid records, ascending. */
  public readonly invalidIndexes: readonly number[];

  /** @param total the number of records passed to `send` */
  constructor(apiName: string, total: number, issues: readonly RecordIssue[]) {
    const indexes = [...new Set(issues.map((issue) => issue.index))].sort((a, b) => a - b);
    const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `  - ${formatIssue(issue)}`);
    const more =
      issues.length > MAX_LISTED_ISSUES
        ? [`  ... and ${issues.length - MAX_LISTED_ISSUES} more problems (see error.issues)`]
        : [];
    const problems = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(
      "ActivityRecordsInvalid",
      [
        `${indexes.length} of ${total} activity records for "${apiName}" do not fit its definition (${problems}); nothing was sent:`,
        ...listed,
        ...more,
      ].join("\n"),
      { hint: "fix the records listed (their index is in brackets) and call send again" },
    );
    this.apiName = apiName;
    this.issues = issues;
    this.invalidIndexes = indexes;
  }
}

/** Why a type cannot take records. */
export type ActivityTypeNotReadyReason = "notFound" | "notApproved" | "noId";

/**
 * The activity type is not on the instance, or has no approved (live) version: Marketo accepts
 * records only for approved types (docs/marketo-api.md 4.2 F). Raised before any record is sent.
 */
export class ActivityTypeNotReadyError extends MarketoActivitiesError {
  /** The activity type's apiName. */
  public readonly apiName: string;
  /** What is missing. */
  public readonly reason: ActivityTypeNotReadyReason;
  /** The status Marketo listed, e.g. `draft`, when the type was found. */
  public readonly status: string | undefined;

  constructor(apiName: string, baseUrl: string, reason: ActivityTypeNotReadyReason, status?: string) {
    const messages: Record<ActivityTypeNotReadyReason, string> = {
      notFound: `activity type "${apiName}" does not exist on the Marketo instance ${baseUrl}, so its activity records cannot be sent; nothing was sent`,
      notApproved: `activity type "${apiName}" has no approved version on the Marketo instance ${baseUrl} (status "${status ?? ""}"); Marketo accepts activity records only for approved types, so nothing was sent`,
      noId: `Marketo listed activity type "${apiName}" without its id, which records must name; nothing was sent`,
    };
    const hints: Record<ActivityTypeNotReadyReason, string> = {
      notFound:
        'deploy it first: declare it as a CustomActivityType and run "cdktf deploy" or "marketo-activities apply" against this instance, then send again',
      notApproved:
        'approve it first: run "marketo-activities apply" with approval on (the default), or approve the type in Marketo Admin > Marketo Custom Activities, then send again',
      noId: "check the instance's custom activity types in Marketo Admin; if the type is there, report this with Marketo's response",
    };
    super("ActivityTypeNotReady", messages[reason], { hint: hints[reason] });
    this.apiName = apiName;
    this.reason = reason;
    this.status = status;
  }
}

/** Where a send stopped: the batch that failed, and what is known about each range of records. */
export interface SendStop {
  /** The activity type's apiName. */
  readonly apiName: string;
  /** 1-based number of the batch that failed, and how many batches there were. */
  readonly batch: number;
  readonly batches: number;
  /** First and last input index of the failed batch. */
  readonly first: number;
  readonly last: number;
  /** Number of records passed to `send`. */
  readonly total: number;
  /** Counts among the records before the failed batch. */
  readonly added: number;
  readonly skipped: number;
  /** Records before the failed batch whose own result was unknown (an unexpected status). */
  readonly unknownBefore: number;
  /** What happened to the failed batch. */
  readonly outcome: "unknown" | "notSent";
}

/** What happened to the records before the failed batch, as a sentence without its period. */
function sentBefore(stop: SendStop): string {
  if (stop.first === 0) return "No earlier record was sent";
  const parts = [`${stop.added} added`, `${stop.skipped} skipped`];
  if (stop.unknownBefore > 0) parts.push(`${stop.unknownBefore} with an unknown result`);
  return `${RecordRange(0, stop.first - 1)} ${stop.first === 1 ? "was" : "were"} sent (${parts.join(", ")})`;
}

/** `Records 300-649 were not sent` (first to last, inclusive). */
function notSent(first: number, last: number): string {
  return `${RecordRange(first, last)} ${first === last ? "was" : "were"} not sent`;
}

/** `Records 300-649 were not stored: they can be sent again as they are` (first to last, inclusive). */
function notStored(first: number, last: number): string {
  return first === last
    ? `${RecordRange(first, last)} was not stored: it can be sent again as it is`
    : `${RecordRange(first, last)} were not stored: they can be sent again as they are`;
}

/**
 * A send stopped before every batch got an answer. It is not thrown: `send` resolves with the
 * per-record result and puts this error in `result.error`; its message says which records were sent,
 * which may or may not have been added (`outcome: "unknown"`: check before resending them) and which
 * were not stored (Marketo refused the failed batch as a whole, e.g. a 6xx answer, which means it was
 * not executed, docs/marketo-api.md 2.2; or they were never sent): those can be sent again as they
 * are. `cause` is the client's error.
 */
export class ActivitySendError extends MarketoActivitiesError {
  /** The activity type's apiName. */
  public readonly apiName: string;
  /** Whether the failed batch's records may have been added (`unknown`) or certainly were not (`notSent`). */
  public readonly outcome: "unknown" | "notSent";
  /** First and last input index of the failed batch. */
  public readonly failedRange: readonly [first: number, last: number];

  constructor(stop: SendStop, cause: unknown) {
    const failed = recordRange(stop.first, stop.last);
    const where = `sending activity records for "${stop.apiName}" stopped at batch ${stop.batch} of ${stop.batches} (${failed})`;
    const reason = describeCause(cause);
    let sentences: string[];
    let hint: string;
    if (stop.outcome === "unknown") {
      sentences = [
        `${where}: Marketo may or may not have added them (${reason}), so they were not sent again`,
        sentBefore(stop),
        ...(stop.last + 1 < stop.total ? [notSent(stop.last + 1, stop.total - 1)] : []),
      ];
      hint = `check the leads' activity logs in Marketo for ${failed} before sending them again (activity records cannot be updated or deleted through the API); records with status "notSent" can be sent again as they are`;
    } else {
      sentences = [`${where}: ${reason}`, sentBefore(stop), notStored(stop.first, stop.total - 1)];
      const causeHint = cause instanceof MarketoActivitiesError ? cause.hint : undefined;
      const then = 'send the records with status "notSent" again; the others were already sent';
      hint = causeHint === undefined ? then : `${causeHint}. Then ${then}`;
    }
    super("ActivitySendStopped", sentences.join(". "), { cause, hint });
    this.apiName = stop.apiName;
    this.outcome = stop.outcome;
    this.failedRange = [stop.first, stop.last];
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof MarketoOutcomeUnknownError)
    return `addCustomActivities failed after sending: ${cause.reason}`;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/\.$/, "");
}
