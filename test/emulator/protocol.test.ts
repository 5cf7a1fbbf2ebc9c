import { describe, expect, it } from "vitest";
import { virtualClock } from "../helpers/clock.js";
import { codes, emulate, only, seededType, TYPE, typeBody } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";

describe("emulator protocol", () => {
  it("answers with the envelope: requestId <hex>#<hex epoch ms>, result an array, JSON content type", async () => {
    const clock = virtualClock();
    const { api } = await emulate({ now: clock.now });
    const response = await api.get(LIST);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(Object.keys(response.body)).toStrictEqual(["requestId", "result", "success"]);
    expect(response.body.result).toStrictEqual([]);
    const [random, epoch] = (response.body.requestId as string).split("#");
    expect(random).toMatch(/^[0-9a-f]{4}$/);
    expect(Number.parseInt(epoch ?? "", 16)).toBe(clock.now());
  });

  it("fails with 610 on an unknown path and 605 on a wrong method, both HTTP 200", async () => {
    const { api } = await emulate();
    const unknown = await api.get("/rest/v1/activities/external/nothing.json");
    expect(codes(unknown)).toStrictEqual(["610"]);
    expect(unknown.body.errors[0].message).toBe("Requested resource not found");
    const wrongMethod = await api.get(`${TYPE}/webinar/approve.json`);
    expect(codes(wrongMethod)).toStrictEqual(["605"]);
    const putList = await api.request("PUT", LIST);
    expect(codes(putList)).toStrictEqual(["605"]);
    // Paths are not normalised: a double slash matches no resource (docs/marketo-api.md quirk 11).
    expect(codes(await api.get(`/${LIST}`))).toStrictEqual(["610"]);
  });

  it("fails with 609 on malformed JSON and on a JSON body that is not an object", async () => {
    const { api } = await emulate();
    expect(codes(await api.post(`${TYPE}.json`, undefined, { rawBody: "{not json" }))).toStrictEqual(["609"]);
    expect(codes(await api.post(`${TYPE}.json`, undefined, { rawBody: "[1,2]" }))).toStrictEqual(["609"]);
    expect(codes(await api.post(`${TYPE}.json`, undefined, {}))).toStrictEqual(["609"]);
  });

  it("fails with 612 when a POST body is not declared as JSON", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const body = JSON.stringify(typeBody("fresh"));
    expect(
      codes(await api.post(`${TYPE}.json`, undefined, { rawBody: body, contentType: null })),
    ).toStrictEqual(["612"]);
    expect(
      codes(await api.post(`${TYPE}.json`, undefined, { rawBody: body, contentType: "text/plain" })),
    ).toStrictEqual(["612"]);
    const withCharset = await api.post(`${TYPE}.json`, undefined, {
      rawBody: body,
      contentType: "application/json; charset=utf-8",
    });
    expect(only(withCharset).apiName).toBe("fresh");
    // Approve has no body: no content type is needed.
    expect(only(await api.post(`${TYPE}/fresh/approve.json`, undefined, { contentType: null })).status).toBe(
      "approved",
    );
  });

  it("fails with HTTP 413 when a body is over 1 MB", async () => {
    const { api, emulator } = await emulate();
    const response = await api.post(`${TYPE}.json`, undefined, { rawBody: "x".repeat(1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(emulator.requests.at(-1)).toMatchObject({ httpStatus: 413, success: false });
  });

  it("fails with HTTP 414 when the URI is over 8 KB, and accepts POST with _method=GET instead", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const long = `${TYPE}/webinar/describe.json?draft=false&pad=${"x".repeat(8200)}`;
    expect((await api.get(long)).status).toBe(414);
    const viaPost = await api.post(`${TYPE}/webinar/describe.json?_method=GET`, undefined, {
      rawBody: `draft=false&pad=${"x".repeat(8200)}`,
      contentType: "application/x-www-form-urlencoded",
    });
    expect(only(viaPost).apiName).toBe("webinar");
  });

  it("fails with 1001 when describe's draft parameter is not a boolean", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    expect(codes(await api.get(`${TYPE}/webinar/describe.json?draft=perhaps`))).toStrictEqual(["1001"]);
    expect(only(await api.get(`${TYPE}/webinar/describe.json?draft=TRUE`)).apiName).toBe("webinar");
  });

  it("decodes a percent-encoded apiName in the path", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    expect(only(await api.get(`${TYPE}/web%69nar/describe.json`)).apiName).toBe("webinar");
  });

  it("logs every request with its operation, apiName, status and codes", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({
      now: clock.now,
      seed: { activityTypes: [seededType("webinar")] },
    });
    await api.token();
    await api.post(`${TYPE}/webinar/approve.json`);
    await api.get("/nowhere");
    expect(emulator.requests).toStrictEqual([
      {
        operation: "identity",
        method: "GET",
        path: "/identity/oauth/token",
        httpStatus: 200,
        success: true,
        errorCodes: [],
        at: clock.now(),
      },
      {
        operation: "approveCustomActivityType",
        method: "POST",
        path: `${TYPE}/webinar/approve.json`,
        apiName: "webinar",
        httpStatus: 200,
        success: false,
        errorCodes: ["709"],
        at: clock.now(),
      },
      {
        operation: "unknown",
        method: "GET",
        path: "/nowhere",
        httpStatus: 200,
        success: false,
        errorCodes: ["610"],
        at: clock.now(),
      },
    ]);
  });

  it("returns a deep copy from state()", async () => {
    const { emulator } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const first = emulator.state();
    const attribute = first.activityTypes[0]?.live?.attributes[0] as { name: string };
    attribute.name = "mutated";
    expect(first.activityTypes[0]?.live?.attributes[0]?.name).toBe("mutated");
    expect(emulator.state().activityTypes[0]?.live?.attributes[0]?.name).toBe("Minutes Watched");
  });

  it("closes keep-alive connections on close()", async () => {
    const { api, emulator } = await emulate();
    await api.get(LIST);
    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(fetch(`${emulator.url}${LIST}`)).rejects.toThrow();
  });
});
