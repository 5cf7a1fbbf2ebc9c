import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROUTES } from "../../src/marketo/endpoints.js";
import {
  envelopeSchema,
  identityResponseSchema,
  wireActivityTypeSchema,
  wireCustomActivityResultSchema,
  wireCustomActivityTypeSchema,
} from "../../src/marketo/wire.js";
import { conformanceErrors, identitySpec, mapiSpec, swaggerDir, validatedCounts } from "./conformance.js";
import { codes, emulate, only, record, TYPE, typeBody } from "./helpers.js";

type Paths = Record<string, Record<string, { operationId?: string }>>;

describe("emulator conformance with Adobe's swagger", () => {
  it("finds the swagger fixtures in test/fixtures/marketo", () => {
    for (const file of ["swagger-mapi.json", "swagger-identity.json"]) {
      const full = path.join(swaggerDir, file);
      expect(existsSync(full), `${full} is missing; the conformance suite needs these fixtures`).toBe(true);
    }
  });

  it("routes exactly the swagger's paths, methods and operationIds", () => {
    for (const route of ROUTES) {
      const spec = route.operation === "identity" ? identitySpec : mapiSpec;
      const operation = (spec["paths"] as Paths)[route.pattern]?.[route.method.toLowerCase()];
      expect(operation?.operationId, `${route.method} ${route.pattern}`).toBe(route.swaggerId);
    }
    const mapiPaths = mapiSpec["paths"] as Paths;
    const customPaths = Object.keys(mapiPaths).filter(
      (p) => p.startsWith("/rest/v1/activities/external") || p === "/rest/v1/activities/types.json",
    );
    expect(customPaths.sort()).toStrictEqual(
      [...new Set(ROUTES.filter((r) => r.operation !== "identity").map((r) => r.pattern))].sort(),
    );
  });

  it("rejects bodies that break the spec (the validator can fail)", () => {
    const describeId = "describeCustomActivityTypeUsingGET";
    const ok = { requestId: "a#1", success: true, result: [{ apiName: "x", status: "draft" }] };
    expect(conformanceErrors(describeId, ok)).toStrictEqual([]);
    expect(conformanceErrors(describeId, { requestId: "a#1", success: true })).not.toStrictEqual([]);
    expect(conformanceErrors(describeId, { ...ok, result: [{ status: "published" }] })).not.toStrictEqual([]);
    expect(conformanceErrors(describeId, { ...ok, result: [{ apiName: "x", extra: 1 }] })).not.toStrictEqual(
      [],
    );
    expect(conformanceErrors(describeId, { ...ok, result: [{ id: 2 ** 31 }] })).not.toStrictEqual([]);
    const numericCode = {
      requestId: "a#1",
      success: false,
      errors: [{ code: 601, message: "Access token invalid" }],
    };
    expect(conformanceErrors(describeId, numericCode)).not.toStrictEqual([]);
    expect(conformanceErrors(describeId, { ...numericCode, errors: [] })).not.toStrictEqual([]);
    const addId = "addCustomActivityUsingPOST";
    expect(
      conformanceErrors(addId, { requestId: "a#1", success: true, result: [{ status: "skipped" }] }),
    ).not.toStrictEqual([]);
    expect(
      conformanceErrors(addId, { requestId: "a#1", success: true, result: [{ id: 1, status: "added" }] }),
    ).not.toStrictEqual([]);
  });

  it("answers every operation with bodies that conform to the swagger and parse with the client's wire schemas", async () => {
    const { api } = await emulate({ behaviour: { emptyErrorsAndWarnings: false } });
    const identity = await api.identity("POST");
    expect(identityResponseSchema.safeParse(identity.body).success).toBe(true);

    const typeEnvelope = envelopeSchema(wireCustomActivityTypeSchema);
    const created = only(await api.post(`${TYPE}.json`, typeBody("conform", { description: "All fields" })));
    const steps = [
      () => api.post(`${TYPE}/conform.json`, { name: "Conform Renamed" }),
      () =>
        api.post(`${TYPE}/conform/attributes/create.json`, {
          attributes: [
            { apiName: "a1", name: "A1", dataType: "integer", description: "first" },
            { apiName: "a2", name: "A2", dataType: "datetime" },
          ],
        }),
      () =>
        api.post(`${TYPE}/conform/attributes/update.json`, {
          attributes: [{ apiName: "a1", name: "A One" }],
        }),
      () => api.post(`${TYPE}/conform/attributes/delete.json`, { attributes: [{ apiName: "a2" }] }),
      () => api.post(`${TYPE}/conform/approve.json`),
      () => api.get(`${TYPE}/conform/describe.json`),
      () => api.post(`${TYPE}/conform.json`, { description: "Changed" }),
      () => api.get(`${TYPE}/conform/describe.json?draft=true`),
      () => api.post(`${TYPE}/conform/discardDraft.json`),
      () => api.get("/rest/v1/activities/external/types.json"),
    ];
    for (const step of steps) {
      const response = await step();
      expect(response.body.success, JSON.stringify(response.body)).toBe(true);
      expect(typeEnvelope.safeParse(response.body).success).toBe(true);
    }

    const types = await api.get("/rest/v1/activities/types.json");
    expect(envelopeSchema(wireActivityTypeSchema).safeParse(types.body).success).toBe(true);
    const added = await api.post("/rest/v1/activities/external.json", {
      input: [
        record(created.id, { attributes: [{ apiName: "a1", value: 3 }] }),
        record(created.id, { leadId: -1 }),
      ],
    });
    expect(added.body.result.map((r: { status: string }) => r.status)).toStrictEqual(["added", "skipped"]);
    expect(envelopeSchema(wireCustomActivityResultSchema).safeParse(added.body).success).toBe(true);

    // Failures of each kind conform too.
    expect(codes(await api.post(`${TYPE}/conform/approve.json`))).toStrictEqual(["709"]);
    expect(codes(await api.get("/rest/v1/nowhere.json"))).toStrictEqual(["610"]);
    expect(codes(await api.post("/rest/v1/activities/external.json", { input: [] }))).toStrictEqual(["701"]);
    expect(
      codes(
        await api.post(`${TYPE}/conform/delete.json`, undefined, { rawBody: "{", contentType: "text/plain" }),
      ),
    ).toStrictEqual(["612"]);
    expect(only(await api.post(`${TYPE}/conform/delete.json`)).status).toBe("deleted");

    // Every operation of the route table had at least one response validated in this file.
    for (const route of ROUTES)
      expect(validatedCounts.get(route.swaggerId), route.swaggerId).toBeGreaterThan(0);
    expect(validatedCounts.get("envelope")).toBeGreaterThan(0);
  });
});
