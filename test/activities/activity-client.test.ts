/**
 * `ActivityClient` against the real emulator (in process, port 0), seeded with types built from the
 * definitions in ./fixtures.ts. The `MarketoClient` gets a no-op `sleep`, so backoff costs no time.
 * Calls are counted from the emulator's request log; stored records from `emulator.state()`.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  ActivityClient,
  type ActivityClientOptions,
  type ActivityRecord,
  ActivityRecordsInvalidError,
  ActivitySendError,
  ActivityTypeNotReadyError,
  MarketoApiError,
  MarketoClient,
  type MarketoClientSettings,
  MarketoOutcomeUnknownError,
  type SendResult,
} from "../../src/client.js";
import {
  type Emulator,
  type EmulatorOptions,
  type FaultSpec,
  startEmulator,
} from "../../src/emulator/index.js";
import { virtualClock } from "../helpers/clock.js";
import { scoreChanged, webinar } from "./fixtures.js";

type WebinarRecord = ActivityRecord<typeof webinar>;

/** The fix every refused date-time shows. */
const DATE_TIME_FIX =
  'pass a Date, or a string with seconds and an offset such as "2026-01-15T12:00:00Z" or "2026-01-15T12:00:00-05:00"';

const running: Emulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/**
 * The emulator (webinar approved unless `seed` says otherwise), a MarketoClient and an ActivityClient.
 * `settings` overrides the MarketoClient's (e.g. a virtual clock, so that its time bounds are reached).
 */
async function setup(
  options: EmulatorOptions = {},
  activityOptions?: ActivityClientOptions,
  settings: MarketoClientSettings = {},
) {
  const emulator = await startEmulator({
    seed: { activityTypes: [{ ...webinar, id: 100001, status: "approved" }] },
    ...options,
  });
  running.push(emulator);
  const client = new MarketoClient({
    baseUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    sleep: async () => {},
    ...settings,
  });
  return { emulator, client, activities: new ActivityClient(client, activityOptions) };
}

/** REST calls of one operation in the emulator's log. */
function callsOf(emulator: Emulator, operation: string) {
  return emulator.requests.filter((r) => r.operation === operation);
}

function storedRecords(emulator: Emulator, apiName = "webinarAttended") {
  return emulator.state().activityTypes.find((t) => t.apiName === apiName)?.records ?? [];
}

/** `count` records with leadIds 1..count (so each stored record can be traced to its input). */
function manyRecords(count: number): WebinarRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    leadId: i + 1,
    activityDate: "2026-01-15T12:00:00Z",
    primaryAttributeValue: `Session ${i}`,
    attributes: { minutesWatched: i },
  }));
}

function statuses(result: SendResult): string[] {
  return result.results.map((r) => r.status);
}

function repeat(status: string, count: number): string[] {
  return Array(count).fill(status);
}

