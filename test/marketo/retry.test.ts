import { describe, expect, it } from "vitest";
import { policyForCodes } from "../../src/marketo/codes.js";
import {
  MarketoApiError,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
} from "../../src/marketo/errors.js";
import { classifyNetworkError } from "../../src/marketo/network.js";
import { nextQuotaReset } from "../../src/marketo/quota.js";
import { backoffDelay } from "../../src/marketo/retry.js";
import { MarketoActivitiesError } from "../../src/schema/errors.js";
import { busiestWindow } from "../helpers/windows.js";
import {
  activityType,
  apiNameOf,
  fail,
  json,
  networkError,
  ok,
  type Reply,
  rejection,
  setup,
  TOKEN_2,
  timeoutError,
  token,
} from "./helpers.js";

const record = (leadId: number) => ({
  leadId,
  activityDate: "2026-01-15T12:00:00Z",
  activityTypeId: 100001,
  primaryAttributeValue: "Intro webinar",
  attributes: [{ apiName: "minutesWatched", value: 42 }],
});
const added = [
  { id: 1, marketoGUID: "1", status: "added" },
  { id: 2, marketoGUID: "2", status: "added" },
];

describe("retries of rate and concurrency limits", () => {
  it.each([
    ["606", "Max rate limit '100' exceeded with in '20' secs", "rate"],
    ["615", "Concurrent access limit '10' reached", "concurrency"],
  ])("waits out %s with growing, jittered waits until it clears", async (code, message, limit) => {
    const { client, stub, clock, events } = setup();
    stub.reply(
      "describeCustomActivityType",
      fail(code, message),
      fail(code, message),
      fail(code, message),
      ok([activityType()]),
    );
    const type = await client.describeCustomActivityType("webinarAttended");
    expect(type.apiName).toBe("webinarAttended");
    // random() = 0.5: three quarters of 1 s, 2 s, 4 s (equal jitter in the upper half of each ceiling)
    expect(clock.sleeps).toEqual([750, 1500, 3000]);
    expect(stub.rest()).toHaveLength(4);
    expect(client.usage()).toMatchObject({ total: 4, retries: 3 });
    const retries = events.filter((e) => e.type === "retry");
    expect(retries.map((e) => [e.reason, e.limit, e.giveUpInMs])).toEqual([
      [`${code} ${message}`, limit, 120_000],
      [`${code} ${message}`, limit, 120_000 - 750],
      [`${code} ${message}`, limit, 120_000 - 2250],
    ]);
  });

  it("rides out a storm of 606 and 615 from many callers under small limits", async () => {
    const { client, stub } = setup({ rateLimit: { calls: 4, windowMs: 1000 }, maxConcurrency: 2 });
    let served = 0;
    const storm: Reply = async (request) => {
      const n = ++served;
      await new Promise((resolve) => setImmediate(resolve));
      if (n <= 12)
        return n % 2 === 0 ? fail("606", "Max rate limit") : fail("615", "Concurrent access limit");
      return ok([activityType(apiNameOf(request))]);
    };
    for (let i = 0; i < 40; i++) stub.reply("describeCustomActivityType", storm);
    const names = Array.from({ length: 8 }, (_, i) => `type${i}`);
    const results = await Promise.all(names.map((name) => client.describeCustomActivityType(name)));
    expect(results).toHaveLength(8);
    expect(stub.rest()).toHaveLength(20);
    expect(stub.maxInFlight).toBeLessThanOrEqual(2);
    expect(
      busiestWindow(
        stub.rest().map((r) => r.at),
        1000,
        "closed",
      ),
    ).toBeLessThanOrEqual(4);
  });

  it("waits out 606 past maxAttempts, then fails at busyDeadlineMs saying the instance is busy", async () => {
    const { client, stub, clock } = setup();
    for (let i = 0; i < 20; i++) stub.reply("listCustomActivityTypes", fail("606", "Max rate limit"));
    const error = await rejection(client.listCustomActivityTypes());
    // 0.75, 1.5, 3, 6, 12 s, then 15 s (three quarters of one 20 s window) until 120 s: the last wait
    // is cut short so that one more attempt lands on the deadline.
    expect(clock.sleeps).toEqual([750, 1500, 3000, 6000, 12_000, ...Array(6).fill(15_000), 6750]);
    expect(stub.rest()).toHaveLength(13);
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: ["606"], retryable: true, attempts: 13 });
    expect(error.message).toBe(
      "the Marketo instance stayed busy: listCustomActivityTypes was refused 13 times in 120 s (last: 606 Max rate limit), so it was not carried out",
    );
  });

  it("fails when the next wait after a transient failure would end after maxElapsedMs", async () => {
    const { client, stub, clock } = setup({
      random: () => 0.99,
      retry: { baseDelayMs: 1000, maxElapsedMs: 2000 },
    });
    for (let i = 0; i < 10; i++)
      stub.reply("listCustomActivityTypes", fail("608", "API Temporarily Unavailable"));
    await rejection(client.listCustomActivityTypes());
    // 990 ms fits in 2 s; 990 + 1980 does not.
    expect(clock.sleeps).toEqual([990]);
    expect(stub.rest()).toHaveLength(2);
  });

  it("retries HTTP 429 as a refusal", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", new Response("Too Many Requests", { status: 429 }), ok());
    await client.listCustomActivityTypes();
    expect(stub.rest()).toHaveLength(2);
  });
});

