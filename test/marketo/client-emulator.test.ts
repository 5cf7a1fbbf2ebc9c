/**
 * The real `MarketoClient` against the real emulator (docs/design.md decisions 12-14, issue 3): tokens, the
 * limits, retries, no duplicate activity records, exact request sequences, and redaction on every
 * error path. The emulator and the client share one virtual clock (`virtualClock`), so no test sleeps in real time; the
 * 615 tests use a real latency of a few milliseconds so that requests overlap.
 *
 * Every request body the client sends here is validated against the swagger's request schema and
 * every response body against the response schema (see `emulator-harness.ts`).
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { FaultResponse } from "../../src/emulator/index.js";
import { OPERATIONS, type Operation, ROUTES } from "../../src/marketo/endpoints.js";
import {
  MarketoApiError,
  MarketoAuthError,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
} from "../../src/marketo/errors.js";
import type { CustomActivityInput, MarketoClientEvent } from "../../src/marketo/index.js";
import { validatedCounts } from "../emulator/conformance.js";
import { seededType } from "../emulator/helpers.js";
import { T0, virtualClock } from "../helpers/clock.js";
import { renderings } from "../helpers/renderings.js";
import { busiestWindow } from "../helpers/windows.js";
import {
  clientFor,
  emulatorOn,
  harness,
  logOf,
  newWire,
  outline,
  requestProblems,
  swaggerBodyDefinition,
  swaggerRequestDefinition,
  validatedRequests,
  type Wire,
} from "./emulator-harness.js";
import { rejection } from "./helpers.js";

const WEBINAR = 100001;
const seed = { activityTypes: [seededType("webinar", { id: WEBINAR })] };

function activity(overrides: Partial<CustomActivityInput> = {}): CustomActivityInput {
  return {
    leadId: 42,
    activityDate: "2026-01-15T12:00:00Z",
    activityTypeId: WEBINAR,
    primaryAttributeValue: "Intro to IaC",
    attributes: [{ apiName: "minutesWatched", value: 42 }],
    ...overrides,
  };
}

type Event<K extends MarketoClientEvent["type"]> = Extract<MarketoClientEvent, { type: K }>;
function eventsOf<K extends MarketoClientEvent["type"]>(events: readonly MarketoClientEvent[], type: K) {
  return events.filter((e): e is Event<K> => e.type === type);
}

function restOf<T extends { operation: string }>(requests: readonly T[]): T[] {
  return requests.filter((r) => r.operation !== "identity");
}

/** `expires_in` of every identity answer the client received, in order. */
function expiresIns(wire: Wire): number[] {
  return wire.exchanges
    .filter((e) => e.operation === "identity" && e.response?.status === 200)
    .map((e) => (JSON.parse(e.response?.text ?? "{}") as { expires_in: number }).expires_in);
}

