/**
 * Waiting out a busy instance, and which failed batches may be resent, on the virtual clock
 * (test/helpers/clock.ts): no test waits in real time.
 *
 * - 606 / 615 / HTTP 429 are retried until `retry.busyDeadlineMs` after the call started (default
 *   120 s, at least two 20 s windows), however many attempts that takes, each wait a `retry` event;
 *   then the call fails saying that the instance is busy and what shares it.
 * - A Marketo answer with 6xx codes means the request was not executed (DOC-ERR, docs/marketo-api.md
 *   2.2), so even `addCustomActivities` is resent after 604, 606 or 611; only a batch after which no
 *   Marketo answer was read stays "outcome unknown".
 * - 702 on a list is an empty list.
 */
import { describe, expect, it } from "vitest";
import type { CustomActivityInput, MarketoClientEvent } from "../../src/marketo/index.js";
import {
  MarketoApiError,
  MarketoConfigError,
  MarketoHttpError,
  MarketoOutcomeUnknownError,
} from "../../src/marketo/index.js";
import { seededType } from "../emulator/helpers.js";
import { T0 } from "../helpers/clock.js";
import { harness, outline } from "./emulator-harness.js";
import { activityType, BASE_URL, CLIENT_ID, fail, json, ok, rejection, SECRET, setup } from "./helpers.js";

const RATE = "606 Max rate limit '100' exceeded with in '20' secs";
const WEBINAR = 100001;
const seed = { activityTypes: [seededType("webinar", { id: WEBINAR })] };

function activity(leadId: number): CustomActivityInput {
  return {
    leadId,
    activityDate: "2026-01-15T12:00:00Z",
    activityTypeId: WEBINAR,
    primaryAttributeValue: "Intro to IaC",
    attributes: [{ apiName: "minutesWatched", value: 42 }],
  };
}

type Retry = Extract<MarketoClientEvent, { type: "retry" }>;
const retries = (events: readonly MarketoClientEvent[]) =>
  events.filter((e): e is Retry => e.type === "retry");

/** A stub reply that answers 606 until `until` on the test's clock, then `then`. */
function busyUntil(until: number, now: () => number, then: () => Response) {
  return () => (now() < until ? fail("606", "Max rate limit '100' exceeded with in '20' secs") : then());
}

