import { describe, expect, it } from "vitest";
import { codes, emulate, record, seededType, TYPE, typeBody } from "./helpers.js";

const ADD = "/rest/v1/activities/external.json";
const WEBINAR = 100001;

async function withWebinar(options: Parameters<typeof emulate>[0] = {}) {
  return emulate({ seed: { activityTypes: [seededType("webinar", { id: WEBINAR })] }, ...options });
}

describe("emulator Add Custom Activities", () => {
  it("adds records to an approved type and stores them per type", async () => {
    const { api, emulator } = await withWebinar();
    const response = await api.post(ADD, {
      input: [
        record(WEBINAR, { attributes: [{ apiName: "minutesWatched", value: 42 }] }),
        record(WEBINAR, { leadId: 7, attributes: [{ name: "Minutes Watched", value: "15" }] }),
      ],
    });
    expect(response.body).toMatchObject({ success: true });
    expect(response.body.result).toStrictEqual([
      { id: 1, marketoGUID: "1", status: "added" },
      { id: 2, marketoGUID: "2", status: "added" },
    ]);
    const records = emulator.state().activityTypes[0]?.records ?? [];
    expect(records.map((r) => [r.leadId, r.attributes])).toStrictEqual([
      [42, [{ apiName: "minutesWatched", value: 42 }]],
      [7, [{ apiName: "minutesWatched", value: "15" }]],
    ]);
  });

  it("skips a record whose lead does not exist, with the per-record key errors (not reasons)", async () => {
    const { api } = await withWebinar({ leads: [42] });
    const response = await api.post(ADD, { input: [record(WEBINAR, { leadId: 43 }), record(WEBINAR)] });
    expect(response.body.success).toBe(true);
    expect(response.body.result[0]).toStrictEqual({
      status: "skipped",
      errors: [{ code: "1004", message: "Lead not found" }],
    });
    expect(response.body.result[0]).not.toHaveProperty("reasons");
    expect(response.body.result[1].status).toBe("added");
  });

  it("accepts a leads predicate, and by default every positive lead id", async () => {
    const { api } = await withWebinar({ leads: (id) => id % 2 === 0 });
    const result = (
      await api.post(ADD, { input: [record(WEBINAR, { leadId: 3 }), record(WEBINAR, { leadId: 4 })] })
    ).body.result;
    expect(result.map((r: { status: string }) => r.status)).toStrictEqual(["skipped", "added"]);
    const open = await withWebinar();
    const zero = (await open.api.post(ADD, { input: [record(WEBINAR, { leadId: 0 })] })).body.result[0];
    expect(zero.errors[0].code).toBe("1004");
  });

  it("skips records for a type that is not approved, unknown or deleted", async () => {
    const { api } = await withWebinar({
      seed: {
        activityTypes: [
          seededType("webinar", { id: WEBINAR }),
          seededType("drafty", { id: 100002, status: "draft" }),
          seededType("gone", { id: 100003, status: "deleted" }),
        ],
      },
    });
    const result = (
      await api.post(ADD, { input: [record(100002), record(100003), record(999), record(WEBINAR)] })
    ).body.result;
    expect(result.map((r: { errors?: { code: string }[] }) => r.errors?.[0]?.code)).toStrictEqual([
      "1003",
      "1013",
      "1013",
      undefined,
    ]);
  });

  it("checks attribute values against the live version only", async () => {
    const { api } = await withWebinar();
    await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "draftOnly", name: "Draft Only", dataType: "string" }],
    });
    const result = (
      await api.post(ADD, {
        input: [record(WEBINAR, { attributes: [{ apiName: "draftOnly", value: "x" }] })],
      })
    ).body.result[0];
    expect(result).toStrictEqual({
      status: "skipped",
      errors: [{ code: "1006", message: "Field 'draftOnly' not found" }],
    });
  });

  it("fails a record with 1001 when a value does not fit its dataType", async () => {
    const { api } = await emulate({
      seed: {
        activityTypes: [
          seededType("typed", {
            id: WEBINAR,
            primaryAttribute: { apiName: "count", name: "Count", dataType: "integer" },
            attributes: [
              { apiName: "flag", name: "Flag", dataType: "boolean" },
              { apiName: "day", name: "Day", dataType: "date" },
              { apiName: "mail", name: "Mail", dataType: "email" },
              { apiName: "price", name: "Price", dataType: "currency" },
            ],
          }),
        ],
      },
    });
    const cases: [Record<string, unknown>, string | undefined][] = [
      [{ primaryAttributeValue: "12" }, undefined],
      [{ primaryAttributeValue: "twelve" }, "1001"],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "flag", value: "maybe" }] }, "1001"],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "flag", value: true }] }, undefined],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "day", value: "2024-02-30" }] }, "1001"],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "day", value: "2024-02-29" }] }, undefined],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "mail", value: "not-an-email" }] }, "1001"],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "price", value: "9.99" }] }, undefined],
      [{ primaryAttributeValue: "1", attributes: [{ apiName: "price", value: "cheap" }] }, "1001"],
      [{ activityDate: "yesterday", primaryAttributeValue: "1" }, "1001"],
      [{ leadId: "42", primaryAttributeValue: "1" }, "1001"],
      [{ primaryAttributeValue: 1 }, "1001"],
    ];
    const result = (await api.post(ADD, { input: cases.map(([overrides]) => record(WEBINAR, overrides)) }))
      .body.result;
    expect(result.map((r: { errors?: { code: string }[] }) => r.errors?.[0]?.code)).toStrictEqual(
      cases.map(([, code]) => code),
    );
    expect(result[1].errors[0].message).toBe("Invalid value 'twelve'. Required of type 'integer'");
  });

  it("fails a record with 1002 when a required field is missing", async () => {
    const { api } = await withWebinar();
    const missing = record(WEBINAR);
    delete missing["activityDate"];
    const noAttributes = record(WEBINAR);
    delete noAttributes["attributes"];
    const result = (await api.post(ADD, { input: [missing, noAttributes] })).body.result;
    expect(result[0].errors).toStrictEqual([
      { code: "1002", message: "Missing value for required parameter 'activityDate'" },
    ]);
    expect(result[1].errors[0].code).toBe("1002");
  });

  it("fails a record with 1049 when its attributes exceed 65,536 bytes", async () => {
    const { api } = await emulate({
      seed: {
        activityTypes: [
          seededType("big", {
            id: WEBINAR,
            attributes: [{ apiName: "body", name: "Body", dataType: "text" }],
          }),
        ],
      },
    });
    const big = record(WEBINAR, { attributes: [{ apiName: "body", value: "x".repeat(70_000) }] });
    const small = record(WEBINAR, { attributes: [{ apiName: "body", value: "x".repeat(60_000) }] });
    const result = (await api.post(ADD, { input: [big, small] })).body.result;
    expect(result[0].errors[0].code).toBe("1049");
    expect(result[1].status).toBe("added");
  });

  it("accepts 300 records and fails the whole call above 300", async () => {
    const { api, emulator } = await withWebinar();
    const ok = await api.post(ADD, { input: Array.from({ length: 300 }, () => record(WEBINAR)) });
    expect(ok.body.result).toHaveLength(300);
    const tooMany = await api.post(ADD, { input: Array.from({ length: 301 }, () => record(WEBINAR)) });
    expect(codes(tooMany)).toStrictEqual(["1003"]);
    expect(tooMany.body.errors[0].message).toContain("at most 300");
    expect(emulator.state().activityTypes[0]?.records).toHaveLength(300);
  });

  it("fails when input is missing or empty, with 701", async () => {
    const { api } = await withWebinar();
    expect(codes(await api.post(ADD, {}))).toStrictEqual(["701"]);
    expect(codes(await api.post(ADD, { input: [] }))).toStrictEqual(["701"]);
  });

  it("omits record ids when omitActivityRecordId is set", async () => {
    const { api } = await withWebinar({ behaviour: { omitActivityRecordId: true } });
    expect((await api.post(ADD, { input: [record(WEBINAR)] })).body.result).toStrictEqual([
      { marketoGUID: "1", status: "added" },
    ]);
  });

  it("accepts records for a type right after its approval through the API", async () => {
    const { api } = await emulate();
    const id = (await api.post(`${TYPE}.json`, typeBody("fresh"))).body.result[0].id as number;
    const before = (await api.post(ADD, { input: [record(id)] })).body.result[0];
    expect(before.errors[0].code).toBe("1003");
    await api.post(`${TYPE}/fresh/approve.json`);
    expect((await api.post(ADD, { input: [record(id)] })).body.result[0].status).toBe("added");
  });
});