describe("daily quota (607)", () => {
  it("fails at once with the reset time, midnight US Central", async () => {
    const { client, stub, clock } = setup();
    stub.reply("approveCustomActivityType", fail("607", "Daily quota reached"));
    const error = await rejection(client.approveCustomActivityType("webinarAttended"));
    expect(error).toBeInstanceOf(MarketoQuotaError);
    expect(error).toBeInstanceOf(MarketoApiError);
    // 2026-01-15T12:00Z is 06:00 CST; the next midnight in Chicago is 06:00Z on the 16th.
    expect((error as MarketoQuotaError).resetAt).toBe("2026-01-16T06:00:00.000Z");
    expect(error).toMatchObject({ code: "MarketoQuota", codes: ["607"], retryable: false });
    expect(error.message).toContain("midnight US Central time, 2026-01-16T06:00:00.000Z");
    expect(error.message).toContain('approveCustomActivityType for "webinarAttended"');
    expect(stub.rest()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it.each([
    ["winter", "2026-01-15T12:00:00Z", "2026-01-16T06:00:00.000Z"],
    ["summer (CDT)", "2026-07-01T03:00:00Z", "2026-07-01T05:00:00.000Z"],
    ["one second before midnight", "2026-01-16T05:59:59Z", "2026-01-16T06:00:00.000Z"],
    ["exactly at midnight", "2026-01-16T06:00:00Z", "2026-01-17T06:00:00.000Z"],
    ["the day DST starts", "2026-03-08T12:00:00Z", "2026-03-09T05:00:00.000Z"],
    ["the day DST ends", "2026-11-01T12:00:00Z", "2026-11-02T06:00:00.000Z"],
    ["New Year's Eve", "2026-12-31T20:00:00Z", "2027-01-01T06:00:00.000Z"],
  ])("computes the next reset in %s", (_, now, reset) => {
    expect(nextQuotaReset(Date.parse(now))).toBe(reset);
  });
});

describe("retries of transient failures for metadata operations", () => {
  const cases: [string, Reply][] = [
    ["604", fail("604", "Request time-out")],
    ["608", fail("608", "API Temporarily Unavailable")],
    ["713", fail("713", "Transient Error")],
    ["HTTP 502", new Response("<html>Bad Gateway</html>", { status: 502 })],
    ["HTTP 500 with JSON", json({ message: "oops" }, 500)],
    ["a connection reset", networkError("ECONNRESET")],
    ["a socket closed by the other side", networkError("UND_ERR_SOCKET", "other side closed")],
    ["a timeout", timeoutError()],
    ["a refused connection", networkError("ECONNREFUSED")],
  ];
  it.each(cases)("retries %s and returns the result", async (_, reply) => {
    const { client, stub, clock } = setup();
    stub.reply("createCustomActivityType", reply, ok([activityType()]));
    const type = await client.createCustomActivityType({
      apiName: "webinarAttended",
      name: "Webinar Attended",
    });
    expect(type.status).toBe("draft");
    expect(stub.rest()).toHaveLength(2);
    expect(clock.sleeps).toEqual([250]);
  });

  it("fails when a 5xx persists, with an error naming the operation and status", async () => {
    const { client, stub } = setup({ retry: { maxAttempts: 3 } });
    for (let i = 0; i < 3; i++)
      stub.reply("listActivityTypes", new Response("Service Unavailable", { status: 503 }));
    const error = await rejection(client.listActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error).toMatchObject({ httpStatus: 503, retryable: true, attempts: 3 });
    expect(error.message).toBe(
      'Marketo answered listActivityTypes with HTTP 503 and an error status (after 3 attempts): "Service Unavailable"',
    );
  });

  it("tells the caller when a rejection followed an ambiguous attempt", async () => {
    const { client, stub } = setup();
    stub.reply(
      "createCustomActivityType",
      new Response("Bad Gateway", { status: 502 }),
      fail("1017", "Object already exists"),
    );
    const error = await rejection(client.createCustomActivityType({ apiName: "webinarAttended" }));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: ["1017"], afterAmbiguousAttempt: true, apiName: "webinarAttended" });
    expect(error.message).toBe(
      'Marketo rejected createCustomActivityType for "webinarAttended": 1017 Object already exists (after 2 attempts)',
    );
  });

  it("retries 611 at most twice", async () => {
    const { client, stub } = setup();
    for (let i = 0; i < 6; i++) stub.reply("deleteCustomActivityType", fail("611", "System error"));
    const error = await rejection(client.deleteCustomActivityType("oldSignup"));
    expect(error).toMatchObject({ codes: ["611"], attempts: 3 });
    expect(stub.rest()).toHaveLength(3);
  });

  it.each(["603", "605", "609", "610", "612", "709", "1013", "1017", "1027"])(
    "fails when Marketo answers %s, without retrying",
    async (code) => {
      const { client, stub } = setup();
      stub.reply("approveCustomActivityType", fail(code, "Some message"));
      const error = await rejection(client.approveCustomActivityType("webinarAttended"));
      expect(error).toBeInstanceOf(MarketoApiError);
      expect(error).toMatchObject({ codes: [code], retryable: false, attempts: 1 });
      expect(stub.rest()).toHaveLength(1);
    },
  );

  it("fails when the host name does not resolve, without retrying, pointing at the base URL", async () => {
    const { client, stub } = setup();
    stub.reply("identity", networkError("ENOTFOUND", "getaddrinfo ENOTFOUND 123-abc-456.mktorest.com"));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoNetworkError);
    expect(error).toMatchObject({ networkCode: "ENOTFOUND", retryable: false, operation: "identity" });
    expect((error as MarketoNetworkError).hint).toContain("baseUrl");
    expect(stub.requests).toHaveLength(1);
  });
});