describe("tokens", () => {
  it("reuses one token for many calls, concurrent first calls included: identity is called once", async () => {
    const { client, emulator, wire } = await harness({ seed });
    const described = await Promise.all(
      Array.from({ length: 12 }, () => client.describeCustomActivityType("webinar")),
    );
    expect(described.map((t) => t.apiName)).toStrictEqual(Array(12).fill("webinar"));
    await client.listCustomActivityTypes();
    await client.listActivityTypes();
    for (let i = 0; i < 5; i++) await client.describeCustomActivityType("webinar", { draft: i % 2 === 0 });

    expect(emulator.requests.filter((r) => r.operation === "identity")).toHaveLength(1);
    expect(emulator.requests[0]?.operation).toBe("identity");
    expect(emulator.requests).toHaveLength(20);
    expect(emulator.requests.every((r) => r.success)).toBe(true);
    expect(wire.tokens.size).toBe(1);
    const [token] = [...wire.tokens];
    const bearers = new Set(
      wire.exchanges.filter((e) => e.operation !== "identity").map((e) => e.headers["authorization"]),
    );
    expect([...bearers]).toStrictEqual([`Bearer ${token}`]);
    expect(client.usage()).toStrictEqual({
      total: 19,
      byOperation: { describeCustomActivityType: 17, listCustomActivityTypes: 1, listActivityTypes: 1 },
      retries: 0,
      identity: 1,
    });
  });

  it("gets a new token once the clock passes tokenTtlSeconds, before the instance can answer 602", async () => {
    const { client, emulator, clock, wire, events } = await harness({ seed, tokenTtlSeconds: 60 });
    await client.describeCustomActivityType("webinar");
    clock.advance(61_000);
    await client.describeCustomActivityType("webinar");
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "describeCustomActivityType:ok",
      "identity:ok",
      "describeCustomActivityType:ok",
    ]);
    expect(wire.tokens.size).toBe(2);
    expect(eventsOf(events, "tokenRefreshed").map((e) => e.reason)).toStrictEqual(["initial", "expiring"]);
  });

  it("shares one identity call among concurrent calls when the token runs out mid-run", async () => {
    const { client, emulator, clock } = await harness({ seed, tokenTtlSeconds: 60 });
    for (let i = 0; i < 4; i++) {
      await Promise.all(Array.from({ length: 5 }, () => client.describeCustomActivityType("webinar")));
      clock.advance(25_000); // the token has 60 s; the client renews it 10 s early
    }
    expect(outline(emulator).filter((o) => !o.startsWith("describe"))).toStrictEqual([
      "identity:ok",
      "identity:ok",
      "identity:ok",
    ]);
    expect(outline(emulator).filter((o) => o === "describeCustomActivityType:ok")).toHaveLength(20);
  });

  it("refreshes early: the nearly dead token comes back with expires_in 0, and the client waits it out", async () => {
    const { client, emulator, clock, wire, events } = await harness({ seed, tokenTtlSeconds: 60 });
    await client.describeCustomActivityType("webinar");
    clock.advance(59_500); // inside the 10 s safety margin, half a second before the instance's expiry
    await client.describeCustomActivityType("webinar");
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "describeCustomActivityType:ok",
      "identity:ok",
      "identity:ok",
      "describeCustomActivityType:ok",
    ]);
    // Marketo hands back the same token with what is left of it (docs/marketo-api.md section 1, quirk 6.4).
    expect(expiresIns(wire)).toStrictEqual([60, 0, 60]);
    expect(wire.tokens.size).toBe(2);
    expect(eventsOf(events, "tokenWait")).toStrictEqual([
      { type: "tokenWait", waitMs: 1000, expiresInSeconds: 0 },
    ]);
    expect(clock.sleeps).toStrictEqual([1000]);
  });

  it("re-authenticates on 602 when the instance expires the token before the client expected, and succeeds", async () => {
    const clock = virtualClock();
    let skew = 0; // the instance's clock runs ahead of ours from some point on
    const emulator = await emulatorOn(clock, { seed, tokenTtlSeconds: 60, now: () => clock.now() + skew });
    const wire = newWire(clock);
    const { client, events } = clientFor(emulator, clock, wire);
    await client.describeCustomActivityType("webinar");
    skew = 60_000;
    expect((await client.describeCustomActivityType("webinar")).apiName).toBe("webinar");
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "describeCustomActivityType:ok",
      "describeCustomActivityType:602",
      "identity:ok",
      "describeCustomActivityType:ok",
    ]);
    expect(eventsOf(events, "reauthenticate")).toStrictEqual([
      { type: "reauthenticate", operation: "describeCustomActivityType", code: "602" },
    ]);
    expect(wire.tokens.size).toBe(2);
  });

  it("re-authenticates once for a burst of concurrent calls that all get 602", async () => {
    const clock = virtualClock();
    let skew = 0;
    const emulator = await emulatorOn(clock, { seed, tokenTtlSeconds: 60, now: () => clock.now() + skew });
    const { client } = clientFor(emulator, clock, newWire(clock));
    await client.listCustomActivityTypes();
    skew = 60_000;
    const results = await Promise.all(
      Array.from({ length: 8 }, () => client.describeCustomActivityType("webinar")),
    );
    expect(results).toHaveLength(8);
    const log = outline(emulator);
    expect(log.filter((o) => o === "identity:ok")).toHaveLength(2);
    expect(log.filter((o) => o === "describeCustomActivityType:602")).toHaveLength(8);
    expect(log.filter((o) => o === "describeCustomActivityType:ok")).toHaveLength(8);
  });

  it("re-authenticates on 601 after the emulator restarted (tokens are in memory), and succeeds", async () => {
    const clock = virtualClock();
    const first = await emulatorOn(clock, { seed });
    const wire = newWire(clock);
    const { client, events } = clientFor(first, clock, wire);
    await client.describeCustomActivityType("webinar");
    await first.close();
    const second = await emulatorOn(clock, { seed, port: Number(new URL(first.url).port) });
    expect(second.url).toBe(first.url);

    expect((await client.describeCustomActivityType("webinar")).apiName).toBe("webinar");
    expect(outline(second)).toStrictEqual([
      "describeCustomActivityType:601",
      "identity:ok",
      "describeCustomActivityType:ok",
    ]);
    expect(eventsOf(events, "reauthenticate").map((e) => e.code)).toStrictEqual(["601"]);
    expect(wire.tokens.size).toBe(2);
  });

  it("re-authenticates once on an unknown-token 601 and succeeds", async () => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "listCustomActivityTypes", respond: { code: "601" } }],
    });
    expect(await client.listCustomActivityTypes()).toHaveLength(1);
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "listCustomActivityTypes:601",
      "identity:ok",
      "listCustomActivityTypes:ok",
    ]);
  });

  it("gives up after one re-authentication when the token is refused again (601 loop)", async () => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "listCustomActivityTypes", times: 5, respond: { code: "601" } }],
    });
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoAuthError);
    expect(error).toMatchObject({
      reason: "tokenRejected",
      codes: ["601"],
      operation: "listCustomActivityTypes",
    });
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "listCustomActivityTypes:601",
      "identity:ok",
      "listCustomActivityTypes:601",
    ]);
  });
});

