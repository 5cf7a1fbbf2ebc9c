/**
 * Cases the emulator cannot produce: answers that do not match the batch, statuses other than
 * added/skipped, and errors that are not the client's. A stand-in `MarketoClient` scripts them.
 * Also the rules for date and datetime strings (src/schema/values.ts), which the emulator shares.
 */
import { describe, expect, it } from "vitest";
import { ActivityClient, ActivitySendError, type MarketoClient } from "../../src/client.js";
import type { CustomActivityInput, WireCustomActivityResult } from "../../src/marketo/index.js";
import { MarketoApiError, MarketoQuotaError } from "../../src/marketo/index.js";
import {
  dateProblem,
  dateTimeProblem,
  isIsoDate,
  isIsoDateTime,
  valueFits,
} from "../../src/schema/values.js";
import { activityType, ok, setup } from "../marketo/helpers.js";
import { scoreChanged } from "./fixtures.js";

/** A stand-in client: the type is approved with id 100002; `add` answers each batch. */
function fakeClient(
  add: (batch: readonly CustomActivityInput[], call: number) => WireCustomActivityResult[],
) {
  const batches: CustomActivityInput[][] = [];
  const client = {
    baseUrl: "https://123-abc-456.mktorest.com",
    listCustomActivityTypes: async () => [{ id: 100002, apiName: "scoreChanged", status: "approved" }],
    addCustomActivities: async (batch: readonly CustomActivityInput[]) => {
      batches.push([...batch]);
      return add(batch, batches.length);
    },
  };
  return { client: client as unknown as MarketoClient, batches };
}

function records(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    leadId: i + 1,
    activityDate: "2026-01-15T12:00:00Z",
    primaryAttributeValue: i,
  }));
}

const added = (batch: readonly unknown[]) => batch.map((_, i) => ({ id: i + 1, status: "added" }));