describe("a busy instance is waited out", () => {
  it("waits out a 606 storm of 25 s (the old policy gave up after 6 attempts, about 11 s) and succeeds", async () => {
    const { client, stub, clock, events } = setup();
    const reply = busyUntil(T0 + 25_000, clock.now, () => ok([activityType()]));
    for (let i = 0; i < 30; i++) stub.reply("createCustomActivityType", reply);

    const created = await client.createCustomActivityType({ apiName: "webinarAttended", name: "Webinar" });

    expect(created.apiName).toBe("webinarAttended");
    // random() = 0.5: three quarters of a ceiling that doubles from 1 s up to one 20 s window.
    expect(clock.sleeps).toStrictEqual([750, 1500, 3000, 6000, 12_000, 15_000]);
    const sent = stub.rest().map((r) => r.at - T0);
    expect(sent).toStrictEqual([0, 750, 2250, 5250, 11_250, 23_250, 38_250]);
    expect(client.usage()).toMatchObject({ total: 7, retries: 6 });
    // Each wait is an event: what Marketo said, which limit, how long, and how long until giving up.
    expect(retries(events).map((e) => [e.attempt, e.reason, e.limit, e.delayMs, e.giveUpInMs])).toStrictEqual(
      [
        [1, RATE, "rate", 750, 120_000],
        [2, RATE, "rate", 1500, 119_250],
        [3, RATE, "rate", 3000, 117_750],
        [4, RATE, "rate", 6000, 114_750],
        [5, RATE, "rate", 12_000, 108_750],
        [6, RATE, "rate", 15_000, 96_750],
      ],
    );
  });

  it("fails when the storm outlasts busyDeadlineMs, saying the instance is busy and what shares it", async () => {
    const { client, stub, clock, events } = setup({ retry: { busyDeadlineMs: 60_000 } });
    const reply = busyUntil(T0 + 600_000, clock.now, () => ok([activityType()]));
    for (let i = 0; i < 30; i++) stub.reply("approveCustomActivityType", reply);

    const error = await rejection(client.approveCustomActivityType("webinarAttended"));

    // 0.75 + 1.5 + 3 + 6 + 12 + 15 + 15 = 53.25 s; the last wait is cut to 6.75 s to land on 60 s.
    expect(clock.sleeps).toStrictEqual([750, 1500, 3000, 6000, 12_000, 15_000, 15_000, 6750]);
    expect(stub.rest().at(-1)?.at).toBe(T0 + 60_000);
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({
      code: "MarketoApi",
      codes: ["606"],
      attempts: 9,
      retryable: true,
      operation: "approveCustomActivityType",
    });
    expect(error.message).toBe(
      `the Marketo instance stayed busy: approveCustomActivityType for "webinarAttended" was refused 9 times in 60 s (last: ${RATE}), so it was not carried out`,
    );
    expect((error as MarketoApiError).hint).toBe(
      "Marketo allows 100 calls per 20 s and 10 concurrent requests per instance, shared by everything that uses it: " +
        "other integrations (CRM sync, forms, data exports), Terraform's parallel provisioners during cdktf deploy, another plan or apply. " +
        "Try again when it is quieter; give this process a smaller share of the instance's budget with budgetShare, " +
        "or the MarketoInstance prop budgetShare for cdktf deploy; or wait longer than 60 s with retry.busyDeadlineMs",
    );
    expect(events.at(-1)).toMatchObject({ type: "giveUp", attempts: 9, error: "MarketoApi" });
  });

  it("names <PREFIX>_BUDGET_SHARE and --budget-share in the hint of a client made from the environment", async () => {
    const { stub, clock } = setup();
    const { MarketoClient } = await import("../../src/marketo/index.js");
    const client = MarketoClient.fromEnv(
      "MARKETO_PROD",
      {
        MARKETO_PROD_BASE_URL: BASE_URL,
        MARKETO_PROD_CLIENT_ID: CLIENT_ID,
        MARKETO_PROD_CLIENT_SECRET: SECRET,
      },
      { fetch: stub.fetch, now: clock.now, sleep: clock.sleep, random: () => 0 },
    );
    for (let i = 0; i < 40; i++)
      stub.reply("listCustomActivityTypes", fail("615", "Concurrent access limit '10' reached"));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error.message).toMatch(
      /^the Marketo instance stayed busy: listCustomActivityTypes was refused \d+ times in 120 s/,
    );
    expect((error as MarketoApiError).hint).toContain(
      "give this process a smaller share of the instance's budget with budgetShare (MARKETO_PROD_BUDGET_SHARE=0.5 or --budget-share 0.5)",
    );
    // random() = 0: the lower edge of each wait, never a hot loop: at least half a second.
    expect(Math.min(...clock.sleeps)).toBe(500);
  });

  it("waits out 615 and HTTP 429 alike, without counting them against maxAttempts", async () => {
    const { client, stub, events } = setup({ retry: { maxAttempts: 2 } });
    stub.reply(
      "listCustomActivityTypes",
      fail("615", "Concurrent access limit '10' reached"),
      new Response("Too Many Requests", { status: 429 }),
      fail("615", "Concurrent access limit '10' reached"),
      new Response("Too Many Requests", { status: 429 }),
      ok([]),
    );
    expect(await client.listCustomActivityTypes()).toStrictEqual([]);
    expect(retries(events).map((e) => e.limit)).toStrictEqual(["concurrency", "rate", "concurrency", "rate"]);
  });

  it("still bounds other failures by maxAttempts after waiting out the limits", async () => {
    const { client, stub } = setup({ retry: { maxAttempts: 2 } });
    stub.reply(
      "listCustomActivityTypes",
      fail("606", "Max rate limit"),
      fail("606", "Max rate limit"),
      fail("608", "API Temporarily Unavailable"),
      fail("608", "API Temporarily Unavailable"),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toMatchObject({ codes: ["608"], attempts: 4 });
    expect(stub.rest()).toHaveLength(4);
  });

  it("fails when busyDeadlineMs is shorter than two of Marketo's 20 s windows", () => {
    const make = () => setup({ retry: { busyDeadlineMs: 30_000 } });
    expect(make).toThrow(MarketoConfigError);
    expect(make).toThrow(
      "retry.busyDeadlineMs must be at least 40000 (two of Marketo's 20-second rate windows), got 30000",
    );
  });
});