describe("addCustomActivities never sends a batch twice after an ambiguous failure", () => {
  const ambiguous: [string, Reply][] = [
    ["713", fail("713", "Transient Error")],
    ["HTTP 502", new Response("Bad Gateway", { status: 502 })],
    ["HTTP 500", new Response("Internal Server Error", { status: 500 })],
    ["a connection reset", networkError("ECONNRESET")],
    ["a timeout", timeoutError()],
    ["a 200 that is not JSON", new Response("<html>ok</html>", { status: 200 })],
  ];
  it.each(ambiguous)("fails when the batch meets %s, reporting the outcome as unknown", async (_, reply) => {
    const { client, stub, clock } = setup();
    stub.reply("addCustomActivities", reply, ok(added));
    const error = await rejection(client.addCustomActivities([record(1), record(2)]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(error).toMatchObject({
      code: "MarketoOutcomeUnknown",
      recordCount: 2,
      operation: "addCustomActivities",
    });
    expect(error.message).toContain("2 activity records");
    expect(error.cause).toBeInstanceOf(MarketoActivitiesError);
    expect(stub.rest()).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("fails when the connection drops while reading the response", async () => {
    const { client, stub } = setup();
    const broken = new Response(
      new ReadableStream({
        start(controller) {
          controller.error(Object.assign(new Error("terminated"), { code: "ECONNRESET" }));
        },
      }),
      { status: 200 },
    );
    stub.reply("addCustomActivities", broken, ok(added));
    const error = await rejection(client.addCustomActivities([record(1), record(2)]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(stub.rest()).toHaveLength(1);
  });

  const rejected: [string, Reply[]][] = [
    ["606", [fail("606", "Max rate limit")]],
    ["615", [fail("615", "Concurrent access limit")]],
    ["604 (6xx: not executed)", [fail("604", "Request time-out")]],
    ["608 (6xx: not executed)", [fail("608", "API Temporarily Unavailable")]],
    ["611 (6xx: not executed)", [fail("611", "System error")]],
    ["614 (6xx: not executed)", [fail("614", "Invalid Subscription")]],
    ["a refused connection", [networkError("ECONNREFUSED")]],
    ["601 (after re-authenticating)", [fail("601", "Access token invalid")]],
    ["602 (after re-authenticating)", [fail("602", "Access token expired")]],
  ];
  it.each(rejected)(
    "resends the batch after %s, which Marketo guarantees was not processed",
    async (_, replies) => {
      const { client, stub } = setup();
      stub.reply("identity", token(), token(TOKEN_2));
      stub.reply("addCustomActivities", ...replies, ok(added));
      const results = await client.addCustomActivities([record(1), record(2)]);
      expect(results).toEqual(added);
      const sent = stub.rest();
      expect(sent).toHaveLength(2);
      expect(sent[1]?.body).toBe(sent[0]?.body);
      expect(JSON.parse(sent[0]?.body ?? "{}")).toEqual({ input: [record(1), record(2)] });
    },
  );

  it("fails when 604 persists, as a batch not stored (not an unknown outcome)", async () => {
    const { client, stub } = setup({ retry: { maxAttempts: 2 } });
    stub.reply("addCustomActivities", fail("604", "Request time-out"), fail("604", "Request time-out"));
    const error = await rejection(client.addCustomActivities([record(1), record(2)]));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).not.toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(error.message).toBe(
      "Marketo rejected addCustomActivities (2 records): 604 Request time-out (after 2 attempts)",
    );
  });

  it("fails when a resend after 606 meets an ambiguous failure", async () => {
    const { client, stub } = setup();
    stub.reply("addCustomActivities", fail("606", "Max rate limit"), networkError("ECONNRESET"), ok(added));
    const error = await rejection(client.addCustomActivities([record(1)]));
    expect(error).toBeInstanceOf(MarketoOutcomeUnknownError);
    expect(error).toMatchObject({ recordCount: 1, reason: "ECONNRESET" });
    expect(stub.rest()).toHaveLength(2);
  });
});

describe("retry building blocks", () => {
  it("draws full-jitter delays below a doubling ceiling capped at maxDelayMs", () => {
    const options = { baseDelayMs: 500, maxDelayMs: 20_000 };
    expect(backoffDelay(0, options, () => 0.999)).toBe(499);
    expect(backoffDelay(3, options, () => 0.5)).toBe(2000);
    expect(backoffDelay(10, options, () => 0.5)).toBe(10_000);
    expect(backoffDelay(4, options, () => 0)).toBe(0);
  });

  it("picks the most severe code of a response", () => {
    expect(policyForCodes(["606", "1017"]).kind).toBe("fatal");
    expect(policyForCodes(["606", "607"]).kind).toBe("quota");
    expect(policyForCodes(["606", "604"])).toMatchObject({ kind: "transient", code: "604" });
    expect(policyForCodes(["9999"]).kind).toBe("fatal");
  });

  it("classifies network errors by whether the request may have been sent", () => {
    expect(classifyNetworkError(networkError("ECONNREFUSED")).kind).toBe("rejected");
    expect(classifyNetworkError(networkError("UND_ERR_CONNECT_TIMEOUT")).kind).toBe("rejected");
    expect(classifyNetworkError(networkError("ECONNRESET")).kind).toBe("transient");
    expect(classifyNetworkError(timeoutError())).toEqual({
      kind: "transient",
      code: "Timeout",
      timeout: true,
    });
    expect(classifyNetworkError(networkError("ENOTFOUND")).kind).toBe("fatal");
    expect(classifyNetworkError(networkError("CERT_HAS_EXPIRED")).kind).toBe("fatal");
    expect(classifyNetworkError(new TypeError("Failed to parse URL")).kind).toBe("fatal");
    const aggregate = new TypeError("fetch failed", {
      cause: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]),
    });
    expect(classifyNetworkError(aggregate)).toMatchObject({ kind: "rejected", code: "ECONNREFUSED" });
  });
});
