import { describe, expect, it } from "vitest";
import * as endpoints from "../../src/marketo/endpoints.js";
import { matchRoute, type RequestSpec } from "../../src/marketo/endpoints.js";

const TYPE = "/rest/v1/activities/external/type";

describe("endpoint builders", () => {
  it("build the method, path, query and body of every operation (docs/marketo-api.md section 4)", () => {
    const attribute = { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" as const };
    const specs: [RequestSpec, Partial<RequestSpec>][] = [
      [endpoints.listActivityTypes(), { method: "GET", path: "/rest/v1/activities/types.json" }],
      [
        endpoints.listCustomActivityTypes(),
        { method: "GET", path: "/rest/v1/activities/external/types.json" },
      ],
      [
        endpoints.describeCustomActivityType("webinarAttended"),
        { method: "GET", path: `${TYPE}/webinarAttended/describe.json` },
      ],
      [
        endpoints.describeCustomActivityType("webinarAttended", { draft: true }),
        { method: "GET", path: `${TYPE}/webinarAttended/describe.json`, query: { draft: "true" } },
      ],
      [
        endpoints.createCustomActivityType({ apiName: "a1" }),
        { method: "POST", path: `${TYPE}.json`, body: { apiName: "a1" } },
      ],
      [
        endpoints.updateCustomActivityType("a1", { name: "A" }),
        { method: "POST", path: `${TYPE}/a1.json`, body: { name: "A" } },
      ],
      [endpoints.approveCustomActivityType("a1"), { method: "POST", path: `${TYPE}/a1/approve.json` }],
      [
        endpoints.discardCustomActivityTypeDraft("a1"),
        { method: "POST", path: `${TYPE}/a1/discardDraft.json` },
      ],
      [endpoints.deleteCustomActivityType("a1"), { method: "POST", path: `${TYPE}/a1/delete.json` }],
      [
        endpoints.createCustomActivityTypeAttributes("a1", [attribute]),
        { method: "POST", path: `${TYPE}/a1/attributes/create.json`, body: { attributes: [attribute] } },
      ],
      [
        endpoints.updateCustomActivityTypeAttributes("a1", [attribute]),
        { method: "POST", path: `${TYPE}/a1/attributes/update.json`, body: { attributes: [attribute] } },
      ],
      [
        endpoints.deleteCustomActivityTypeAttributes("a1", ["minutesWatched", "score"]),
        {
          method: "POST",
          path: `${TYPE}/a1/attributes/delete.json`,
          body: { attributes: [{ apiName: "minutesWatched" }, { apiName: "score" }] },
        },
      ],
      [
        endpoints.addCustomActivities([{ leadId: 1 }]),
        { method: "POST", path: "/rest/v1/activities/external.json", body: { input: [{ leadId: 1 }] } },
      ],
    ];
    for (const [spec, expected] of specs) expect(spec).toMatchObject(expected);
    // Bodyless operations really have no body, and describe without draft has no query.
    expect(endpoints.approveCustomActivityType("a1")).not.toHaveProperty("body");
    expect(endpoints.describeCustomActivityType("a1")).not.toHaveProperty("query");
  });

  it("produce paths that route back to their own operation and apiName", () => {
    const builders: RequestSpec[] = [
      endpoints.describeCustomActivityType("webinar Attended/x"),
      endpoints.updateCustomActivityType("webinarAttended", {}),
      endpoints.approveCustomActivityType("webinarAttended"),
      endpoints.discardCustomActivityTypeDraft("webinarAttended"),
      endpoints.deleteCustomActivityType("webinarAttended"),
      endpoints.createCustomActivityTypeAttributes("webinarAttended", []),
      endpoints.updateCustomActivityTypeAttributes("webinarAttended", []),
      endpoints.deleteCustomActivityTypeAttributes("webinarAttended", []),
    ];
    for (const spec of builders) {
      const route = matchRoute(spec.method, spec.path);
      expect(route).toMatchObject({ operation: spec.operation });
    }
    expect(matchRoute("GET", endpoints.describeCustomActivityType("webinar Attended/x").path)).toEqual({
      operation: "describeCustomActivityType",
      apiName: "webinar Attended/x",
    });
  });

  it("encode the apiName so that it stays one path segment", () => {
    expect(endpoints.approveCustomActivityType("a/b?c").path).toBe(`${TYPE}/a%2Fb%3Fc/approve.json`);
  });
});