describe("sending typed records", () => {
  it("sends records of every data type and stores them with the values serialised for Marketo", async () => {
    const { emulator, activities } = await setup();
    const joined = new Date(Date.UTC(2026, 0, 15, 12, 5, 30, 250));
    const result = await activities.send(webinar, [
      {
        leadId: 42,
        activityDate: new Date(Date.UTC(2026, 0, 15, 12, 0, 0)),
        primaryAttributeValue: "Intro to IaC",
        attributes: {
          minutesWatched: 37,
          rating: 4.5,
          ticketPrice: 19.99,
          askedQuestion: false,
          sessionDay: new Date(Date.UTC(2026, 0, 15, 23, 59)),
          joinedAt: joined,
          recordingUrl: "https://example.com/rec/1",
          hostEmail: "host@example.com",
          hostPhone: "+1 555 0100",
          notes: "Asked about state locking.",
          track: "Platform",
        },
      },
      {
        leadId: 43,
        activityDate: "2026-01-16T09:30:00+02:00",
        primaryAttributeValue: "Advanced IaC",
        attributes: { sessionDay: "2026-01-16", joinedAt: "2026-01-16T09:31:00+02:00" },
      },
      { leadId: 44, activityDate: "2026-01-17T10:00:00Z", primaryAttributeValue: "No attributes" },
    ]);

    expect(result.error).toBeUndefined();
    expect({
      added: result.added,
      skipped: result.skipped,
      unknown: result.unknown,
      notSent: result.notSent,
    }).toStrictEqual({ added: 3, skipped: 0, unknown: 0, notSent: 0 });
    expect(result.results.map((r) => [r.index, r.status])).toStrictEqual([
      [0, "added"],
      [1, "added"],
      [2, "added"],
    ]);
    const stored = storedRecords(emulator);
    expect(result.results.map((r) => r.marketoGUID)).toStrictEqual(stored.map((r) => r.marketoGUID));
    expect(result.results.map((r) => r.id)).toStrictEqual(stored.map((r) => r.id));
    expect(
      stored.map(({ leadId, activityDate, primaryAttributeValue, attributes }) => ({
        leadId,
        activityDate,
        primaryAttributeValue,
        attributes,
      })),
    ).toStrictEqual([
      {
        leadId: 42,
        activityDate: "2026-01-15T12:00:00.000Z",
        primaryAttributeValue: "Intro to IaC",
        // In the definition's order; a Date is sent as ISO 8601, as its UTC day for a `date`.
        attributes: [
          { apiName: "minutesWatched", value: 37 },
          { apiName: "rating", value: 4.5 },
          { apiName: "ticketPrice", value: 19.99 },
          { apiName: "askedQuestion", value: false },
          { apiName: "sessionDay", value: "2026-01-15" },
          { apiName: "joinedAt", value: "2026-01-15T12:05:30.250Z" },
          { apiName: "recordingUrl", value: "https://example.com/rec/1" },
          { apiName: "hostEmail", value: "host@example.com" },
          { apiName: "hostPhone", value: "+1 555 0100" },
          { apiName: "notes", value: "Asked about state locking." },
          { apiName: "track", value: "Platform" },
        ],
      },
      {
        leadId: 43,
        activityDate: "2026-01-16T09:30:00+02:00",
        primaryAttributeValue: "Advanced IaC",
        attributes: [
          { apiName: "sessionDay", value: "2026-01-16" },
          { apiName: "joinedAt", value: "2026-01-16T09:31:00+02:00" },
        ],
      },
      {
        leadId: 44,
        activityDate: "2026-01-17T10:00:00Z",
        primaryAttributeValue: "No attributes",
        attributes: [],
      },
    ]);
    expect(emulator.requests.map((r) => r.operation)).toStrictEqual([
      "identity",
      "listCustomActivityTypes",
      "addCustomActivities",
    ]);
    expect(result.calls).toBe(2);
  });

  it("sends a primary value of another data type as the string Marketo takes", async () => {
    const { emulator, activities } = await setup({
      seed: { activityTypes: [{ ...scoreChanged, status: "approved" }] },
    });
    const result = await activities.send(scoreChanged, [
      { leadId: 7, activityDate: "2026-01-15T12:00:00Z", primaryAttributeValue: 1250 },
    ]);
    expect(statuses(result)).toStrictEqual(["added"]);
    expect(storedRecords(emulator, "scoreChanged").map((r) => r.primaryAttributeValue)).toStrictEqual([
      "1250",
    ]);
  });

  it("sends 650 records in 3 sequential batches of at most 300, with one list call, results in input order", async () => {
    const { emulator, activities } = await setup();
    const result = await activities.send(webinar, manyRecords(650));

    expect(callsOf(emulator, "listCustomActivityTypes")).toHaveLength(1);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(3);
    expect(result.calls).toBe(4);
    expect(result.added).toBe(650);
    expect(result.results.map((r) => r.index)).toStrictEqual(Array.from({ length: 650 }, (_, i) => i));
    const stored = storedRecords(emulator);
    expect(stored.map((r) => r.leadId)).toStrictEqual(Array.from({ length: 650 }, (_, i) => i + 1));
    // Each result carries the GUID of the record stored for that input.
    expect(result.results.map((r) => r.marketoGUID)).toStrictEqual(stored.map((r) => r.marketoGUID));
  });

  it("looks the type up once per ActivityClient, however many sends", async () => {
    const { emulator, activities } = await setup();
    await activities.send(webinar, manyRecords(2));
    const second = await activities.send(webinar, manyRecords(3));
    await Promise.all([activities.send(webinar, manyRecords(1)), activities.send(webinar, manyRecords(1))]);
    expect(callsOf(emulator, "listCustomActivityTypes")).toHaveLength(1);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(4);
    expect(second.calls).toBe(1);
  });

  it("honours a smaller batchSize", async () => {
    const { emulator, client, activities } = await setup({}, { batchSize: 100 });
    const result = await activities.send(webinar, manyRecords(250));
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(3);
    expect(result.added).toBe(250);
    expect(() => new ActivityClient(client, { batchSize: 301 })).toThrow(RangeError);
    expect(() => new ActivityClient(client, { batchSize: 0 })).toThrow(RangeError);
  });

  it("keeps every request under 1 MB: 300 large records go in two calls instead of an HTTP 413", async () => {
    const { emulator, activities } = await setup();
    const notes = "n".repeat(5_000); // 300 records of about 5 KB: 1.5 MB in one request
    const records = manyRecords(300).map((r) => ({ ...r, attributes: { ...r.attributes, notes } }));
    const result = await activities.send(webinar, records);
    expect(result.error).toBeUndefined();
    expect(result.added).toBe(300);
    const adds = callsOf(emulator, "addCustomActivities");
    expect(adds).toHaveLength(2);
    expect(adds.every((r) => r.httpStatus === 200 && r.success)).toBe(true);
    expect(storedRecords(emulator)).toHaveLength(300);
  });

  it("makes no call for no records", async () => {
    const { emulator, activities } = await setup();
    const result = await activities.send(webinar, []);
    expect(result).toStrictEqual({ results: [], added: 0, skipped: 0, unknown: 0, notSent: 0, calls: 0 });
    expect(emulator.requests).toHaveLength(0);
  });
});