describe("rate limit (606): the emulator allows 5 calls per 1000 ms", () => {
  const limits = { rateLimit: { calls: 5, windowMs: 1000 }, maxConcurrent: false } as const;
  const CALLS = 17;

  it("a client configured with the same limit never sees a 606", async () => {
    const { client, emulator, events } = await harness(
      { seed, limits },
      { rateLimit: { calls: 5, windowMs: 1000 } },
    );
    const results = await Promise.all(
      Array.from({ length: CALLS }, () => client.describeCustomActivityType("webinar")),
    );
    expect(results).toHaveLength(CALLS);
    const rest = restOf(emulator.requests);
    expect(rest).toHaveLength(CALLS);
    expect(rest.flatMap((r) => r.errorCodes)).toStrictEqual([]);
    // Full use of the window: five calls, then five more a window (plus 1 ms) after the last ended.
    expect(rest.map((r) => r.at - T0)).toStrictEqual([
      ...Array(5).fill(0),
      ...Array(5).fill(1001),
      ...Array(5).fill(2002),
      ...Array(2).fill(3003),
    ]);
    expect(
      busiestWindow(
        rest.map((r) => r.at),
        1000,
      ),
    ).toBe(5);
    expect(eventsOf(events, "retry")).toStrictEqual([]);
    expect(eventsOf(events, "limiterWait").length).toBeGreaterThan(0);
  });

  it("a client allowed more than the emulator gets 606s, backs off, and every call succeeds", async () => {
    // 17 calls against 5 per second need up to six attempts each; the cap is raised so that the test
    // checks that they are retried, not how lucky the queue order is.
    const { client, emulator, events } = await harness({ seed, limits }, { retry: { maxAttempts: 10 } });
    const results = await Promise.all(
      Array.from({ length: CALLS }, () => client.describeCustomActivityType("webinar")),
    );
    expect(results.map((t) => t.apiName)).toStrictEqual(Array(CALLS).fill("webinar"));
    const rest = restOf(emulator.requests);
    const rejected = rest.filter((r) => r.errorCodes.includes("606"));
    expect(rejected.length).toBeGreaterThan(0);
    expect(rest.filter((r) => r.success)).toHaveLength(CALLS);
    expect(rest).toHaveLength(CALLS + rejected.length);
    expect(client.usage().retries).toBe(rejected.length);
    const retries = eventsOf(events, "retry");
    expect(retries).toHaveLength(rejected.length);
    for (const retry of retries)
      expect(retry.reason).toBe("606 Max rate limit '5' exceeded with in '1' secs");
    expect(
      busiestWindow(
        rest.filter((r) => r.success).map((r) => r.at),
        1000,
      ),
    ).toBeLessThanOrEqual(5);
  });
});

describe("concurrency limit (615): the emulator allows 2 requests in flight, each taking 25 ms", () => {
  const options = { seed, latencyMs: 25, limits: { rateLimit: false, maxConcurrent: 2 } } as const;
  const CALLS = 12;

  it("a client allowed 4 at once gets 615s, retries them, and every call succeeds", async () => {
    const { client, emulator, events } = await harness(options, {
      maxConcurrency: 4,
      retry: { maxAttempts: 12 },
    });
    const results = await Promise.all(
      Array.from({ length: CALLS }, () => client.describeCustomActivityType("webinar")),
    );
    expect(results).toHaveLength(CALLS);
    const rest = restOf(emulator.requests);
    const rejected = rest.filter((r) => r.errorCodes.includes("615"));
    expect(rejected.length).toBeGreaterThan(0);
    expect(rest.filter((r) => r.success)).toHaveLength(CALLS);
    expect(rest).toHaveLength(CALLS + rejected.length);
    for (const retry of eventsOf(events, "retry"))
      expect(retry.reason).toBe("615 Concurrent access limit '2' reached");
  });

  it("a client allowed as many as the emulator never sees a 615", async () => {
    const { client, emulator, events } = await harness(options, { maxConcurrency: 2 });
    await Promise.all(Array.from({ length: CALLS }, () => client.describeCustomActivityType("webinar")));
    const rest = restOf(emulator.requests);
    expect(rest).toHaveLength(CALLS);
    expect(rest.flatMap((r) => r.errorCodes)).toStrictEqual([]);
    expect(eventsOf(events, "retry")).toStrictEqual([]);
  });
});

describe("daily quota (607)", () => {
  it("fails at once with the reset time (midnight US Central), sending the call once and never waiting", async () => {
    const { client, emulator, clock, events } = await harness({ seed, limits: { dailyQuota: 2 } });
    await client.describeCustomActivityType("webinar");
    await client.listCustomActivityTypes();
    const error = await rejection(client.describeCustomActivityType("webinar"));
    expect(error).toBeInstanceOf(MarketoQuotaError);
    // 2026-01-15 is winter: midnight in Chicago is 06:00Z.
    expect(error).toMatchObject({
      code: "MarketoQuota",
      operation: "describeCustomActivityType",
      codes: ["607"],
      attempts: 1,
      retryable: false,
      resetAt: "2026-01-16T06:00:00.000Z",
    });
    expect(error.message).toMatch(/It resets at midnight US Central time, 2026-01-16T06:00:00.000Z$/);
    const again = await rejection(client.addCustomActivities([activity()]));
    expect(again).toBeInstanceOf(MarketoQuotaError);
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "describeCustomActivityType:ok",
      "listCustomActivityTypes:ok",
      "describeCustomActivityType:607",
      "addCustomActivities:607",
    ]);
    expect(eventsOf(events, "retry")).toStrictEqual([]);
    expect(clock.sleeps).toStrictEqual([]);
    expect(emulator.state().activityTypes[0]?.records).toStrictEqual([]);
  });
});