describe("answers the client cannot match or judge", () => {
  it("sends the type's id from the list call in every record", async () => {
    const { client, batches } = fakeClient(added);
    await new ActivityClient(client).send(scoreChanged, records(2));
    expect(batches[0]?.map((r) => r.activityTypeId)).toStrictEqual([100002, 100002]);
    expect(batches[0]?.map((r) => r.primaryAttributeValue)).toStrictEqual(["0", "1"]);
  });

  it("marks a batch answered with the wrong number of results unknown and stops", async () => {
    const { client, batches } = fakeClient((batch, call) =>
      call === 1 ? added(batch).slice(1) : added(batch),
    );
    const result = await new ActivityClient(client, { batchSize: 2 }).send(scoreChanged, records(3));
    expect(result.results.map((r) => r.status)).toStrictEqual(["unknown", "unknown", "notSent"]);
    expect(batches).toHaveLength(1);
    expect(result.error?.outcome).toBe("unknown");
    expect(result.error?.message).toContain("Marketo answered 1 results for 2 records");
    expect(result.error?.message).toMatch(/No earlier record was sent\. Record 2 was not sent$/);
  });

  it("reports a status other than added or skipped as unknown, without stopping", async () => {
    const { client, batches } = fakeClient((batch, call) =>
      call === 1 ? [{ id: 1, status: "updated" }] : added(batch),
    );
    const result = await new ActivityClient(client, { batchSize: 1 }).send(scoreChanged, records(2));
    expect(result.results).toStrictEqual([
      { index: 0, status: "unknown", id: 1 },
      { index: 1, status: "added", id: 1 },
    ]);
    expect(batches).toHaveLength(2);
    expect(result.error).toBeUndefined();
  });

  it("counts an error that is not the client's as an unknown outcome, since nothing says the batch was refused", async () => {
    const { client } = fakeClient((batch, call) => {
      if (call === 2) throw new TypeError("boom");
      return added(batch);
    });
    const result = await new ActivityClient(client, { batchSize: 1 }).send(scoreChanged, records(3));
    expect(result.results.map((r) => r.status)).toStrictEqual(["added", "unknown", "notSent"]);
    expect(result.error).toBeInstanceOf(ActivitySendError);
    expect(result.error?.cause).toBeInstanceOf(TypeError);
  });

  it("treats the client's own errors as a refusal: the batch and later ones are notSent", async () => {
    const quota = new MarketoQuotaError(
      {
        operation: "addCustomActivities",
        recordCount: 1,
        attempts: 1,
        errors: [{ code: "607", message: "Daily quota reached" }],
        httpStatus: 200,
        retryable: false,
      },
      "2026-01-16T06:00:00.000Z",
    );
    const { client } = fakeClient((batch, call) => {
      if (call === 2) throw quota;
      return added(batch);
    });
    const result = await new ActivityClient(client, { batchSize: 1 }).send(scoreChanged, records(3));
    expect(result.results.map((r) => r.status)).toStrictEqual(["added", "notSent", "notSent"]);
    expect(result.error?.message).toBe(
      'sending activity records for "scoreChanged" stopped at batch 2 of 3 (record 1): Marketo\'s daily API quota for this instance is used up (607 Daily quota reached), so addCustomActivities (1 record) was not carried out. It resets at midnight US Central time, 2026-01-16T06:00:00.000Z. Record 0 was sent (1 added, 0 skipped). Records 1-2 were not stored: they can be sent again as they are',
    );
    expect(result.error?.hint).toBe(
      `${quota.hint}. Then send the records with status "notSent" again; the others were already sent`,
    );
  });

  it("keeps a batch unknown when the client's refusal follows an attempt that may have been carried out", async () => {
    // A resend refused with 606 says nothing about the first attempt, which may have been stored.
    const refusal = new MarketoApiError({
      operation: "addCustomActivities",
      recordCount: 1,
      attempts: 2,
      errors: [{ code: "606", message: "Max rate limit '100' exceeded with in '20' secs" }],
      httpStatus: 200,
      retryable: true,
      afterAmbiguousAttempt: true,
    });
    const { client } = fakeClient((batch, call) => {
      if (call === 2) throw refusal;
      return added(batch);
    });
    const result = await new ActivityClient(client, { batchSize: 1 }).send(scoreChanged, records(3));
    expect(result.results.map((r) => r.status)).toStrictEqual(["added", "unknown", "notSent"]);
    expect(result.error?.outcome).toBe("unknown");
    expect(result.error?.cause).toBe(refusal);
  });

  it("rejects without sending when the list call fails, and lists again on the next send", async () => {
    let lists = 0;
    const client = {
      baseUrl: "https://123-abc-456.mktorest.com",
      listCustomActivityTypes: async () => {
        lists++;
        if (lists === 1) throw new Error("list failed");
        return [{ id: 100002, apiName: "scoreChanged", status: "approved" }];
      },
      addCustomActivities: async (batch: readonly unknown[]) => added(batch),
    } as unknown as MarketoClient;
    const activities = new ActivityClient(client);
    await expect(activities.send(scoreChanged, records(1))).rejects.toThrow("list failed");
    expect((await activities.send(scoreChanged, records(1))).added).toBe(1);
    expect(lists).toBe(2);
  });
});

describe('results without an id or marketoGUID (swagger: id "may not be present"; wire.ts reads null as absent)', () => {
  it("reports status added with id or marketoGUID null or missing as added, and sends nothing again", async () => {
    // GIVEN Marketo answers a batch of four with ids null, missing, present, and no GUID at all
    const { client, stub } = setup();
    stub.reply(
      "listCustomActivityTypes",
      ok([activityType("scoreChanged", { id: 100002, status: "approved" })]),
    );
    stub.reply(
      "addCustomActivities",
      ok([
        { id: null, marketoGUID: "g1", status: "added", errors: null },
        { marketoGUID: "g2", status: "added" },
        { id: 3, marketoGUID: "g3", status: "added" },
        { id: null, marketoGUID: null, status: "added" },
      ]),
    );

    // WHEN four records are sent
    const result = await new ActivityClient(client).send(scoreChanged, records(4));

    // THEN all four are added, with whatever ids Marketo gave, and there was one add call
    expect(result.results).toStrictEqual([
      { index: 0, status: "added", marketoGUID: "g1" },
      { index: 1, status: "added", marketoGUID: "g2" },
      { index: 2, status: "added", id: 3, marketoGUID: "g3" },
      { index: 3, status: "added" },
    ]);
    expect([result.added, result.unknown, result.notSent, result.error]).toStrictEqual([4, 0, 0, undefined]);
    expect(stub.rest().map((r) => r.operation)).toStrictEqual([
      "listCustomActivityTypes",
      "addCustomActivities",
    ]);
  });
});

