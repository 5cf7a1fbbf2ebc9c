/**
 * `ActivityClient`: sends activity records typed from a `defineActivityType(...)` definition through
 * Add Custom Activities (docs/marketo-api.md 4.2 L), without ever sending a record twice (docs/design.md decision 13).
 *
 * This module never imports cdktf, the constructs or the emulator.
 */
import type { z } from "zod";
import {
  type CustomActivityInput,
  isLive,
  MarketoApiError,
  type MarketoClient,
  type MarketoErrorDetail,
  MarketoOutcomeUnknownError,
  type WireCustomActivityResult,
  type WireCustomActivityType,
} from "../marketo/index.js";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  MAX_ACTIVITIES_PER_CALL,
  MAX_REQUEST_BYTES,
  MarketoActivitiesError,
  parseActivityType,
} from "../schema/index.js";
import {
  ActivityRecordsInvalidError,
  ActivitySendError,
  ActivityTypeNotReadyError,
  type SendStop,
} from "./errors.js";
import {
  type ActivityRecord,
  checkRecords,
  ENVELOPE_BYTES,
  recordSchema,
  type WireRecord,
} from "./records.js";

/** Options of `new ActivityClient(...)`. */
export interface ActivityClientOptions {
  /**
   * Most records per `addCustomActivities` call, 1 to 300. Batches are also kept under 1 MB of JSON.
   * @default 300 (Marketo's maximum, docs/marketo-api.md 4.2 L)
   */
  readonly batchSize?: number | undefined;
}

/**
 * What happened to one record, and whether it may be sent again. Only `unknown` records are unsafe to
 * resend as they are: activity records are write-once, so a second send makes a duplicate
 * (docs/marketo-api.md 4.2 L).
 */
export type RecordStatus =
  /** Marketo added it. Do not send it again. */
  | "added"
  /** Marketo refused it; `errors` says why (e.g. 1004 Lead not found). Nothing was stored: send it again once fixed. */
  | "skipped"
  /**
   * It was sent, and Marketo may or may not have stored it (its batch failed after the request may
   * have been carried out: a timeout, a connection lost after sending, a 5xx, an answer that cannot
   * be matched to the records). Check the lead's activity log before sending it again.
   */
  | "unknown"
  /**
   * Not stored, safe to send again as it is: its batch was never sent because an earlier one failed,
   * or Marketo refused its batch as a whole before doing anything (a 6xx answer means the request
   * failed completely and was not executed, docs/marketo-api.md 2.2; also 607 and other refusals).
   */
  | "notSent";

/** The result of one record, at its index in the input. */
export interface RecordResult {
  /** The record's index in the records passed to `send`. */
  readonly index: number;
  readonly status: RecordStatus;
  /**
   * Marketo's id of the added record, when its answer has one. The swagger says `id` "may not be
   * present" (after the Activity Service migration; docs/marketo-api.md 4.1); `null` reads as absent.
   * A record answered `added` without it is still `added`.
   */
  readonly id?: number;
  /** Marketo's GUID of the added record, when its answer has one (absent or `null` likewise). */
  readonly marketoGUID?: string;
  /** Why Marketo skipped the record (1xxx codes); also set for an `unknown` record Marketo answered oddly. */
  readonly errors?: readonly MarketoErrorDetail[];
}

/** What `send` resolves with. */
export interface SendResult {
  /** One result per input record, in input order (`results[i].index === i`). */
  readonly results: readonly RecordResult[];
  /** Records Marketo added. */
  readonly added: number;
  /** Records Marketo refused one by one (see each result's `errors`). */
  readonly skipped: number;
  /** Records sent whose outcome is unknown: not sent again, to avoid duplicates; check before resending. */
  readonly unknown: number;
  /** Records not stored because sending stopped early (never sent, or refused with their batch): safe to resend. */
  readonly notSent: number;
  /**
   * Calls this send made through the `MarketoClient`: the `listCustomActivityTypes` call when it had
   * to look the type up (once per `ActivityClient`), plus one per batch it sent. Resends inside the
   * client (606, 615, 601/602) are not included: see `MarketoClient.usage()`.
   */
  readonly calls: number;
  /** Why sending stopped early; absent when every batch got an answer. Its message says which records were sent. */
  readonly error?: ActivitySendError;
}

interface ResolvedType {
  readonly id: number;
  /** Whether this lookup made the list call. */
  readonly listed: boolean;
}

/**
 * Sends activity records of types declared with `defineActivityType`, with records typed and checked
 * against the definition:
 *
 * ```ts
 * const activities = new ActivityClient(MarketoClient.fromEnv());
 * const result = await activities.send(webinar, [
 *   { leadId: 42, activityDate: new Date(), primaryAttributeValue: "Intro to IaC", attributes: { minutesWatched: 37 } },
 * ]);
 * if (result.error) console.error(result.error.message); // which records were sent, and which were not
 * ```
 *
 * `send` rejects only when it sent nothing: records that do not fit the definition
 * (`ActivityRecordsInvalidError`, listing every problem), a type that is not deployed and approved
 * (`ActivityTypeNotReadyError`), an invalid definition, or a failed list call. Once it has started
 * sending it always resolves, with a status for every record; `result.error` says why it stopped early.
 */