describe("transient failures of metadata calls are retried (scripted faults)", () => {
  const cases: [string, FaultResponse, string][] = [
    ["604", { code: "604" }, "604"],
    ["608", { code: "608" }, "608"],
    ["713", { code: "713" }, "713"],
    ["HTTP 502", { httpStatus: 502, body: "<html><body>502 Bad Gateway</body></html>" }, "HTTP 502"],
    ["HTTP 503 without a body", { httpStatus: 503 }, "HTTP 503"],
    ["a connection dropped before processing", { drop: "before" }, "dropped before"],
  ];

  it.each(cases)("retries %s on describe and succeeds", async (_, respond, shown) => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "describeCustomActivityType", times: 2, respond }],
    });
    expect((await client.describeCustomActivityType("webinar")).id).toBe(WEBINAR);
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      `describeCustomActivityType:${shown}`,
      `describeCustomActivityType:${shown}`,
      "describeCustomActivityType:ok",
    ]);
    expect(client.usage().retries).toBe(2);
  });

  it.each(["611", "614"])("retries %s at most twice, then fails with it", async (code) => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "describeCustomActivityType", times: 5, respond: { code } }],
    });
    const error = await rejection(client.describeCustomActivityType("webinar"));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: [code], attempts: 3, retryable: true });
    expect(outline(emulator).filter((o) => o === `describeCustomActivityType:${code}`)).toHaveLength(3);
  });

  it("retries 604, HTTP 502 and a dropped connection in a row on create, and creates the type once", async () => {
    const { client, emulator } = await harness({
      faults: [
        { operation: "createCustomActivityType", nth: 1, respond: { code: "604" } },
        { operation: "createCustomActivityType", nth: 2, respond: { httpStatus: 502 } },
        { operation: "createCustomActivityType", nth: 3, respond: { drop: "before" } },
      ],
    });
    const created = await client.createCustomActivityType({
      apiName: "webinarAttended",
      name: "Webinar Attended",
      triggerName: "Attends Webinar",
      filterName: "Attended Webinar",
      primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
    });
    expect(created).toMatchObject({ apiName: "webinarAttended", status: "draft" });
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "createCustomActivityType:604",
      "createCustomActivityType:HTTP 502",
      "createCustomActivityType:dropped before",
      "createCustomActivityType:ok",
    ]);
    expect(emulator.state().activityTypes.map((t) => t.apiName)).toStrictEqual(["webinarAttended"]);
  });

  it("resends a create whose answer was lost; the 1017 that follows says the first attempt may have worked", async () => {
    const { client, emulator } = await harness({
      faults: [{ operation: "createCustomActivityType", respond: { drop: "after" } }],
    });
    const error = await rejection(
      client.createCustomActivityType({
        apiName: "webinarAttended",
        name: "Webinar Attended",
        triggerName: "Attends Webinar",
        filterName: "Attended Webinar",
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
      }),
    );
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: ["1017"], afterAmbiguousAttempt: true, attempts: 2 });
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "createCustomActivityType:dropped after",
      "createCustomActivityType:1017",
    ]);
    expect(emulator.state().activityTypes).toHaveLength(1);
  });

  it("resends an update whose answer was lost, with the same absolute result", async () => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "updateCustomActivityType", respond: { drop: "after" } }],
    });
    const updated = await client.updateCustomActivityType("webinar", { description: "Changed" });
    expect(updated).toMatchObject({ status: "approved with draft", description: "Changed" });
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "updateCustomActivityType:dropped after",
      "updateCustomActivityType:ok",
    ]);
  });
});