describe("Marketo's date and date-time forms (docs/marketo-api.md 5.1, DOC-FT)", () => {
  it("accepts calendar days only for date", () => {
    expect(["2026-01-15", "2024-02-29", "0050-06-01"].map(isIsoDate)).toStrictEqual([true, true, true]);
    const bad = ["2026-02-29", "2026-13-01", "2026-1-5", "2026-01-15T00:00:00Z", ""];
    expect(bad.map(isIsoDate)).toStrictEqual(bad.map(() => false));
    expect(bad.map(dateProblem)).toStrictEqual([
      "that day does not exist",
      "that day does not exist",
      "it is not in that form",
      "it has a time as well",
      "it is not in that form",
    ]);
  });

  it("accepts for datetime only YYYY-MM-DDThh:mm:ss, an optional fraction, and Z or ±hh:mm", () => {
    const good = [
      "2026-01-15T12:00:00Z",
      "2016-09-26T06:56:35+07:00", // the example of Add Custom Activities (docs/marketo-api.md 4.2 L)
      "2010-05-07T15:41:32-05:00", // DOC-FT's example
      "2026-01-15T12:00:00.123+05:30",
      "2026-01-15T12:00:00.250Z", // Date.prototype.toISOString
      "2026-01-15T23:59:59-00:00",
    ];
    expect(good.map(isIsoDateTime)).toStrictEqual(good.map(() => true));
    expect(good.map(dateTimeProblem)).toStrictEqual(good.map(() => undefined));
  });

  it("refuses loose date-times, saying what is wrong with each", () => {
    const cases: [string, string][] = [
      ["2026-01-15", "it is a date without a time"],
      ["2026-02-30", "it is a date without a time, and that day does not exist"],
      ["2026-01-15T12:00", "it has no seconds and no offset"],
      ["2026-01-15T12:00Z", "it has no seconds"],
      ["2026-01-15T12:00:00", "it has no offset"],
      ["2026-01-15 12:00:00Z", 'it has a space instead of "T"'],
      ["2026-01-15 12:00", 'it has a space instead of "T", no seconds and no offset'],
      ["2026-01-15T23:59:59-0800", "it has an offset without a colon (write -08:00)"],
      ["2026-01-15T12:00:00+05", "it has an offset without minutes (write +05:00)"],
      ["2026-01-15T24:00:00Z", "it has a time that does not exist"],
      ["2026-01-15T12:60:00Z", "it has a time that does not exist"],
      ["2026-01-15T12:00:60Z", "it has a time that does not exist"],
      ["2026-02-29T12:00:00Z", "it has a day that does not exist"],
      ["2026-01-15T12:00:00+25:00", "it has an offset out of range"],
      ["15/01/2026", "it is not in that form"],
      ["2026-01-15Z", "it is not in that form"],
      ["2026-01-15t12:00:00z", "it is not in that form"],
      ["2026-01-15T12:00:00,5Z", "it is not in that form"],
      ["now", "it is not in that form"],
      ["", "it is not in that form"],
    ];
    expect(cases.map(([value]) => dateTimeProblem(value))).toStrictEqual(cases.map(([, problem]) => problem));
    expect(cases.map(([value]) => isIsoDateTime(value))).toStrictEqual(cases.map(() => false));
  });

  it("is the rule the emulator checks records with: datetime and date attribute values fit the same strings", () => {
    const samples = [
      "2026-01-15",
      "2026-01-15T12:00:00Z",
      "2026-01-15T12:00",
      "2026-01-15T12:00:00",
      "2026-01-15T24:00:00Z",
      "2026-02-29",
      "now",
    ];
    expect(samples.map((v) => valueFits("datetime", v))).toStrictEqual(samples.map(isIsoDateTime));
    expect(samples.map((v) => valueFits("date", v))).toStrictEqual(samples.map(isIsoDate));
    expect([2 ** 31 - 1, 2 ** 31, "42", 1.5].map((v) => valueFits("integer", v))).toStrictEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});