export class ActivityClient {
  private readonly client: MarketoClient;
  private readonly batchSize: number;
  /** The instance's custom activity types, listed once per client; forgotten when a lookup fails. */
  private types: Promise<readonly WireCustomActivityType[]> | undefined;
  /** Parsed definition and record schema per definition object. */
  private readonly schemas = new WeakMap<
    object,
    { definition: ActivityTypeDefinition; schema: z.ZodType<WireRecord, unknown> }
  >();

  /** @param client the REST client of the instance; its limits and retries apply to every call */
  constructor(client: MarketoClient, options: ActivityClientOptions = {}) {
    const batchSize = options.batchSize ?? MAX_ACTIVITIES_PER_CALL;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_ACTIVITIES_PER_CALL)
      throw new RangeError(`batchSize must be a whole number from 1 to ${MAX_ACTIVITIES_PER_CALL}`);
    this.client = client;
    this.batchSize = batchSize;
  }

  /**
   * Checks every record against `definition`, looks the type's id up (one list call per client),
   * and sends the records in batches of at most 300, one batch after the other.
   *
   * Never sends a record twice. When a batch's outcome is unknown (`MarketoOutcomeUnknownError`: a
   * timeout, a connection lost after sending, a 5xx), its records are `unknown` and later batches are
   * not sent (`notSent`), so that the caller can check and reconcile. A batch Marketo refused as a whole
   * (a 6xx answer: not executed, docs/marketo-api.md 2.2; the `MarketoClient` resends it first, and
   * this is after it gave up) or any other refusal leaves that batch and the later ones `notSent`:
   * not stored, safe to resend. In both cases `send` resolves, with `result.error` set.
   */
  public async send<const D extends ActivityTypeInput>(
    definition: D,
    records: readonly ActivityRecord<NoInfer<D>>[],
  ): Promise<SendResult> {
    const { definition: parsed, schema } = this.compile(definition);
    if (!Array.isArray(records))
      throw new MarketoActivitiesError(
        "ActivityRecordsInvalid",
        `send needs an array of activity records for "${parsed.apiName}", but got ${typeof records}; nothing was sent`,
        { hint: "pass the records as an array, e.g. send(definition, [record])" },
      );
    const checked = checkRecords(schema, records);
    if (!checked.ok) throw new ActivityRecordsInvalidError(parsed.apiName, records.length, checked.issues);
    if (checked.records.length === 0)
      return { results: [], added: 0, skipped: 0, unknown: 0, notSent: 0, calls: 0 };

    const type = await this.resolveType(parsed.apiName);
    const wire = checked.records.map(
      (record): CustomActivityInput => ({
        leadId: record.leadId,
        activityDate: record.activityDate,
        activityTypeId: type.id,
        primaryAttributeValue: record.primaryAttributeValue,
        attributes: record.attributes.map((a) => ({ apiName: a.apiName, value: a.value })),
      }),
    );
    return this.sendBatches(parsed.apiName, wire, type.listed ? 1 : 0);
  }

  /** Parses the definition and builds its record schema once per definition object. */
  private compile(definition: ActivityTypeInput) {
    const cached = this.schemas.get(definition);
    if (cached !== undefined) return cached;
    const parsed = parseActivityType(definition);
    const entry = { definition: parsed, schema: recordSchema(parsed) };
    this.schemas.set(definition, entry);
    return entry;
  }

  /**
   * The type's id, from one `listCustomActivityTypes` call per client. A lookup that fails (the type
   * is missing or not approved, or the call failed) forgets the list, so the next send lists again
   * and sees a type deployed in the meantime.
   */
  private async resolveType(apiName: string): Promise<ResolvedType> {
    let listed = false;
    let pending = this.types;
    if (pending === undefined) {
      listed = true;
      pending = this.client.listCustomActivityTypes();
      this.types = pending;
    }
    const forget = () => {
      if (this.types === pending) this.types = undefined;
    };
    let types: readonly WireCustomActivityType[];
    try {
      types = await pending;
    } catch (error) {
      forget();
      throw error;
    }
    const matches = types.filter((t) => t.apiName === apiName && t.status !== "deleted");
    // A type without a status cannot be checked here; Marketo refuses its records one by one if it
    // is not approved, which sends nothing twice.
    const live = matches.find((t) => t.status === undefined || isLive(t.status));
    if (live === undefined) {
      forget();
      const found = matches[0];
      if (found === undefined) throw new ActivityTypeNotReadyError(apiName, this.client.baseUrl, "notFound");
      throw new ActivityTypeNotReadyError(apiName, this.client.baseUrl, "notApproved", found.status);
    }
    if (live.id === undefined) {
      forget();
      throw new ActivityTypeNotReadyError(apiName, this.client.baseUrl, "noId");
    }
    return { id: live.id, listed };
  }

  /** Sends the batches one after the other; stops at the first batch that fails. */
  private async sendBatches(
    apiName: string,
    wire: readonly CustomActivityInput[],
    listCalls: number,
  ): Promise<SendResult> {
    const results: RecordResult[] = [];
    const batches = this.batches(wire);
    let calls = listCalls;
    let error: ActivitySendError | undefined;
    for (const [batchIndex, [start, end]] of batches.entries()) {
      let answers: WireCustomActivityResult[];
      let failure: { outcome: "unknown" | "notSent"; cause: unknown } | undefined;
      calls++;
      try {
        answers = await this.client.addCustomActivities(wire.slice(start, end));
        if (answers.length !== end - start)
          failure = {
            outcome: "unknown",
            cause: new MarketoActivitiesError(
              "ActivityResultsMismatch",
              `Marketo answered ${answers.length} results for ${end - start} records, so they cannot be matched to the records`,
            ),
          };
      } catch (caught) {
        answers = [];
        failure = { outcome: outcomeOf(caught), cause: caught };
      }
      if (failure === undefined) {
        answers.forEach((answer, offset) => {
          results.push(resultOf(start + offset, answer));
        });
        continue;
      }
      const before = tally(results);
      for (let index = start; index < end; index++) results.push({ index, status: failure.outcome });
      for (let index = end; index < wire.length; index++) results.push({ index, status: "notSent" });
      const stop: SendStop = {
        apiName,
        batch: batchIndex + 1,
        batches: batches.length,
        first: start,
        last: end - 1,
        total: wire.length,
        added: before.added,
        skipped: before.skipped,
        unknownBefore: before.unknown,
        outcome: failure.outcome,
      };
      error = new ActivitySendError(stop, failure.cause);
      break;
    }
    const counts = tally(results);
    return error === undefined ? { results, ...counts, calls } : { results, ...counts, calls, error };
  }

  /** `[start, end)` ranges of at most `batchSize` records and `MAX_REQUEST_BYTES` of JSON each. */
  private batches(wire: readonly unknown[]): [number, number][] {
    const ranges: [number, number][] = [];
    let start = 0;
    let bytes = ENVELOPE_BYTES;
    wire.forEach((record, index) => {
      const size = Buffer.byteLength(JSON.stringify(record)) + (index > start ? 1 : 0); // the comma
      if (index > start && (index - start >= this.batchSize || bytes + size > MAX_REQUEST_BYTES)) {
        ranges.push([start, index]);
        start = index;
        bytes = ENVELOPE_BYTES + size - 1;
        return;
      }
      bytes += size;
    });
    if (start < wire.length) ranges.push([start, wire.length]);
    return ranges;
  }
}

