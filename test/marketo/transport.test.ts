import { describe, expect, it } from "vitest";
import { MarketoApiError, MarketoHttpError, MarketoRequestError } from "../../src/marketo/errors.js";
import { MarketoClient } from "../../src/marketo/index.js";
import { virtualClock } from "../helpers/clock.js";
import {
  activityType,
  BASE_URL,
  CLIENT_ID,
  fail,
  json,
  ok,
  rejection,
  SECRET,
  scriptedFetch,
  setup,
} from "./helpers.js";

describe("requests", () => {
  it("sends Content-Type and Accept JSON on POSTs, bodyless ones included", async () => {
    const { client, stub } = setup();
    stub.reply("approveCustomActivityType", ok([activityType("a1", { status: "approved" })]));
    stub.reply("createCustomActivityType", ok([activityType("a1")]));
    await client.approveCustomActivityType("a1");
    await client.createCustomActivityType({ apiName: "a1", name: "A one" });
    const [approve, create] = stub.rest();
    expect(approve?.headers).toMatchObject({
      "content-type": "application/json",
      accept: "application/json",
    });
    expect(approve?.body).toBeUndefined();
    expect(create?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(create?.body ?? "")).toEqual({ apiName: "a1", name: "A one" });
  });

  it("sends GETs without a body or Content-Type", async () => {
    const { client, stub } = setup();
    stub.reply("listActivityTypes", ok());
    await client.listActivityTypes();
    const [get] = stub.rest();
    expect(get?.method).toBe("GET");
    expect(get?.headers["content-type"]).toBeUndefined();
    expect(get?.headers["accept"]).toBe("application/json");
    expect(get?.body).toBeUndefined();
  });

  it("joins a base URL with trailing slashes without double slashes, and adds the draft query", async () => {
    const clock = virtualClock();
    const stub = scriptedFetch(clock);
    stub.reply("describeCustomActivityType", ok([activityType()]));
    const urls: string[] = [];
    const recording = new MarketoClient({
      baseUrl: "http://localhost:4010/rest//",
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      fetch: async (url, init) => {
        urls.push(url);
        return stub.fetch(url, init);
      },
      now: clock.now,
      sleep: clock.sleep,
    });
    await recording.describeCustomActivityType("webinarAttended", { draft: true });
    const describe = urls.find((url) => url.includes("describe"));
    expect(describe).toBe(
      "http://localhost:4010/rest/v1/activities/external/type/webinarAttended/describe.json?draft=true",
    );
    expect(urls.every((url) => !url.slice("http://".length).includes("//"))).toBe(true);
  });

  it("sends nothing for an empty batch of records", async () => {
    const { client, stub } = setup();
    expect(await client.addCustomActivities([])).toEqual([]);
    expect(stub.requests).toHaveLength(0);
  });

  it("fails when a batch has more than 300 records, before sending", async () => {
    const { client, stub } = setup();
    const records = Array.from({ length: 301 }, (_, i) => ({
      leadId: i,
      activityDate: "2026-01-15T12:00:00Z",
      activityTypeId: 100001,
      primaryAttributeValue: "x",
      attributes: [],
    }));
    const error = await rejection(client.addCustomActivities(records));
    expect(error).toBeInstanceOf(MarketoRequestError);
    expect(error.message).toContain("301 records");
    expect(stub.requests).toHaveLength(0);
  });

  it("fails when an apiName is empty, before sending (the path would name another endpoint)", async () => {
    const { client, stub } = setup();
    const error = await rejection(client.deleteCustomActivityType(""));
    expect(error).toBeInstanceOf(MarketoRequestError);
    expect(stub.requests).toHaveLength(0);
  });
});

