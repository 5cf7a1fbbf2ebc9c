import { describe, expect, it } from "vitest";
import type { RandomFaults } from "../../src/emulator/index.js";
import { T0, virtualClock } from "../helpers/clock.js";
import { codes, emulate, only, seededType, TYPE, typeBody } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";

describe("emulator fault injection", () => {
  it("answers the next call of an operation with a scripted code, then behaves normally", async () => {
    const { api, emulator } = await emulate({
      faults: [{ operation: "createCustomActivityType", respond: { code: "606" } }],
    });
    const limited = await api.post(`${TYPE}.json`, typeBody("fresh"));
    expect(limited.body.errors).toStrictEqual([
      { code: "606", message: "Max rate limit '100' exceeded with in '20' secs" },
    ]);
    expect(emulator.state().activityTypes).toHaveLength(0);
    expect(only(await api.post(`${TYPE}.json`, typeBody("fresh"))).status).toBe("draft");
    expect(emulator.requests.map((r) => [r.operation, r.fault ?? null])).toStrictEqual([
      ["identity", null],
      ["createCustomActivityType", "scripted"],
      ["createCustomActivityType", null],
    ]);
  });

  it("applies a fault to the nth call for `times` calls, with a custom message", async () => {
    const { api } = await emulate({
      faults: [
        { operation: "listCustomActivityTypes", nth: 2, times: 2, respond: { code: "604", message: "slow" } },
      ],
    });
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await api.get(LIST)).body);
    expect(results.map((b) => b.success)).toStrictEqual([true, false, false, true]);
    expect(results[1].errors).toStrictEqual([{ code: "604", message: "slow" }]);
  });

  it("answers with a raw HTTP status and body", async () => {
    const { api } = await emulate({
      faults: [
        {
          operation: "listCustomActivityTypes",
          respond: { httpStatus: 502, body: "<html>Bad Gateway</html>" },
        },
      ],
    });
    const response = await api.get(LIST);
    expect(response.status).toBe(502);
    expect(response.text).toBe("<html>Bad Gateway</html>");
  });

  it("drops the connection before processing: nothing changes", async () => {
    const { api, emulator } = await emulate({
      faults: [{ operation: "createCustomActivityType", respond: { drop: "before" } }],
    });
    await api.token();
    await expect(api.post(`${TYPE}.json`, typeBody("fresh"))).rejects.toThrow();
    expect(emulator.state().activityTypes).toHaveLength(0);
    expect(emulator.requests.at(-1)).toMatchObject({
      operation: "createCustomActivityType",
      httpStatus: 0,
      dropped: "before",
      fault: "scripted",
    });
  });

  it("drops the connection after processing: the type exists although the client saw no response", async () => {
    const { api, emulator } = await emulate({
      faults: [{ operation: "createCustomActivityType", respond: { drop: "after" } }],
    });
    await api.token();
    await expect(api.post(`${TYPE}.json`, typeBody("fresh"))).rejects.toThrow();
    expect(emulator.state().activityTypes.map((t) => [t.apiName, t.status])).toStrictEqual([
      ["fresh", "draft"],
    ]);
    expect(emulator.requests.at(-1)).toMatchObject({ dropped: "after", httpStatus: 0 });
    // A retry sees the outcome: the type already exists.
    expect(codes(await api.post(`${TYPE}.json`, typeBody("fresh")))).toStrictEqual(["1017"]);
  });

  it("drops after adding activity records: the records are stored", async () => {
    const { api, emulator } = await emulate({
      seed: { activityTypes: [seededType("webinar", { id: 100001 })] },
      faults: [{ operation: "addCustomActivities", respond: { drop: "after" } }],
    });
    await api.token();
    const input = [
      {
        leadId: 1,
        activityDate: "2026-01-01T00:00:00Z",
        activityTypeId: 100001,
        primaryAttributeValue: "x",
        attributes: [],
      },
    ];
    await expect(api.post("/rest/v1/activities/external.json", { input })).rejects.toThrow();
    expect(emulator.state().activityTypes[0]?.records).toHaveLength(1);
  });

  it("adds faults at run time with addFault, counting from the next call", async () => {
    const { api, emulator } = await emulate();
    await api.get(LIST);
    await api.get(LIST);
    emulator.addFault({ operation: "listCustomActivityTypes", respond: { code: "615" } });
    expect(codes(await api.get(LIST))).toStrictEqual(["615"]);
    expect((await api.get(LIST)).body.success).toBe(true);
    emulator.addFault({ operation: "identity", respond: { httpStatus: 503 } });
    expect((await api.identity("GET")).status).toBe(503);
  });

  it("matches every operation with '*' and counts calls across operations", async () => {
    const { api } = await emulate({ faults: [{ operation: "*", nth: 3, respond: { code: "608" } }] });
    await api.token();
    expect((await api.get(LIST)).body.success).toBe(true);
    expect(codes(await api.get("/rest/v1/activities/types.json"))).toStrictEqual(["608"]);
  });

  it("draws random faults deterministically from the seed", async () => {
    const randomFaults: RandomFaults = {
      seed: 1234,
      probability: 0.3,
      kinds: [{ code: "604" }, { code: "713" }],
    };
    const run = async (faults: RandomFaults) => {
      const { api } = await emulate({ randomFaults: faults, limits: { rateLimit: false } });
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) {
        const body = (await api.get(LIST)).body;
        seen.push(body.success ? "ok" : body.errors[0].code);
      }
      return seen;
    };
    const first = await run(randomFaults);
    const second = await run(randomFaults);
    const otherSeed = await run({ ...randomFaults, seed: 99 });
    expect(second).toStrictEqual(first);
    expect(first.filter((s) => s !== "ok").length).toBeGreaterThan(3);
    expect(new Set(first)).toStrictEqual(new Set(["ok", "604", "713"]));
    expect(otherSeed).not.toStrictEqual(first);
  });

  it("leaves identity alone in random faults unless listed", async () => {
    const { api } = await emulate({ randomFaults: { seed: 1, probability: 1, kinds: [{ code: "604" }] } });
    for (let i = 0; i < 5; i++) expect((await api.identity("GET")).status).toBe(200);
    expect(codes(await api.get(LIST))).toStrictEqual(["604"]);
  });

  it("answers every call within a period of the emulator's clock, however many, then behaves normally", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({
      now: clock.now,
      limits: { rateLimit: false },
      faults: [
        {
          operation: "listCustomActivityTypes",
          during: { fromMs: T0 + 5000, untilMs: T0 + 30_000 },
          respond: { code: "606" },
        },
      ],
    });
    await api.token();
    expect((await api.get(LIST)).body.success).toBe(true);
    clock.advance(5000);
    // GIVEN 25 s of refusals, WHEN a client calls 50 times in them THEN every call is refused
    for (let i = 0; i < 50; i++) {
      expect(codes(await api.get(LIST))).toStrictEqual(["606"]);
      clock.advance(500);
    }
    expect(clock.now()).toBe(T0 + 30_000);
    expect((await api.get(LIST)).body.success).toBe(true);
    // Other operations are not affected, and the faulted calls are logged as scripted.
    expect((await api.get("/rest/v1/activities/types.json")).body.success).toBe(true);
    expect(emulator.requests.filter((r) => r.fault === "scripted")).toHaveLength(50);
  });

  it("adds a period fault at run time, for every operation with '*'", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({ now: clock.now });
    await api.token();
    emulator.addFault({
      operation: "*",
      during: { fromMs: T0, untilMs: T0 + 1000 },
      respond: { code: "608" },
    });
    expect(codes(await api.get(LIST))).toStrictEqual(["608"]);
    expect(codes(await api.post(`${TYPE}.json`, typeBody("fresh")))).toStrictEqual(["608"]);
    clock.advance(1000);
    expect(only(await api.post(`${TYPE}.json`, typeBody("fresh"))).status).toBe("draft");
  });

  it("fails to start when a fault is malformed", async () => {
    await expect(
      emulate({ faults: [{ operation: "identity", nth: 0, respond: { code: "601" } }] }),
    ).rejects.toThrow(/nth must be a positive integer/);
    await expect(emulate({ randomFaults: { seed: 1, probability: 2 } })).rejects.toThrow(/probability/);
    const period = { fromMs: T0, untilMs: T0 + 1000 };
    await expect(
      emulate({ faults: [{ operation: "identity", during: period, times: 3, respond: { code: "601" } }] }),
    ).rejects.toThrow(/during cannot be combined with nth or times/);
    await expect(
      emulate({
        faults: [{ operation: "identity", during: { fromMs: T0, untilMs: T0 }, respond: { code: "601" } }],
      }),
    ).rejects.toThrow(/untilMs after fromMs/);
    await expect(
      emulate({
        faults: [
          { operation: "identity", during: { fromMs: Number.NaN, untilMs: T0 }, respond: { code: "601" } },
        ],
      }),
    ).rejects.toThrow(/finite fromMs and untilMs/);
  });
});