/**
 * Whether a failed batch may have been stored (`unknown`) or certainly was not (`notSent`).
 *
 * The client raises `MarketoOutcomeUnknownError` for every failure of `addCustomActivities` after
 * which Marketo may have stored the records; that stays unknown. Any other error of the client is a
 * refusal of the whole batch: a 6xx answer means the request failed completely and was not executed
 * (docs/marketo-api.md 2.2; the client resends it first and raises its last answer when it gives up),
 * and the others (607, 603, 413, ...) come before any work. Except when an earlier attempt of the same
 * call left the outcome open (`afterAmbiguousAttempt`): a refusal of the resend says nothing about the
 * first. An error that is not the client's (a bug) cannot be judged, so it counts as unknown as well.
 */
function outcomeOf(error: unknown): "unknown" | "notSent" {
  if (error instanceof MarketoOutcomeUnknownError) return "unknown";
  // Defensive: the pipeline never resends addCustomActivities after an attempt whose outcome was
  // open (it raises MarketoOutcomeUnknownError there), so this holds only if that ever changes.
  if (error instanceof MarketoApiError && error.afterAmbiguousAttempt) return "unknown";
  return error instanceof MarketoActivitiesError ? "notSent" : "unknown";
}

function resultOf(index: number, answer: WireCustomActivityResult): RecordResult {
  const errors = [...(answer.errors ?? []), ...(answer.reasons ?? [])].map((e) => ({
    code: e.code,
    message: e.message ?? "",
  }));
  const ids = {
    ...(answer.id === undefined ? {} : { id: answer.id }),
    ...(answer.marketoGUID === undefined ? {} : { marketoGUID: answer.marketoGUID }),
  };
  if (answer.status === "added" && errors.length === 0) return { index, status: "added", ...ids };
  if (answer.status === "skipped" || (answer.status === undefined && errors.length > 0))
    return { index, status: "skipped", errors };
  // Another status ("created", "updated", ...) or "added" with errors: report, never resend.
  return { index, status: "unknown", ...ids, ...(errors.length === 0 ? {} : { errors }) };
}

function tally(results: readonly RecordResult[]) {
  const counts = { added: 0, skipped: 0, unknown: 0, notSent: 0 };
  for (const result of results) counts[result.status]++;
  return counts;
}
