import { describe, expect, it } from "vitest";
import {
  ENDPOINTS,
  hasBody,
  isWrite,
  matchRoute,
  OPERATIONS,
  type RequestSpec,
  ROUTES,
  requestFor,
} from "../../src/marketo/endpoints.js";

const TYPE = "/rest/v1/activities/external/type";

describe("requestFor", () => {
  it("builds the method, path, query and body of every operation (docs/marketo-api.md section 4)", () => {
    const attribute = { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" as const };
    const specs: [RequestSpec, Partial<RequestSpec>][] = [
      [requestFor("listActivityTypes", {}), { method: "GET", path: "/rest/v1/activities/types.json" }],
      [
        requestFor("listCustomActivityTypes", {}),
        { method: "GET", path: "/rest/v1/activities/external/types.json" },
      ],
      [
        requestFor("describeCustomActivityType", { apiName: "webinarAttended" }),
        { method: "GET", path: `${TYPE}/webinarAttended/describe.json` },
      ],
      [
        requestFor("describeCustomActivityType", { apiName: "webinarAttended", draft: true }),
        { method: "GET", path: `${TYPE}/webinarAttended/describe.json`, query: { draft: "true" } },
      ],
      [
        requestFor("createCustomActivityType", { body: { apiName: "a1" } }),
        { method: "POST", path: `${TYPE}.json`, body: { apiName: "a1" } },
      ],
      [
        requestFor("updateCustomActivityType", { apiName: "a1", body: { name: "A" } }),
        { method: "POST", path: `${TYPE}/a1.json`, body: { name: "A" } },
      ],
      [
        requestFor("approveCustomActivityType", { apiName: "a1" }),
        { method: "POST", path: `${TYPE}/a1/approve.json` },
      ],
      [
        requestFor("discardCustomActivityTypeDraft", { apiName: "a1" }),
        { method: "POST", path: `${TYPE}/a1/discardDraft.json` },
      ],
      [
        requestFor("deleteCustomActivityType", { apiName: "a1" }),
        { method: "POST", path: `${TYPE}/a1/delete.json` },
      ],
      [
        requestFor("createCustomActivityTypeAttributes", {
          apiName: "a1",
          body: { attributes: [attribute] },
        }),
        { method: "POST", path: `${TYPE}/a1/attributes/create.json`, body: { attributes: [attribute] } },
      ],
      [
        requestFor("updateCustomActivityTypeAttributes", {
          apiName: "a1",
          body: { attributes: [attribute] },
        }),
        { method: "POST", path: `${TYPE}/a1/attributes/update.json`, body: { attributes: [attribute] } },
      ],
      [
        requestFor("deleteCustomActivityTypeAttributes", {
          apiName: "a1",
          body: { attributes: [{ apiName: "minutesWatched" }, { apiName: "score" }] },
        }),
        {
          method: "POST",
          path: `${TYPE}/a1/attributes/delete.json`,
          body: { attributes: [{ apiName: "minutesWatched" }, { apiName: "score" }] },
        },
      ],
      [
        requestFor("addCustomActivities", { body: { input: [{ leadId: 1 }] } }),
        { method: "POST", path: "/rest/v1/activities/external.json", body: { input: [{ leadId: 1 }] } },
      ],
    ];
    for (const [spec, expected] of specs) expect(spec).toMatchObject(expected);
    // Bodyless operations really have no body; describe without draft, or with draft: false, has no query.
    expect(requestFor("approveCustomActivityType", { apiName: "a1" })).not.toHaveProperty("body");
    expect(requestFor("describeCustomActivityType", { apiName: "a1" })).not.toHaveProperty("query");
    expect(requestFor("describeCustomActivityType", { apiName: "a1", draft: false })).not.toHaveProperty(
      "query",
    );
  });

  it("produces paths that route back to their own operation and apiName", () => {
    const specs: RequestSpec[] = [
      requestFor("describeCustomActivityType", { apiName: "webinar Attended/x" }),
      requestFor("updateCustomActivityType", { apiName: "webinarAttended", body: {} }),
      requestFor("approveCustomActivityType", { apiName: "webinarAttended" }),
      requestFor("discardCustomActivityTypeDraft", { apiName: "webinarAttended" }),
      requestFor("deleteCustomActivityType", { apiName: "webinarAttended" }),
      requestFor("createCustomActivityTypeAttributes", {
        apiName: "webinarAttended",
        body: { attributes: [] },
      }),
      requestFor("updateCustomActivityTypeAttributes", {
        apiName: "webinarAttended",
        body: { attributes: [] },
      }),
      requestFor("deleteCustomActivityTypeAttributes", {
        apiName: "webinarAttended",
        body: { attributes: [] },
      }),
    ];
    for (const spec of specs) {
      expect(matchRoute(spec.method, spec.path)).toMatchObject({ operation: spec.operation });
    }
    const describe = requestFor("describeCustomActivityType", { apiName: "webinar Attended/x" });
    expect(matchRoute("GET", describe.path)).toEqual({
      operation: "describeCustomActivityType",
      apiName: "webinar Attended/x",
    });
  });

  it("encodes the apiName so that it stays one path segment", () => {
    expect(requestFor("approveCustomActivityType", { apiName: "a/b?c" }).path).toBe(
      `${TYPE}/a%2Fb%3Fc/approve.json`,
    );
  });
});

describe("the endpoint table", () => {
  it("derives one route per operation and method, identity by GET and POST", () => {
    expect(OPERATIONS).toStrictEqual(["identity", ...Object.keys(ENDPOINTS)]);
    expect(ROUTES.map((r) => `${r.method} ${r.operation}`)).toStrictEqual([
      "GET identity",
      "POST identity",
      ...Object.entries(ENDPOINTS).map(([operation, e]) => `${e.method} ${operation}`),
    ]);
    expect(new Set(ROUTES.map((r) => r.swaggerId)).size).toBe(ROUTES.length);
  });

  it("routes a wrong method and an unknown path apart", () => {
    expect(matchRoute("GET", `${TYPE}/a1/approve.json`)).toEqual({ error: "methodNotAllowed" });
    expect(matchRoute("GET", "/rest/v1/leads.json")).toEqual({ error: "notFound" });
    expect(matchRoute("POST", `${TYPE}/.json`)).toEqual({ error: "notFound" });
  });

  it("says which operations write and which take a body", () => {
    expect(OPERATIONS.filter(isWrite)).toStrictEqual([
      "createCustomActivityType",
      "updateCustomActivityType",
      "approveCustomActivityType",
      "discardCustomActivityTypeDraft",
      "deleteCustomActivityType",
      "createCustomActivityTypeAttributes",
      "updateCustomActivityTypeAttributes",
      "deleteCustomActivityTypeAttributes",
      "addCustomActivities",
    ]);
    expect(OPERATIONS.filter(hasBody)).toStrictEqual([
      "createCustomActivityType",
      "updateCustomActivityType",
      "createCustomActivityTypeAttributes",
      "updateCustomActivityTypeAttributes",
      "deleteCustomActivityTypeAttributes",
      "addCustomActivities",
    ]);
    // Only Add Custom Activities may not be sent twice (docs/design.md decision 13).
    expect(
      Object.entries(ENDPOINTS)
        .filter(([, e]) => !e.repeatable)
        .map(([o]) => o),
    ).toStrictEqual(["addCustomActivities"]);
  });
});