describe("responses", () => {
  it("fails when HTTP 200 carries success:false, with the operation, codes and requestId", async () => {
    const { client, stub } = setup();
    stub.reply("createCustomActivityType", fail("1017", "Object already exists", "5d3b#17b1a7f5c1e"));
    const error = await rejection(client.createCustomActivityType({ apiName: "webinarAttended" }));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({
      code: "MarketoApi",
      operation: "createCustomActivityType",
      apiName: "webinarAttended",
      codes: ["1017"],
      messages: ["Object already exists"],
      requestId: "5d3b#17b1a7f5c1e",
      httpStatus: 200,
      retryable: false,
      attempts: 1,
      afterAmbiguousAttempt: false,
    });
    expect(error.message).toBe(
      'Marketo rejected createCustomActivityType for "webinarAttended": 1017 Object already exists',
    );
    expect((error as MarketoApiError).hint).toContain("already exists");
  });

  it("fails when an error envelope comes with a 4xx status", async () => {
    const { client, stub } = setup();
    stub.reply(
      "createCustomActivityType",
      json({ success: false, errors: [{ code: "609", message: "Invalid JSON" }] }, 400),
    );
    const error = await rejection(client.createCustomActivityType({ apiName: "x1" }));
    expect(error).toMatchObject({ codes: ["609"], httpStatus: 400 });
  });

  it("accepts the docs' example bodies that omit errors, warnings, ids and attributes", async () => {
    const { client, stub } = setup();
    // DOC-ACT examples: no errors/warnings keys; create has no id; attribute delete has no attributes key.
    stub.reply(
      "listCustomActivityTypes",
      json({
        requestId: "e42b#14272d07d78",
        success: true,
        result: [
          {
            id: 100001,
            apiName: "aepCustomActivityDemo1",
            name: "AEP Demo",
            description: "",
            triggerName: "Does demo",
            filterName: "Did demo",
            createdAt: "2016-02-03T22:36:23Z",
            updatedAt: "2016-02-03T22:36:24Z",
            status: "approved",
          },
        ],
      }),
    );
    stub.reply(
      "createCustomActivityType",
      json({
        requestId: "1a2b#3c4d",
        success: true,
        result: [
          {
            apiName: "attendConference",
            name: "Attend Conference",
            triggerName: "Attends Conference",
            filterName: "Attended Conference",
            primaryAttribute: { name: "Conference Name", apiName: "conferenceName", dataType: "string" },
            status: "draft",
          },
        ],
      }),
    );
    stub.reply(
      "deleteCustomActivityTypeAttributes",
      json({
        requestId: "9f#2",
        success: true,
        errors: [],
        warnings: ["no attributes left"],
        result: [{ id: 100001, apiName: "attendConference", status: "approved with draft" }],
      }),
    );
    const list = await client.listCustomActivityTypes();
    expect(list).toEqual([expect.objectContaining({ id: 100001, status: "approved" })]);
    expect(list[0]).not.toHaveProperty("attributes");
    const created = await client.createCustomActivityType({ apiName: "attendConference" });
    expect(created).toMatchObject({ apiName: "attendConference", primaryAttribute: { dataType: "string" } });
    expect(created.id).toBeUndefined();
    const afterDelete = await client.deleteCustomActivityTypeAttributes("attendConference", ["tshirtSize"]);
    expect(afterDelete.attributes).toBeUndefined();
    expect(afterDelete.status).toBe("approved with draft");
  });

  it("returns standard and custom types from listActivityTypes", async () => {
    const { client, stub } = setup();
    stub.reply(
      "listActivityTypes",
      ok([
        {
          id: 1,
          name: "Visit Webpage",
          primaryAttribute: { name: "Webpage ID", dataType: "integer" },
          attributes: [],
        },
        {
          id: 100001,
          apiName: "webinarAttended",
          name: "Webinar Attended",
          attributes: [{ name: "Minutes", dataType: "integer", apiName: "minutesWatched" }],
        },
      ]),
    );
    const types = await client.listActivityTypes();
    expect(types.map((t) => t.id)).toEqual([1, 100001]);
    expect(types[1]?.attributes?.[0]?.apiName).toBe("minutesWatched");
  });

  it("returns per-record results of addCustomActivities in input order", async () => {
    const { client, stub } = setup();
    const results = [
      { id: 11, marketoGUID: "11", status: "added" },
      { status: "skipped", errors: [{ code: "1004", message: "Lead not found" }] },
    ];
    stub.reply("addCustomActivities", ok(results));
    const records = [1, 999].map((leadId) => ({
      leadId,
      activityDate: "2026-01-15T12:00:00Z",
      activityTypeId: 100001,
      primaryAttributeValue: "Intro",
      attributes: [],
    }));
    const got = await client.addCustomActivities(records);
    expect(got).toEqual(results);
    expect(got[1]?.errors?.[0]?.code).toBe("1004");
  });

  it("fails when a create or update returns an empty result", async () => {
    const { client, stub } = setup();
    stub.reply("updateCustomActivityType", ok([]));
    const error = await rejection(client.updateCustomActivityType("webinarAttended", { name: "Webinar" }));
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toContain('updateCustomActivityType for "webinarAttended"');
    expect(error.message).toContain("empty result");
  });

  it("accepts an empty result from approve, discardDraft and delete (undocumented, docs/marketo-api.md 8.8)", async () => {
    const { client, stub } = setup();
    stub.reply("approveCustomActivityType", ok([]));
    stub.reply("discardCustomActivityTypeDraft", ok([]));
    stub.reply("deleteCustomActivityType", ok([]));
    expect(await client.approveCustomActivityType("webinarAttended")).toBeUndefined();
    expect(await client.discardCustomActivityTypeDraft("webinarAttended")).toBeUndefined();
    expect(await client.deleteCustomActivityType("webinarAttended")).toBeUndefined();
  });

  it("fails when the one result item is a record-level failure", async () => {
    const { client, stub } = setup();
    stub.reply(
      "createCustomActivityType",
      ok([{ status: "skipped", reasons: [{ code: "1027", message: "Max Activity Type Limit Reached" }] }]),
    );
    const error = await rejection(client.createCustomActivityType({ apiName: "eleventhType" }));
    expect(error).toBeInstanceOf(MarketoApiError);
    expect(error).toMatchObject({ codes: ["1027"], apiName: "eleventhType" });
    expect((error as MarketoApiError).hint).toContain("limit");
  });

  it("fails when the body is not JSON, quoting at most 200 characters and pointing at the base URL", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", new Response(`{"broken ${"x".repeat(5000)}`, { status: 200 }));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    const http = error as MarketoHttpError;
    expect(http.bodyExcerpt.length).toBeLessThanOrEqual(200);
    expect(http.message.length).toBeLessThan(400);
    expect(http.message).toContain("listCustomActivityTypes with HTTP 200 and a body that is not JSON");
    expect(http.hint).toBe(
      `check baseUrl (${BASE_URL}): it should be the REST host root of your instance, such as https://123-ABC-456.mktorest.com`,
    );
    expect(stub.rest()).toHaveLength(1);
  });

  it("fails when the status is unexpected, without retrying", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", new Response("Not Found", { status: 404 }));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toMatchObject({ httpStatus: 404, retryable: false });
    expect(error.message).toContain("HTTP 404 and an unexpected status");
    expect(stub.rest()).toHaveLength(1);
  });

  it("fails when the result does not have the documented shape, instead of casting it", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", ok([{ id: "one hundred", apiName: "x" }]));
    const error = await rejection(client.listCustomActivityTypes());
    expect(error).toBeInstanceOf(MarketoHttpError);
    expect(error.message).toContain("at result[0][id]");
  });
});

