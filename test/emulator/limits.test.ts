import { describe, expect, it } from "vitest";
import { virtualClock } from "../helpers/clock.js";
import { codes, emulate, seededType, TYPE } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";

describe("emulator limits", () => {
  it("fails with 606 when more calls than allowed start within the rolling window, with Marketo's text", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({
      now: clock.now,
      // Refusals leave the window alone here, so it shows when each counted call leaves it.
      limits: { rateLimit: { calls: 3, windowMs: 20_000 }, rejectedCallsCount: false },
    });
    await api.token();
    for (let i = 0; i < 3; i++) {
      expect((await api.get(LIST)).body.success).toBe(true);
      clock.advance(1000);
    }
    const limited = await api.get(LIST);
    expect(codes(limited)).toStrictEqual(["606"]);
    expect(limited.body.errors[0].message).toBe("Max rate limit '3' exceeded with in '20' secs");
    // The first call leaves the window 20 s after it started.
    clock.advance(20_000 - 3000 - 1);
    expect(codes(await api.get(LIST))).toStrictEqual(["606"]);
    clock.advance(1);
    expect((await api.get(LIST)).body.success).toBe(true);
    expect(emulator.state().quota.windowCalls).toBe(3);
  });

  it("uses the default 100 calls per 20 s and its exact message", async () => {
    const clock = virtualClock();
    const { api } = await emulate({ now: clock.now });
    await api.token();
    for (let i = 0; i < 100; i++) expect((await api.get(LIST)).body.success).toBe(true);
    const limited = await api.get(LIST);
    expect(limited.body.errors).toStrictEqual([
      { code: "606", message: "Max rate limit '100' exceeded with in '20' secs" },
    ]);
  });

  it("does not count calls that fail with the codes Marketo exempts, but counts other failures", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({
      now: clock.now,
      limits: { rateLimit: { calls: 3, windowMs: 20_000 } },
    });
    await api.token();
    for (let i = 0; i < 5; i++)
      expect(codes(await api.get(LIST, { token: "unknown" }))).toStrictEqual(["601"]);
    for (let i = 0; i < 5; i++) expect(codes(await api.get(`${TYPE}/x/approve.json`))).toStrictEqual(["605"]);
    expect(emulator.state().quota.windowCalls).toBe(0);
    expect(codes(await api.get(`${TYPE}/ghost/describe.json`))).toStrictEqual(["1013"]);
    expect(codes(await api.post(`${TYPE}.json`, undefined, { rawBody: "{" }))).toStrictEqual(["609"]);
    // 610 is not among the exempt codes, although it is answered before auth and the limits.
    expect(codes(await api.get("/rest/v1/nowhere.json"))).toStrictEqual(["610"]);
    expect(emulator.state().quota).toMatchObject({ windowCalls: 3, dailyCalls: 3 });
    expect(codes(await api.get(LIST))).toStrictEqual(["606"]);
  });

  it("counts refused calls by default, so retrying inside the window keeps a client locked out", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({
      now: clock.now,
      limits: { rateLimit: { calls: 2, windowMs: 1000 } },
    });
    await api.token();
    await api.get(LIST);
    await api.get(LIST);
    // GIVEN a refusal every 400 ms: each one counts, so the window never empties
    for (let i = 0; i < 4; i++) {
      expect(codes(await api.get(LIST))).toStrictEqual(["606"]);
      clock.advance(400);
    }
    expect(emulator.state().quota).toMatchObject({ windowCalls: 2, dailyCalls: 6 });
    expect(codes(await api.get(LIST))).toStrictEqual(["606"]);
    // WHEN the client waits a whole window after its last refusal THEN it gets through
    clock.advance(1000);
    expect((await api.get(LIST)).body.success).toBe(true);
  });

  it("leaves refused calls out of the counts with rejectedCallsCount false", async () => {
    const clock = virtualClock();
    const lenient = await emulate({
      now: clock.now,
      limits: { rateLimit: { calls: 1, windowMs: 1000 }, rejectedCallsCount: false },
    });
    await lenient.api.get(LIST);
    for (let i = 0; i < 3; i++) expect(codes(await lenient.api.get(LIST))).toStrictEqual(["606"]);
    expect(lenient.emulator.state().quota).toMatchObject({ windowCalls: 1, dailyCalls: 1 });

    const strict = await emulate({ now: clock.now, limits: { rateLimit: { calls: 1, windowMs: 1000 } } });
    await strict.api.get(LIST);
    for (let i = 0; i < 3; i++) expect(codes(await strict.api.get(LIST))).toStrictEqual(["606"]);
    expect(strict.emulator.state().quota).toMatchObject({ windowCalls: 4, dailyCalls: 4 });
  });

  it("counts a faulted call as its code would count; raw HTTP faults and identity count toward nothing", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({
      now: clock.now,
      faults: [
        { operation: "listCustomActivityTypes", nth: 1, respond: { code: "606" } },
        { operation: "listCustomActivityTypes", nth: 2, respond: { code: "713" } },
        { operation: "listCustomActivityTypes", nth: 3, respond: { code: "604" } },
        { operation: "listCustomActivityTypes", nth: 4, respond: { httpStatus: 502 } },
        { operation: "identity", nth: 2, respond: { httpStatus: 503 } },
      ],
    });
    await api.token();
    expect(codes(await api.get(LIST))).toStrictEqual(["606"]);
    expect(codes(await api.get(LIST))).toStrictEqual(["713"]);
    expect(codes(await api.get(LIST))).toStrictEqual(["604"]);
    expect((await api.get(LIST)).status).toBe(502);
    expect((await api.identity("GET")).status).toBe(503);
    // 606 and 713 count; 604 is exempt; the 502 and identity count toward nothing.
    expect(emulator.state().quota).toMatchObject({ windowCalls: 2, dailyCalls: 2 });

    const lenient = await emulate({
      now: clock.now,
      limits: { rejectedCallsCount: false },
      faults: [{ operation: "listCustomActivityTypes", respond: { code: "615" } }],
    });
    expect(codes(await lenient.api.get(LIST))).toStrictEqual(["615"]);
    expect(lenient.emulator.state().quota.windowCalls).toBe(0);
  });

  it("fails with 615 when more requests are in flight than maxConcurrent", async () => {
    const { api, emulator } = await emulate({
      latencyMs: 150,
      limits: { maxConcurrent: 2, rateLimit: false },
    });
    await api.token();
    const responses = await Promise.all(Array.from({ length: 6 }, () => api.get(LIST)));
    const failures = responses.filter((r) => r.body.success === false);
    expect(responses.filter((r) => r.body.success === true).length).toBeGreaterThanOrEqual(2);
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const failure of failures)
      expect(failure.body.errors).toStrictEqual([
        { code: "615", message: "Concurrent access limit '2' reached" },
      ]);
    expect(emulator.state().quota.inFlight).toBe(0);
    // Once the requests have finished, calls go through again.
    expect((await api.get(LIST)).body.success).toBe(true);
  });

  it("fails with 607 once the daily quota is used up, until midnight US Central time", async () => {
    // 2026-03-10 15:00 UTC is 10:00 in Chicago (CDT, UTC-5).
    const clock = virtualClock(Date.UTC(2026, 2, 10, 15, 0, 0));
    const { api, emulator } = await emulate({
      now: clock.now,
      tokenTtlSeconds: 86_400,
      limits: { dailyQuota: 2, rateLimit: false },
    });
    await api.get(LIST);
    await api.get(LIST);
    const exhausted = await api.get(LIST);
    expect(codes(exhausted)).toStrictEqual(["607"]);
    expect(exhausted.body.errors[0].message).toBe("Daily quota reached");
    // The refusal counts too (rejectedCallsCount).
    expect(emulator.state().quota).toMatchObject({ dailyCalls: 3, day: "2026-03-10" });
    clock.advance(Date.UTC(2026, 2, 11, 4, 59, 59) - clock.now()); // 23:59:59 in Chicago
    expect(codes(await api.get(LIST))).toStrictEqual(["607"]);
    clock.advance(Date.UTC(2026, 2, 11, 5, 0, 0) - clock.now()); // midnight in Chicago
    expect((await api.get(LIST)).body.success).toBe(true);
    expect(emulator.state().quota).toMatchObject({ dailyCalls: 1, day: "2026-03-11" });
  });

  it("turns every limit off with false", async () => {
    const clock = virtualClock();
    const { api } = await emulate({
      now: clock.now,
      latencyMs: 5,
      limits: { rateLimit: false, maxConcurrent: false, dailyQuota: false },
    });
    await api.token();
    const responses = await Promise.all(Array.from({ length: 30 }, () => api.get(LIST)));
    expect(responses.every((r) => r.body.success === true)).toBe(true);
  });

  it("adds latencyMs to each request", async () => {
    const { api } = await emulate({ latencyMs: 30, seed: { activityTypes: [seededType("webinar")] } });
    await api.token();
    const started = performance.now();
    await api.get(LIST);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });
});