describe("the activity type must be deployed and approved", () => {
  it("refuses a type that is only a draft, with no add call, and sends once it is approved", async () => {
    const { emulator, client, activities } = await setup({
      seed: { activityTypes: [{ ...webinar, status: "draft" }] },
    });
    const error = await activities.send(webinar, manyRecords(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityTypeNotReadyError);
    const notReady = error as ActivityTypeNotReadyError;
    expect(notReady.reason).toBe("notApproved");
    expect(notReady.status).toBe("draft");
    expect(notReady.message).toContain('activity type "webinarAttended" has no approved version');
    expect(notReady.message).toContain('(status "draft")');
    expect(notReady.message).toContain("nothing was sent");
    expect(notReady.hint).toMatch(/^approve it first/);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(0);
    expect(storedRecords(emulator)).toHaveLength(0);

    // A failed lookup is not cached: once the type is approved, the next send lists again and goes through.
    await client.approveCustomActivityType("webinarAttended");
    const result = await activities.send(webinar, manyRecords(2));
    expect(result.added).toBe(2);
    expect(callsOf(emulator, "listCustomActivityTypes")).toHaveLength(2);
  });

  it("refuses a type that is not on the instance, telling the user to deploy it", async () => {
    const { emulator, activities } = await setup({ seed: { activityTypes: [] } });
    const error = await activities.send(webinar, manyRecords(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityTypeNotReadyError);
    expect((error as ActivityTypeNotReadyError).reason).toBe("notFound");
    expect((error as Error).message).toBe(
      `activity type "webinarAttended" does not exist on the Marketo instance ${emulator.url}, so its activity records cannot be sent; nothing was sent`,
    );
    expect((error as ActivityTypeNotReadyError).hint).toMatch(/^deploy it first/);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(0);
  });

  it("sends to an approved type that also has a draft", async () => {
    const { activities } = await setup({
      seed: { activityTypes: [{ ...webinar, status: "approved with draft" }] },
    });
    expect((await activities.send(webinar, manyRecords(1))).added).toBe(1);
  });
});

describe("invalid records", () => {
  it("reports every invalid record with its index and field before making any call", async () => {
    const { emulator, activities } = await setup();
    const records = [
      ...manyRecords(2),
      { ...manyRecords(1)[0], attributes: { minutesWatched: "37" } },
      { ...manyRecords(1)[0], attributes: { minutesWatched: 1.5, bogus: 1 } },
      { leadId: 0, activityDate: "yesterday", primaryAttributeValue: 5 },
      { leadId: 9, activityDate: new Date(Number.NaN), primaryAttributeValue: "x", primaryValue: "y" },
      {
        ...manyRecords(1)[0],
        attributes: { sessionDay: "2026-02-30", joinedAt: "15/01/2026", askedQuestion: "no" },
      },
    ] as unknown as WebinarRecord[];

    const error = await activities.send(webinar, records).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityRecordsInvalidError);
    const invalid = error as ActivityRecordsInvalidError;
    expect(invalid.invalidIndexes).toStrictEqual([2, 3, 4, 5, 6]);
    expect(invalid.issues.map((i) => [i.index, i.path])).toStrictEqual([
      [2, "records[2].attributes.minutesWatched"],
      [3, "records[3].attributes.minutesWatched"],
      [3, "records[3].attributes.bogus"],
      [4, "records[4].leadId"],
      [4, "records[4].activityDate"],
      [4, "records[4].primaryAttributeValue"],
      [5, "records[5].activityDate"],
      [5, "records[5].primaryValue"],
      [6, "records[6].attributes.askedQuestion"],
      [6, "records[6].attributes.sessionDay"],
      [6, "records[6].attributes.joinedAt"],
    ]);
    expect(invalid.message.split("\n")).toStrictEqual([
      '5 of 7 activity records for "webinarAttended" do not fit its definition (11 problems); nothing was sent:',
      '  - records[2].attributes.minutesWatched: got "37"; must be a whole number (attribute "minutesWatched" has dataType "integer"). Fix: pass a number without a fraction, such as 42',
      '  - records[3].attributes.minutesWatched: got 1.5; must be a whole number (attribute "minutesWatched" has dataType "integer"). Fix: pass a number without a fraction, such as 42',
      '  - records[3].attributes.bogus: got 1; is not an attribute of "webinarAttended"; allowed: minutesWatched, rating, ticketPrice, askedQuestion, sessionDay, joinedAt, recordingUrl, hostEmail, hostPhone, notes, track. Fix: remove it, check the spelling, or declare the attribute in the definition and deploy it',
      "  - records[4].leadId: got 0; leadId must be 1 or more. Fix: pass the lead's numeric id, such as 42",
      `  - records[4].activityDate: got "yesterday"; must be a Date or a string in Marketo's date-time format YYYY-MM-DDThh:mm:ss with Z, +hh:mm or -hh:mm (when the activity happened); it is not in that form. Fix: ${DATE_TIME_FIX}`,
      '  - records[4].primaryAttributeValue: got 5; must be a string (the primary attribute "webinarName" has dataType "string"). Fix: pass a string',
      `  - records[5].activityDate: got "Invalid Date"; is an invalid Date (its time is NaN); it must be a Date or a string in Marketo's date-time format YYYY-MM-DDThh:mm:ss with Z, +hh:mm or -hh:mm (when the activity happened). Fix: ${DATE_TIME_FIX}`,
      '  - records[5].primaryValue: got "y"; is not a field of an activity record; allowed: leadId, activityDate, primaryAttributeValue, attributes. Fix: remove it or check the spelling; attribute values go under attributes',
      '  - records[6].attributes.askedQuestion: got "no"; must be true or false (attribute "askedQuestion" has dataType "boolean"). Fix: pass true or false',
      `  - records[6].attributes.sessionDay: got "2026-02-30"; must be a Date or a string in Marketo's date format YYYY-MM-DD (attribute "sessionDay" has dataType "date"); that day does not exist. Fix: pass a Date (sent as its UTC day) or a string such as "2026-01-15"`,
      `  - records[6].attributes.joinedAt: got "15/01/2026"; must be a Date or a string in Marketo's date-time format YYYY-MM-DDThh:mm:ss with Z, +hh:mm or -hh:mm (attribute "joinedAt" has dataType "datetime"); it is not in that form. Fix: ${DATE_TIME_FIX}`,
    ]);
    // Nothing was sent: not even a token was requested.
    expect(emulator.requests).toHaveLength(0);
    expect(storedRecords(emulator)).toHaveLength(0);
  });

  it("refuses date-times looser than Marketo's documented form, per record, before making any call", async () => {
    // GIVEN records whose activityDate or datetime attribute lacks seconds, an offset or a time
    const { emulator, activities } = await setup();
    const loose = [
      "2026-01-15",
      "2026-01-15T12:00",
      "2026-01-15T12:00:00",
      "2026-01-15 12:00:00Z",
      "2026-01-15T12:00:00+0530",
    ];
    const records: WebinarRecord[] = [
      ...loose.map((activityDate, i) => ({ leadId: i + 1, activityDate, primaryAttributeValue: "Intro" })),
      // A datetime attribute follows the same rule; the record's own activityDate is fine.
      {
        leadId: 9,
        activityDate: "2026-01-15T12:00:00-05:00",
        primaryAttributeValue: "Intro",
        attributes: { joinedAt: "2026-01-15T12:05" },
      },
      { leadId: 10, activityDate: new Date(Date.UTC(10_000, 0, 1)), primaryAttributeValue: "Intro" },
      // Valid: a Date, a string with Z and one with an offset and a fraction.
      { leadId: 11, activityDate: new Date(Date.UTC(2026, 0, 15)), primaryAttributeValue: "Intro" },
      { leadId: 12, activityDate: "2026-01-15T12:00:00Z", primaryAttributeValue: "Intro" },
      { leadId: 13, activityDate: "2026-01-15T12:00:00.5+05:30", primaryAttributeValue: "Intro" },
    ];

    // WHEN they are sent
    const error = (await activities
      .send(webinar, records)
      .catch((e: unknown) => e)) as ActivityRecordsInvalidError;

    // THEN every loose one is reported with the form, what is wrong and an example; nothing was sent
    expect(error).toBeInstanceOf(ActivityRecordsInvalidError);
    expect(error.invalidIndexes).toStrictEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(error.issues.map((i) => `${i.path}: ${i.message.replace(/^.*\); /, "")}`)).toStrictEqual([
      "records[0].activityDate: it is a date without a time",
      "records[1].activityDate: it has no seconds and no offset",
      "records[2].activityDate: it has no offset",
      'records[3].activityDate: it has a space instead of "T"',
      "records[4].activityDate: it has an offset without a colon (write +05:30)",
      "records[5].attributes.joinedAt: it has no seconds and no offset",
      "records[6].activityDate: is a Date in the year 10000; Marketo's format writes years 0000 to 9999 (when the activity happened)",
    ]);
    expect(error.message.split("\n")[2]).toBe(
      `  - records[1].activityDate: got "2026-01-15T12:00"; must be a Date or a string in Marketo's date-time format YYYY-MM-DDThh:mm:ss with Z, +hh:mm or -hh:mm (when the activity happened); it has no seconds and no offset. Fix: ${DATE_TIME_FIX}`,
    );
    expect(emulator.requests).toHaveLength(0);
  });

  it("is checked by the emulator with the same rule: a loose date-time sent past the typed client is skipped with 1001", async () => {
    const { emulator, client } = await setup();
    const input = ["2026-01-15T12:00:00+07:00", "2026-01-15T12:00", "2026-01-15"].map((activityDate) => ({
      leadId: 1,
      activityDate,
      activityTypeId: 100001,
      primaryAttributeValue: "Intro",
      attributes: [],
    }));
    const results = await client.addCustomActivities(input);
    expect(results.map((r) => [r.status, r.errors?.[0]?.code])).toStrictEqual([
      ["added", undefined],
      ["skipped", "1001"],
      ["skipped", "1001"],
    ]);
    expect(storedRecords(emulator).map((r) => r.activityDate)).toStrictEqual(["2026-01-15T12:00:00+07:00"]);
  });

  it("lists at most 20 problems in the message and keeps all of them in issues", async () => {
    const { emulator, activities } = await setup();
    const records = manyRecords(30).map((r) => ({ ...r, leadId: -r.leadId }));
    const error = (await activities
      .send(webinar, records)
      .catch((e: unknown) => e)) as ActivityRecordsInvalidError;
    expect(error.issues).toHaveLength(30);
    expect(error.message.split("\n")).toHaveLength(22);
    expect(error.message).toContain("... and 10 more problems (see error.issues)");
    expect(emulator.requests).toHaveLength(0);
  });

  it("refuses a record too large for one request before making any call", async () => {
    const { emulator, activities } = await setup();
    const records = [{ ...manyRecords(1)[0], attributes: { notes: "n".repeat(1_000_001) } } as WebinarRecord];
    const error = (await activities
      .send(webinar, records)
      .catch((e: unknown) => e)) as ActivityRecordsInvalidError;
    expect(error).toBeInstanceOf(ActivityRecordsInvalidError);
    expect(error.issues.map((i) => i.path)).toStrictEqual(["records[0]"]);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe("per-record and per-batch failures (docs/design.md decision 13: no duplicates)", () => {
  it("reports a lead Marketo does not know as skipped with its 1004 error, for that record only", async () => {
    const { emulator, activities } = await setup({ leads: [1, 3] });
    const result = await activities.send(webinar, manyRecords(3));
    expect(result.results).toStrictEqual([
      { index: 0, status: "added", id: 1, marketoGUID: "1" },
      { index: 1, status: "skipped", errors: [{ code: "1004", message: "Lead not found" }] },
      { index: 2, status: "added", id: 2, marketoGUID: "2" },
    ]);
    expect([result.added, result.skipped, result.error]).toStrictEqual([2, 1, undefined]);
    expect(storedRecords(emulator).map((r) => r.leadId)).toStrictEqual([1, 3]);
  });

  it("marks a batch whose outcome is unknown as unknown, never resends it, and does not send later batches", async () => {
    const faults: FaultSpec[] = [{ operation: "addCustomActivities", nth: 2, respond: { drop: "after" } }];
    const { emulator, activities } = await setup({ faults });
    const result = await activities.send(webinar, manyRecords(650));

    expect(statuses(result)).toStrictEqual([
      ...repeat("added", 300),
      ...repeat("unknown", 300),
      ...repeat("notSent", 50),
    ]);
    expect([result.added, result.unknown, result.notSent, result.calls]).toStrictEqual([300, 300, 50, 3]);
    // The dropped batch was stored by the instance, exactly once; the third was never sent.
    const adds = callsOf(emulator, "addCustomActivities");
    expect(adds).toHaveLength(2);
    expect(adds[1]?.dropped).toBe("after");
    const leadIds = storedRecords(emulator).map((r) => r.leadId);
    expect(leadIds).toStrictEqual(Array.from({ length: 600 }, (_, i) => i + 1));

    expect(result.error).toBeInstanceOf(ActivitySendError);
    expect(result.error?.outcome).toBe("unknown");
    expect(result.error?.failedRange).toStrictEqual([300, 599]);
    expect(result.error?.cause).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(result.error?.message).toMatch(
      /^sending activity records for "webinarAttended" stopped at batch 2 of 3 \(records 300-599\): Marketo may or may not have added them \(addCustomActivities failed after sending: [^)]+\), so they were not sent again\. Records 0-299 were sent \(300 added, 0 skipped\)\. Records 600-649 were not sent$/,
    );
    expect(result.error?.hint).toContain("check the leads' activity logs in Marketo for records 300-599");
  });

  it("stops at a batch Marketo refused for good: that batch and later ones are notSent, earlier ones reported", async () => {
    const faults: FaultSpec[] = [{ operation: "addCustomActivities", nth: 2, respond: { code: "603" } }];
    const { emulator, activities } = await setup({ faults });
    const result = await activities.send(webinar, manyRecords(650));

    expect(statuses(result)).toStrictEqual([...repeat("added", 300), ...repeat("notSent", 350)]);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(2);
    expect(storedRecords(emulator)).toHaveLength(300);
    expect(result.error?.outcome).toBe("notSent");
    expect(result.error?.message).toMatch(
      /^sending activity records for "webinarAttended" stopped at batch 2 of 3 \(records 300-599\): Marketo rejected addCustomActivities \(300 records\): 603 .+\. Records 0-299 were sent \(300 added, 0 skipped\)\. Records 300-649 were not stored: they can be sent again as they are$/,
    );
    expect(result.error?.hint).toContain('Then send the records with status "notSent" again');
  });

  it("resends a batch Marketo refused with 606 (rate limit) and stores it once", async () => {
    const faults: FaultSpec[] = [{ operation: "addCustomActivities", nth: 1, respond: { code: "606" } }];
    const { emulator, activities } = await setup({ faults });
    const result = await activities.send(webinar, manyRecords(20));

    expect(result.error).toBeUndefined();
    expect(result.added).toBe(20);
    const adds = callsOf(emulator, "addCustomActivities");
    expect(adds.map((r) => r.errorCodes)).toStrictEqual([["606"], []]);
    expect(storedRecords(emulator).map((r) => r.leadId)).toStrictEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(result.calls).toBe(2); // one list call and one addCustomActivities call (its resend is the client's)
  });
});

describe("6xx answers: the batch was not executed, so it is notSent (docs/marketo-api.md 2.2)", () => {
  // 25 records in batches of 10: batch 2 (records 10-19) is answered with the code on every attempt
  // (more attempts than the client makes) until the client gives up; batch 3 is never sent. The client
  // runs on a virtual clock, so its waits cost no time and its time bounds are reached.
  const faultedBatch2 = (respond: FaultSpec["respond"]): FaultSpec[] => [
    { operation: "addCustomActivities", nth: 2, times: 100, respond },
  ];
  const onVirtualTime = (): MarketoClientSettings => {
    const clock = virtualClock();
    return { now: clock.now, sleep: clock.sleep, random: () => 0.5 };
  };

  // 606 and 615 are resent by the client today; 604, 608, 611 and 614 once the request pipeline resends
  // every 6xx answer to addCustomActivities (until then it reports them as outcome unknown).
  it.each(["606", "615", "604", "608", "611", "614"] as const)(
    "reports a batch answered %s on every attempt as notSent, with the later ones, and Marketo stored none of it",
    async (code) => {
      const { emulator, activities } = await setup(
        { faults: faultedBatch2({ code }) },
        { batchSize: 10 },
        onVirtualTime(),
      );
      const result = await activities.send(webinar, manyRecords(25));

      expect(statuses(result)).toStrictEqual([...repeat("added", 10), ...repeat("notSent", 15)]);
      expect([result.added, result.unknown, result.notSent]).toStrictEqual([10, 0, 15]);
      expect(storedRecords(emulator).map((r) => r.leadId)).toStrictEqual(
        Array.from({ length: 10 }, (_, i) => i + 1),
      );
      // The client resent batch 2 before giving up; every answer to it was the code.
      const adds = callsOf(emulator, "addCustomActivities");
      expect(adds.length).toBeGreaterThan(2);
      expect(adds.slice(1).map((r) => r.errorCodes)).toStrictEqual(adds.slice(1).map(() => [code]));

      expect(result.error?.outcome).toBe("notSent");
      expect(result.error?.failedRange).toStrictEqual([10, 19]);
      expect(result.error?.cause).not.toBeInstanceOf(MarketoOutcomeUnknownError);
      expect(result.error?.cause).toBeInstanceOf(MarketoApiError);
      expect((result.error?.cause as MarketoApiError | undefined)?.codes).toStrictEqual([code]);
      expect(result.error?.message).toMatch(
        /^sending activity records for "webinarAttended" stopped at batch 2 of 3 \(records 10-19\): .+\. Records 0-9 were sent \(10 added, 0 skipped\)\. Records 10-24 were not stored: they can be sent again as they are$/,
      );
      expect(result.error?.hint).toContain('send the records with status "notSent" again');
    },
  );

  it("keeps a batch unknown when the connection dropped after Marketo processed it (it was stored)", async () => {
    const { emulator, activities } = await setup(
      { faults: faultedBatch2({ drop: "after" }) },
      { batchSize: 10 },
    );
    const result = await activities.send(webinar, manyRecords(25));

    expect(statuses(result)).toStrictEqual([
      ...repeat("added", 10),
      ...repeat("unknown", 10),
      ...repeat("notSent", 5),
    ]);
    // Sent once, never resent, and stored: resending it would have made duplicates.
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(2);
    expect(storedRecords(emulator)).toHaveLength(20);
    expect(result.error?.outcome).toBe("unknown");
    expect(result.error?.cause).toBeInstanceOf(MarketoOutcomeUnknownError);
  });

  it("keeps a batch unknown after an HTTP 5xx, which does not say whether Marketo processed it", async () => {
    const { emulator, activities } = await setup(
      { faults: faultedBatch2({ httpStatus: 502 }) },
      { batchSize: 10 },
    );
    const result = await activities.send(webinar, manyRecords(25));

    expect(statuses(result)).toStrictEqual([
      ...repeat("added", 10),
      ...repeat("unknown", 10),
      ...repeat("notSent", 5),
    ]);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(2);
    expect(result.error?.outcome).toBe("unknown");
    expect(result.error?.cause).toBeInstanceOf(MarketoOutcomeUnknownError);
  });
});

describe('added records without an id (swagger: id "may not be present")', () => {
  it("reports records the emulator answers without an id as added, with their marketoGUID", async () => {
    const { emulator, activities } = await setup({ behaviour: { omitActivityRecordId: true } });
    const result = await activities.send(webinar, manyRecords(3));

    expect(result.error).toBeUndefined();
    expect(result.results).toStrictEqual(
      storedRecords(emulator).map((r, index) => ({ index, status: "added", marketoGUID: r.marketoGUID })),
    );
    expect([result.added, result.unknown, result.notSent]).toStrictEqual([3, 0, 0]);
    expect(callsOf(emulator, "addCustomActivities")).toHaveLength(1);
  });
});