describe("addCustomActivities sends a batch twice only when Marketo refused it", () => {
  const recordsOf = (emulator: { state(): { activityTypes: readonly { records: readonly unknown[] }[] } }) =>
    emulator.state().activityTypes[0]?.records ?? [];

  it("reports outcome unknown when the connection drops after the records were added, and stores them once", async () => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "addCustomActivities", respond: { drop: "after" } }],
    });
    const error = await rejection(client.addCustomActivities([activity(), activity({ leadId: 7 })]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(error).toMatchObject({ operation: "addCustomActivities", recordCount: 2 });
    expect(error.cause).toBeInstanceOf(MarketoNetworkError);
    expect(outline(emulator)).toStrictEqual(["identity:ok", "addCustomActivities:dropped after"]);
    expect(recordsOf(emulator).map((r) => (r as { leadId: number }).leadId)).toStrictEqual([42, 7]);
    expect(client.usage().byOperation).toStrictEqual({ addCustomActivities: 1 });
  });

  it.each<[string, FaultResponse, string]>([
    ["713", { code: "713" }, "713"],
    ["HTTP 502", { httpStatus: 502 }, "HTTP 502"],
    ["a connection dropped before processing", { drop: "before" }, "dropped before"],
  ])("reports outcome unknown after %s and does not resend", async (_, respond, shown) => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "addCustomActivities", respond }],
    });
    const error = await rejection(client.addCustomActivities([activity()]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(error).toMatchObject({ recordCount: 1 });
    expect(outline(emulator)).toStrictEqual(["identity:ok", `addCustomActivities:${shown}`]);
  });

  it.each(["606", "615"])("resends after %s, and the records are stored once", async (code) => {
    const { client, emulator } = await harness({
      seed,
      faults: [{ operation: "addCustomActivities", respond: { code } }],
    });
    const results = await client.addCustomActivities([activity(), activity({ leadId: 7 })]);
    expect(results.map((r) => r.status)).toStrictEqual(["added", "added"]);
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      `addCustomActivities:${code}`,
      "addCustomActivities:ok",
    ]);
    expect(recordsOf(emulator)).toHaveLength(2);
  });

  it("resends after 602 once it has a new token, and the records are stored once", async () => {
    const clock = virtualClock();
    let skew = 0;
    const emulator = await emulatorOn(clock, { seed, tokenTtlSeconds: 60, now: () => clock.now() + skew });
    const { client } = clientFor(emulator, clock, newWire(clock));
    await client.listCustomActivityTypes();
    skew = 60_000;
    const results = await client.addCustomActivities([activity()]);
    expect(results.map((r) => r.status)).toStrictEqual(["added"]);
    expect(outline(emulator)).toStrictEqual([
      "identity:ok",
      "listCustomActivityTypes:ok",
      "addCustomActivities:602",
      "identity:ok",
      "addCustomActivities:ok",
    ]);
    expect(recordsOf(emulator)).toHaveLength(1);
  });

  it("is held back by the rate limit rather than refused: a storm of batches under 606 adds every record once", async () => {
    const { client, emulator } = await harness(
      { seed, limits: { rateLimit: { calls: 3, windowMs: 1000 }, maxConcurrent: false } },
      { retry: { maxAttempts: 10 } },
    );
    const batches = Array.from({ length: 9 }, (_, i) => [activity({ leadId: 100 + i })]);
    const results = await Promise.all(batches.map((batch) => client.addCustomActivities(batch)));
    expect(results.flat().map((r) => r.status)).toStrictEqual(Array(9).fill("added"));
    expect(restOf(emulator.requests).some((r) => r.errorCodes.includes("606"))).toBe(true);
    const leads = recordsOf(emulator).map((r) => (r as { leadId: number }).leadId);
    expect([...leads].sort()).toStrictEqual(batches.map((b) => b[0]?.leadId).sort());
  });

  it("fails without resending when the batch is over Marketo's 1 MB body limit (HTTP 413)", async () => {
    const { client, emulator } = await harness({ seed });
    const big = "x".repeat(4000);
    const records = Array.from({ length: 300 }, () => activity({ primaryAttributeValue: big }));
    const error = await rejection(client.addCustomActivities(records));
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error).toMatchObject({ httpStatus: 413, attempts: 1, retryable: false });
    expect((error as MarketoHttpError).hint).toContain("1 MB");
    expect(outline(emulator)).toStrictEqual(["identity:ok", "unknown:HTTP 413"]);
    expect(emulator.state().activityTypes[0]?.records).toStrictEqual([]);
  });

  it("returns per-record results in input order, a skipped record with its errors", async () => {
    const { client } = await harness({ seed, leads: [42] });
    const results = await client.addCustomActivities([activity({ leadId: 43 }), activity()]);
    expect(results).toStrictEqual([
      { status: "skipped", errors: [{ code: "1004", message: "Lead not found" }] },
      { id: 1, marketoGUID: "1", status: "added" },
    ]);
  });
});

describe("request log", () => {
  it("creating a type with one attribute and approving it takes exactly identity, list, create, attributes/create, approve", async () => {
    const { client, emulator } = await harness();
    expect(await client.listCustomActivityTypes()).toStrictEqual([]);
    const created = await client.createCustomActivityType({
      apiName: "webinarAttended",
      name: "Webinar Attended",
      triggerName: "Attends Webinar",
      filterName: "Attended Webinar",
      description: "Someone watched a webinar",
      primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
    });
    expect(created.status).toBe("draft");
    await client.createCustomActivityTypeAttributes("webinarAttended", [
      { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    ]);
    const approved = (await client.approveCustomActivityType("webinarAttended"))!;
    expect(approved).toMatchObject({
      apiName: "webinarAttended",
      status: "approved",
      primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
      attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }],
    });

    const ok = { httpStatus: 200, success: true, errorCodes: [] };
    const type = "/rest/v1/activities/external/type";
    expect(logOf(emulator)).toStrictEqual([
      { operation: "identity", method: "POST", path: "/identity/oauth/token", ...ok },
      {
        operation: "listCustomActivityTypes",
        method: "GET",
        path: "/rest/v1/activities/external/types.json",
        ...ok,
      },
      { operation: "createCustomActivityType", method: "POST", path: `${type}.json`, ...ok },
      {
        operation: "createCustomActivityTypeAttributes",
        method: "POST",
        path: `${type}/webinarAttended/attributes/create.json`,
        apiName: "webinarAttended",
        ...ok,
      },
      {
        operation: "approveCustomActivityType",
        method: "POST",
        path: `${type}/webinarAttended/approve.json`,
        apiName: "webinarAttended",
        ...ok,
      },
    ]);
    expect(emulator.requests.every((r) => r.at === T0)).toBe(true);
    expect(client.usage()).toStrictEqual({
      total: 4,
      byOperation: {
        listCustomActivityTypes: 1,
        createCustomActivityType: 1,
        createCustomActivityTypeAttributes: 1,
        approveCustomActivityType: 1,
      },
      retries: 0,
      identity: 1,
    });
  });
});