describe("a batch answered with a 6xx code was not stored and is resent (docs/marketo-api.md 2.2)", () => {
  const recordsOf = (emulator: { state(): { activityTypes: readonly { records: readonly unknown[] }[] } }) =>
    emulator.state().activityTypes[0]?.records ?? [];

  it.each(["604", "606", "611", "608", "614", "615"])(
    "resends addCustomActivities after %s, and the records are added once",
    async (code) => {
      const { client, emulator } = await harness({
        seed,
        faults: [{ operation: "addCustomActivities", respond: { code } }],
      });
      const results = await client.addCustomActivities([activity(1), activity(2)]);
      expect(results.map((r) => r.status)).toStrictEqual(["added", "added"]);
      expect(outline(emulator)).toStrictEqual([
        "identity:ok",
        `addCustomActivities:${code}`,
        "addCustomActivities:ok",
      ]);
      expect(recordsOf(emulator).map((r) => (r as { leadId: number }).leadId)).toStrictEqual([1, 2]);
    },
  );

  it("resends a batch answered with Marketo's 608 envelope under HTTP 503: Marketo answered, so nothing was done", async () => {
    const body = JSON.stringify({
      requestId: "e42b#19bc0c0ffee",
      success: false,
      errors: [{ code: "608", message: "API Temporarily Unavailable" }],
    });
    const { client, emulator, wire } = await harness({
      seed,
      faults: [{ operation: "addCustomActivities", respond: { httpStatus: 503, body } }],
    });
    wire.nonConformantBodies.add(body);
    await client.addCustomActivities([activity(1)]);
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "addCustomActivities:HTTP 503",
      "addCustomActivities:ok",
    ]);
    expect(recordsOf(emulator)).toHaveLength(1);
  });

  it.each([
    ["the connection drops after the records were added", { drop: "after" } as const, 1],
    ["HTTP 502 without Marketo's envelope", { httpStatus: 502 } as const, 0],
    ["713 (a transient code outside 6xx)", { code: "713" } as const, 0],
  ])("reports the outcome as unknown and does not resend when %s", async (_, respond, stored) => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "addCustomActivities", respond }],
    });
    const error = await rejection(client.addCustomActivities([activity(1)]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(client.usage().byOperation).toStrictEqual({ addCustomActivities: 1 });
    // The emulator stored the dropped batch: resending it would have added the record twice.
    expect(recordsOf(emulator)).toHaveLength(stored);
  });

  it("fails as not stored, never unknown, when the instance stays busy until the deadline", async () => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "addCustomActivities", times: 1000, respond: { code: "606" } }],
    });
    const error = await rejection(client.addCustomActivities([activity(1)]));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).not.toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(error.message).toMatch(
      /^the Marketo instance stayed busy: addCustomActivities \(1 record\) was refused 13 times in 120 s/,
    );
    expect(recordsOf(emulator)).toHaveLength(0);
  });
});

describe("702 on a list is an empty list", () => {
  it("reads listCustomActivityTypes answered 702 (a fresh instance, if Marketo answers that way) as []", async () => {
    const { client, emulator, events } = await harness({
      faults: [{ operation: "listCustomActivityTypes", respond: { code: "702" } }],
    });
    expect(await client.listCustomActivityTypes()).toStrictEqual([]);
    expect(outline(emulator)).toStrictEqual(["identity:ok", "listCustomActivityTypes:702"]);
    expect(events.filter((e) => e.type === "retry" || e.type === "giveUp")).toStrictEqual([]);
  });

  it("reads listActivityTypes answered 702 as [] too", async () => {
    const { client } = await harness({
      faults: [{ operation: "listActivityTypes", respond: { code: "702" } }],
    });
    expect(await client.listActivityTypes()).toStrictEqual([]);
  });

  it("fails when a call that returns one type is answered 702", async () => {
    const { client } = await harness({
      seed,
      faults: [{ operation: "describeCustomActivityType", respond: { code: "702" } }],
    });
    const error = await rejection(client.describeCustomActivityType("webinar"));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: ["702"] });
  });

  it("fails when 702 comes with another code", async () => {
    const { client, stub } = setup();
    stub.reply(
      "listCustomActivityTypes",
      json({
        success: false,
        errors: [
          { code: "702", message: "No data" },
          { code: "603", message: "Access denied" },
        ],
      }),
    );
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toMatchObject({ codes: ["702", "603"] });
    expect(error).not.toBeInstanceOf(MarketoHttpError);
  });
});