describe("usage and events", () => {
  it("counts the requests actually sent, per operation, with identity apart", async () => {
    const { client, stub } = setup();
    stub.reply("listCustomActivityTypes", ok());
    stub.reply(
      "describeCustomActivityType",
      fail("606", "Max rate limit"),
      ok([activityType("a1")]),
      ok([activityType("a1")]),
    );
    await client.listCustomActivityTypes();
    await client.describeCustomActivityType("a1");
    await client.describeCustomActivityType("a1", { draft: true });
    expect(client.usage()).toEqual({
      total: 4,
      byOperation: { listCustomActivityTypes: 1, describeCustomActivityType: 3 },
      retries: 1,
      identity: 1,
    });
    client.resetUsage();
    expect(client.usage()).toEqual({ total: 0, byOperation: {}, retries: 0, identity: 0 });
  });

  it("reports responses with their requestId and codes, and survives a throwing listener", async () => {
    const { client, stub, events } = setup();
    stub.reply("listCustomActivityTypes", ok([], "77#aa"));
    await client.listCustomActivityTypes();
    expect(events).toContainEqual(
      expect.objectContaining({
        type: "response",
        operation: "listCustomActivityTypes",
        requestId: "77#aa",
        codes: [],
        httpStatus: 200,
      }),
    );
    const throwing = new MarketoClient({
      baseUrl: BASE_URL,
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      fetch: stub.fetch,
      onEvent: () => {
        throw new Error("listener bug");
      },
    });
    stub.reply("listCustomActivityTypes", ok([activityType()]));
    expect(await throwing.listCustomActivityTypes()).toHaveLength(1);
  });
});