describe("request conformance", () => {
  const BODY_OPERATIONS: readonly Operation[] = [
    "createCustomActivityType",
    "updateCustomActivityType",
    "createCustomActivityTypeAttributes",
    "updateCustomActivityTypeAttributes",
    "deleteCustomActivityTypeAttributes",
    "addCustomActivities",
  ];

  it("validates each operation's body against the swagger's own body parameter", () => {
    for (const operation of OPERATIONS) {
      expect(swaggerRequestDefinition(operation), operation).toBe(swaggerBodyDefinition(operation));
      expect(swaggerBodyDefinition(operation) !== undefined, operation).toBe(
        BODY_OPERATIONS.includes(operation),
      );
    }
  });

  it("rejects bodies that break the schema (the relaxed validators can fail)", () => {
    const create = {
      apiName: "a1",
      name: "A",
      triggerName: "T",
      filterName: "F",
      primaryAttribute: { apiName: "p", name: "P" },
    };
    expect(requestProblems("createCustomActivityType", create)).toStrictEqual([]);
    const { triggerName: _, ...withoutTrigger } = create;
    expect(requestProblems("createCustomActivityType", withoutTrigger)).not.toStrictEqual([]);
    expect(requestProblems("createCustomActivityType", { ...create, attributes: [] })).not.toStrictEqual([]);
    expect(requestProblems("updateCustomActivityType", { name: "B" })).toStrictEqual([]);
    expect(
      requestProblems("updateCustomActivityType", { primaryAttribute: { apiName: "p" } }),
    ).not.toStrictEqual([]);
    const attribute = { apiName: "a", name: "A", dataType: "integer" };
    expect(requestProblems("createCustomActivityTypeAttributes", { attributes: [attribute] })).toStrictEqual(
      [],
    );
    expect(
      requestProblems("createCustomActivityTypeAttributes", { attributes: [{ apiName: "a" }] }),
    ).not.toStrictEqual([]);
    expect(
      requestProblems("createCustomActivityTypeAttributes", {
        attributes: [{ ...attribute, dataType: "int" }],
      }),
    ).not.toStrictEqual([]);
    expect(
      requestProblems("deleteCustomActivityTypeAttributes", { attributes: [{ apiName: "a" }] }),
    ).toStrictEqual([]);
    expect(
      requestProblems("deleteCustomActivityTypeAttributes", { attributes: [{ name: "A" }] }),
    ).not.toStrictEqual([]);
    expect(requestProblems("addCustomActivities", { input: [activity()] })).toStrictEqual([]);
    expect(
      requestProblems("addCustomActivities", {
        input: [activity({ attributes: [{ name: "Minutes Watched", value: "5" }] })],
      }),
    ).toStrictEqual([]);
    expect(
      requestProblems("addCustomActivities", { input: [{ ...activity(), leadId: undefined }] }),
    ).not.toStrictEqual([]);
    expect(
      requestProblems("addCustomActivities", { input: [activity({ activityTypeId: 2 ** 31 })] }),
    ).not.toStrictEqual([]);
    expect(
      requestProblems("addCustomActivities", { input: [activity({ attributes: [{ value: 1 }] })] }),
    ).not.toStrictEqual([]);
    expect(requestProblems("addCustomActivities", { records: [] })).not.toStrictEqual([]);
    expect(requestProblems("approveCustomActivityType", {})).not.toStrictEqual([]);
  });

  it("sends conformant bodies for every operation of a type's whole lifecycle", async () => {
    const { client, wire, emulator } = await harness();
    await client.createCustomActivityType({
      apiName: "webinarAttended",
      name: "Webinar Attended",
      triggerName: "Attends Webinar",
      filterName: "Attended Webinar",
      description: "Someone watched a webinar",
      primaryAttribute: {
        apiName: "webinarName",
        name: "Webinar Name",
        dataType: "string",
        description: "Title of the webinar",
      },
    });
    await client.updateCustomActivityType("webinarAttended", { name: "Webinar Watched" });
    await client.createCustomActivityTypeAttributes("webinarAttended", [
      { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer", description: "Minutes" },
      { apiName: "host", name: "Host", dataType: "email" },
      { apiName: "rating", name: "Rating", dataType: "float" },
    ]);
    await client.updateCustomActivityTypeAttributes("webinarAttended", [
      { apiName: "host", name: "Host Email", dataType: "email" },
    ]);
    await client.deleteCustomActivityTypeAttributes("webinarAttended", ["rating"]);
    const approved = (await client.approveCustomActivityType("webinarAttended"))!;
    await client.updateCustomActivityType("webinarAttended", {
      description: "Changed",
      triggerName: "Watches Webinar",
      filterName: "Watched Webinar",
    });
    expect((await client.describeCustomActivityType("webinarAttended", { draft: true })).description).toBe(
      "Changed",
    );
    await client.discardCustomActivityTypeDraft("webinarAttended");
    expect((await client.describeCustomActivityType("webinarAttended")).name).toBe("Webinar Watched");
    expect(await client.listCustomActivityTypes()).toHaveLength(1);
    expect((await client.listActivityTypes()).map((t) => t.id)).toContain(approved.id);
    const added = await client.addCustomActivities([
      activity({
        activityTypeId: approved.id ?? 0,
        attributes: [
          { apiName: "minutesWatched", value: 30 },
          { name: "Host Email", value: "host@example.com" },
        ],
      }),
    ]);
    expect(added.map((r) => r.status)).toStrictEqual(["added"]);
    expect((await client.deleteCustomActivityType("webinarAttended"))?.status).toBe("deleted");

    expect(emulator.requests.every((r) => r.success)).toBe(true);
    for (const operation of BODY_OPERATIONS) {
      const bodies = wire.bodiesOf(operation);
      expect(bodies.length, operation).toBeGreaterThan(0);
      for (const body of bodies)
        expect(requestProblems(operation, body), JSON.stringify(body)).toStrictEqual([]);
    }
    // Every REST operation was called (identity included): the responses are validated after the test.
    expect(new Set(emulator.requests.map((r) => r.operation))).toStrictEqual(new Set(OPERATIONS));
  });
});

// ---- redaction on every error path ----

describe("no secret in any error or event", () => {
  it("forces every error path against the emulator and finds neither the client secret nor any token", async () => {
    const SECRET = "Emu-Secret-5f1c2a9d7b";
    const WRONG_SECRET = "Wrong-Secret-0e8b3c6a41";
    const clock = virtualClock();
    const wire = newWire(clock);
    const eventLists: MarketoClientEvent[][] = [];
    const errors: [string, Error][] = [];
    const emulator = await emulatorOn(clock, { seed, clientSecret: SECRET });
    const client = (settings: Parameters<typeof clientFor>[3] = {}, target = emulator) => {
      const made = clientFor(target, clock, wire, { retry: { maxAttempts: 2 }, ...settings });
      eventLists.push(made.events);
      return made;
    };
    const collect = async (label: string, _: unknown, run: Promise<unknown>) => {
      const error = await rejection(run);
      errors.push([label, error]);
      return error;
    };

    // Bad credentials: HTTP 401 from identity (bad secret, then unknown client id).
    const bad = client({ clientSecret: WRONG_SECRET });
    expect(await collect("bad secret", bad, bad.client.listCustomActivityTypes())).toMatchObject({
      reason: "badCredentials",
      httpStatus: 401,
    });
    const unknown = client({ clientId: "nobody" });
    expect(await collect("unknown client", unknown, unknown.client.listCustomActivityTypes())).toBeInstanceOf(
      MarketoAuthError,
    );

    // One client with a token from here on; its messages and faults echo the token and the secret.
    const main = client();
    await main.client.listCustomActivityTypes();
    const [token] = [...wire.tokens];
    expect(token).toBeDefined();
    const echo = `Bearer ${token} access_token=${token} client_secret=${SECRET} ${token} ${SECRET}`;

    emulator.addFault({
      operation: "listCustomActivityTypes",
      times: 2,
      respond: { code: "601", message: echo },
    });
    expect(await collect("601 loop", main, main.client.listCustomActivityTypes())).toMatchObject({
      reason: "tokenRejected",
    });
    emulator.addFault({ operation: "describeCustomActivityType", respond: { code: "603", message: echo } });
    expect(await collect("603", main, main.client.describeCustomActivityType("webinar"))).toMatchObject({
      codes: ["603"],
    });
    emulator.addFault({ operation: "describeCustomActivityType", respond: { code: "799", message: echo } });
    const unknownCode = await collect(
      "unknown code",
      main,
      main.client.describeCustomActivityType("webinar"),
    );
    expect(unknownCode).toMatchObject({ codes: ["799"] });
    expect(unknownCode.message).toContain("[REDACTED]");

    emulator.addFault({ operation: "describeCustomActivityType", times: 2, respond: { drop: "before" } });
    expect(
      await collect("drop before", main, main.client.describeCustomActivityType("webinar")),
    ).toBeInstanceOf(MarketoNetworkError);
    emulator.addFault({ operation: "addCustomActivities", respond: { drop: "after" } });
    expect(await collect("drop after", main, main.client.addCustomActivities([activity()]))).toBeInstanceOf(
      MarketoOutcomeUnknownError,
    );
    emulator.addFault({
      operation: "addCustomActivities",
      times: 2,
      respond: { code: "604", message: echo },
    });
    expect(await collect("604 on add", main, main.client.addCustomActivities([activity()]))).toMatchObject({
      codes: ["604"],
      attempts: 2,
    });
    // Marketo busy until the deadline: the busy message quotes Marketo's last answer.
    emulator.addFault({
      operation: "discardCustomActivityTypeDraft",
      times: 1000,
      respond: { code: "606", message: echo },
    });
    const busy = await collect("busy", main, main.client.discardCustomActivityTypeDraft("webinar"));
    expect(busy.message).toMatch(/^the Marketo instance stayed busy: .*\[REDACTED\]/);

    const html = `<html><body>Session ${token} for client_secret=${SECRET}</body></html>`;
    emulator.addFault({ operation: "describeCustomActivityType", respond: { httpStatus: 200, body: html } });
    const notJson = await collect("not JSON", main, main.client.describeCustomActivityType("webinar"));
    expect(notJson).toBeInstanceOf(MarketoHttpError);
    expect((notJson as MarketoHttpError).bodyExcerpt).toContain("[REDACTED]");
    const gateway = JSON.stringify({ access_token: token, error: `Bad Gateway ${token} ${SECRET}` });
    wire.nonConformantBodies.add(gateway);
    emulator.addFault({
      operation: "listCustomActivityTypes",
      times: 2,
      respond: { httpStatus: 502, body: gateway },
    });
    expect(await collect("HTTP 502", main, main.client.listCustomActivityTypes())).toMatchObject({
      httpStatus: 502,
    });

    // The identity endpoint itself failing, echoing the secret it was sent.
    const identityBody = JSON.stringify({ message: `upstream saw client_secret=${SECRET}` });
    wire.nonConformantBodies.add(identityBody);
    emulator.addFault({ operation: "identity", times: 2, respond: { httpStatus: 500, body: identityBody } });
    const fresh = client();
    expect(await collect("identity 500", fresh, fresh.client.listCustomActivityTypes())).toMatchObject({
      operation: "identity",
      httpStatus: 500,
    });

    // Business errors (1xxx).
    expect(await collect("1013", main, main.client.describeCustomActivityType("nope"))).toMatchObject({
      codes: ["1013"],
    });
    expect(
      await collect(
        "1017",
        main,
        main.client.createCustomActivityType({
          apiName: "webinar",
          name: "Again",
          triggerName: "Again happens",
          filterName: "Again happened",
          primaryAttribute: { apiName: "p", name: "P" },
        }),
      ),
    ).toMatchObject({ codes: ["1017"] });

    // A base URL with a path the instance does not know (identity would answer 610) is refused
    // before any call, naming the URL but no secret.
    try {
      client({}, { ...emulator, url: `${emulator.url}/marketo` });
      expect.unreachable("a base URL with a path was accepted");
    } catch (error) {
      expect((error as Error).message).toContain("without a path");
      errors.push(["base URL with a path", error as Error]);
    }

    // 607 from a second instance with the same secret and a quota of one call.
    const quota = await emulatorOn(clock, { seed, clientSecret: SECRET, limits: { dailyQuota: 1 } });
    const limited = client({}, quota);
    await limited.client.listCustomActivityTypes();
    expect(await collect("607", limited, limited.client.listCustomActivityTypes())).toBeInstanceOf(
      MarketoQuotaError,
    );

    const secrets = [SECRET, WRONG_SECRET, ...wire.tokens].flatMap((s) => [s, encodeURIComponent(s)]);
    expect(wire.tokens.size).toBeGreaterThanOrEqual(2);
    expect(errors.map(([label]) => label)).toStrictEqual([
      "bad secret",
      "unknown client",
      "601 loop",
      "603",
      "unknown code",
      "drop before",
      "drop after",
      "604 on add",
      "busy",
      "not JSON",
      "HTTP 502",
      "identity 500",
      "1013",
      "1017",
      "base URL with a path",
      "607",
    ]);
    for (const [label, error] of errors) {
      for (const text of renderings(error)) {
        for (const secret of secrets) expect(text, `${label}: ${text}`).not.toContain(secret);
      }
    }
    const events = eventLists.flat();
    expect(events.length).toBeGreaterThan(20);
    const eventText = [JSON.stringify(events), inspect(events, { depth: 10 })];
    for (const text of eventText) for (const secret of secrets) expect(text).not.toContain(secret);
    // The emulator's log keeps paths without their query, so the secret is not there either.
    for (const secret of secrets) expect(JSON.stringify(emulator.requests)).not.toContain(secret);
  });
});

describe("responses that are not Marketo's envelope", () => {
  it("refuses JSON without success or result rather than reading it as an empty list", async () => {
    const body = JSON.stringify({ status: "ok" });
    const { client, wire } = await harness({
      seed,
      faults: [{ operation: "listCustomActivityTypes", respond: { httpStatus: 200, body } }],
    });
    wire.nonConformantBodies.add(body);
    // Regression: every field of `envelopeSchema` is optional, so any JSON object parsed as an
    // envelope, and a 200 with `{"status":"ok"}` (a proxy, a captive portal) read as a list with no
    // types: a reconciler would then try to create every declared type. Only a boolean `success`
    // makes a body Marketo's answer.
    const outcome = await client.listCustomActivityTypes().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    expect(outcome).toMatchObject({ error: expect.any(MarketoHttpError) });
  });
});

describe("conformance coverage of this file", () => {
  // Runs last (vitest runs a file's tests in order): every exchange of the tests above was checked in
  // their afterEach, so every request schema and every response schema the client meets was used.
  it("validated request bodies of every body-bearing operation and responses of every operation", () => {
    for (const operation of OPERATIONS) {
      if (swaggerBodyDefinition(operation) !== undefined)
        expect(validatedRequests.get(operation), operation).toBeGreaterThan(0);
    }
    for (const route of ROUTES) {
      // The client always asks for tokens with POST.
      if (route.swaggerId === "identityUsingGET") continue;
      expect(validatedCounts.get(route.swaggerId), route.swaggerId).toBeGreaterThan(0);
    }
  });
});
