/**
 * The behaviour options for what Marketo's documents leave open in the shape of answers and in the
 * rules (docs/emulator.md, Assumptions): each default, and each other value.
 */
import { describe, expect, it } from "vitest";
import { T0 } from "../helpers/clock.js";
import { codes, emulate, only, record, seededType, TYPE, typeBody } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";
const ALL_TYPES = "/rest/v1/activities/types.json";
const ADD = "/rest/v1/activities/external.json";

describe("absentFields", () => {
  it("leaves absent fields out by default", async () => {
    const { api } = await emulate({ behaviour: { createResponseOmitsIds: true } });
    const created = only(await api.post(`${TYPE}.json`, typeBody("fresh")));
    expect(Object.keys(created)).toStrictEqual([
      "apiName",
      "name",
      "triggerName",
      "filterName",
      "status",
      "primaryAttribute",
    ]);
    expect(Object.keys(created.primaryAttribute)).toStrictEqual(["apiName", "name", "dataType"]);
  });

  it("sends every field it has no value for as null with absentFields null", async () => {
    const { api } = await emulate({
      now: () => T0,
      seed: { activityTypes: [seededType("webinar", { id: 100001 })] },
      behaviour: { absentFields: "null", createResponseOmitsIds: true, omitActivityRecordId: true },
    });
    // GIVEN a create answer without ids, description or secondary attributes
    const created = only(await api.post(`${TYPE}.json`, typeBody("fresh")));
    expect(created).toStrictEqual({
      id: null,
      apiName: "fresh",
      name: "fresh Name",
      description: null,
      triggerName: "fresh happens",
      filterName: "fresh happened",
      createdAt: null,
      updatedAt: null,
      status: "draft",
      primaryAttribute: {
        apiName: "primaryValue",
        name: "Primary Value",
        description: null,
        dataType: "string",
      },
      attributes: null,
    });
    // A list item has no attributes by default: both keys are null, not left out.
    const listed = (await api.get(LIST)).body.result;
    expect(listed[0]).toMatchObject({
      apiName: "webinar",
      description: null,
      primaryAttribute: null,
      attributes: null,
    });
    // A draft whose primary was demoted has no primary.
    const demoted = only(
      await api.post(`${TYPE}/fresh/attributes/update.json`, {
        attributes: [{ apiName: "primaryValue", name: "Primary Value", isPrimary: false }],
      }),
    );
    expect(demoted.primaryAttribute).toBeNull();
    expect(demoted.attributes).toStrictEqual([
      { apiName: "primaryValue", name: "Primary Value", description: null, dataType: "string" },
    ]);
    // Records: an added one without its id, a skipped one without id and marketoGUID.
    const added = await api.post(ADD, { input: [record(100001), record(100001, { leadId: 0 })] });
    expect(added.body.result).toStrictEqual([
      { id: null, marketoGUID: "1", status: "added", errors: null },
      {
        id: null,
        marketoGUID: null,
        status: "skipped",
        errors: [{ code: "1004", message: "Lead not found" }],
      },
    ]);
    // activities/types.json: the standard type has no apiName, nor have its attributes.
    const all = (await api.get(ALL_TYPES)).body.result;
    expect(all[0]).toMatchObject({ id: 2, apiName: null });
    expect(all[0].attributes[0]).toStrictEqual({
      apiName: null,
      name: "Client IP Address",
      dataType: "string",
    });
    expect(all[1]).toMatchObject({ id: 100001, apiName: "webinar", description: null });
  });
});

describe("emptyDescription", () => {
  const seed = {
    activityTypes: [
      seededType("webinar", {
        status: "draft",
        description: "About webinars",
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name", description: "Its title" },
      }),
    ],
  };
  const clearType = { description: "" };
  const clearAttribute = { attributes: [{ apiName: "webinarName", name: "Webinar Name", description: "" }] };

  it("stores and answers an empty description by default", async () => {
    const { api, emulator } = await emulate({ seed });
    expect(only(await api.post(`${TYPE}/webinar.json`, clearType)).description).toBe("");
    const updated = only(await api.post(`${TYPE}/webinar/attributes/update.json`, clearAttribute));
    expect(updated.primaryAttribute.description).toBe("");
    const draft = emulator.state().activityTypes[0]?.draft;
    expect(draft?.description).toBe("");
    expect(draft?.primaryAttribute?.description).toBe("");
  });

  it("stores nothing and answers null with emptyDescription null", async () => {
    const { api, emulator } = await emulate({ seed, behaviour: { emptyDescription: "null" } });
    const type = only(await api.post(`${TYPE}/webinar.json`, clearType));
    expect(type).toHaveProperty("description", null);
    const updated = only(await api.post(`${TYPE}/webinar/attributes/update.json`, clearAttribute));
    expect(updated.primaryAttribute).toHaveProperty("description", null);
    // Only the write's own answer shows null; later reads leave the absent description out.
    expect(updated).not.toHaveProperty("description");
    const draft = emulator.state().activityTypes[0]?.draft;
    expect(draft).not.toHaveProperty("description");
    expect(draft?.primaryAttribute).not.toHaveProperty("description");
    // A create with an empty description stores none either.
    const created = only(
      await api.post(`${TYPE}.json`, {
        ...typeBody("fresh"),
        description: "",
        primaryAttribute: { apiName: "p", name: "P", description: "" },
      }),
    );
    expect(created).toHaveProperty("description", null);
    expect(created.primaryAttribute).toHaveProperty("description", null);
  });

  it("stores nothing and leaves the key out with emptyDescription omit", async () => {
    const { api, emulator } = await emulate({ seed, behaviour: { emptyDescription: "omit" } });
    expect(only(await api.post(`${TYPE}/webinar.json`, clearType))).not.toHaveProperty("description");
    const updated = only(await api.post(`${TYPE}/webinar/attributes/update.json`, clearAttribute));
    expect(updated.primaryAttribute).not.toHaveProperty("description");
    expect(emulator.state().activityTypes[0]?.draft).not.toHaveProperty("description");
  });

  it("keeps the old description with emptyDescription ignore", async () => {
    const { api, emulator } = await emulate({ seed, behaviour: { emptyDescription: "ignore" } });
    expect(only(await api.post(`${TYPE}/webinar.json`, clearType)).description).toBe("About webinars");
    const updated = only(await api.post(`${TYPE}/webinar/attributes/update.json`, clearAttribute));
    expect(updated.primaryAttribute.description).toBe("Its title");
    expect(emulator.state().activityTypes[0]?.draft?.description).toBe("About webinars");
    // A non-empty description still replaces it.
    expect(only(await api.post(`${TYPE}/webinar.json`, { description: "New" })).description).toBe("New");
  });

  it("fails when clearing the description of a type in use, unless the empty value is ignored", async () => {
    const inUse = { activityTypes: [seededType("webinar", { inUse: true, description: "About webinars" })] };
    const strict = await emulate({ seed: inUse, behaviour: { emptyDescription: "omit" } });
    expect(codes(await strict.api.post(`${TYPE}/webinar.json`, clearType))).toStrictEqual(["709"]);
    const ignoring = await emulate({ seed: inUse, behaviour: { emptyDescription: "ignore" } });
    expect(only(await ignoring.api.post(`${TYPE}/webinar.json`, clearType)).description).toBe(
      "About webinars",
    );
  });
});

describe("attributeNameRequired", () => {
  const seed = { activityTypes: [seededType("webinar", { status: "draft" })] };
  const unnamed = { attributes: [{ apiName: "minutesWatched", description: "Minutes" }] };

  it("fails by default when an attribute update item has no name, with 701, and changes nothing", async () => {
    const { api, emulator } = await emulate({ seed });
    const refused = await api.post(`${TYPE}/webinar/attributes/update.json`, unnamed);
    expect(codes(refused)).toStrictEqual(["701"]);
    expect(refused.body.errors[0].message).toBe("attributes[0].name cannot be blank");
    // Before looking the attribute up: an unknown one without a name is a blank name too.
    const unknown = { attributes: [{ apiName: "ghost", isPrimary: false }] };
    expect(codes(await api.post(`${TYPE}/webinar/attributes/update.json`, unknown))).toStrictEqual(["701"]);
    const primary = await api.post(`${TYPE}/webinar.json`, { primaryAttribute: { apiName: "webinarName" } });
    expect(primary.body.errors[0]).toStrictEqual({
      code: "701",
      message: "primaryAttribute.name cannot be blank",
    });
    expect(emulator.state().activityTypes[0]?.draft?.attributes[0]).not.toHaveProperty("description");
    // attributes/delete takes apiNames only, as the docs' example sends them.
    const removed = await api.post(`${TYPE}/webinar/attributes/delete.json`, {
      attributes: [{ apiName: "minutesWatched" }],
    });
    expect(only(removed)).not.toHaveProperty("attributes");
  });

  it("takes an update item without a name with attributeNameRequired false", async () => {
    const { api } = await emulate({ seed, behaviour: { attributeNameRequired: false } });
    const updated = only(await api.post(`${TYPE}/webinar/attributes/update.json`, unnamed));
    expect(updated.attributes[0]).toStrictEqual({
      apiName: "minutesWatched",
      name: "Minutes Watched",
      description: "Minutes",
      dataType: "integer",
    });
  });
});

describe("emptyList", () => {
  it("answers an empty list with result [] by default", async () => {
    const { api } = await emulate();
    const listed = await api.get(LIST);
    expect(listed.body).toMatchObject({ success: true, result: [] });
    expect(listed.body).not.toHaveProperty("warnings");
  });

  it("answers 702 with emptyList 702, also when every type is left out of the list", async () => {
    const { api } = await emulate({
      seed: { activityTypes: [seededType("gone", { status: "deleted" })] },
      behaviour: { emptyList: "702" },
    });
    const listed = await api.get(LIST);
    expect(listed.body.errors).toStrictEqual([
      { code: "702", message: "No data found for a given search scenario" },
    ]);
    await api.post(`${TYPE}.json`, typeBody("fresh"));
    expect((await api.get(LIST)).body.result).toHaveLength(1);
  });

  it("answers success with a 702 warning with emptyList warning", async () => {
    const { api } = await emulate({ behaviour: { emptyList: "warning" } });
    const listed = await api.get(LIST);
    expect(listed.body).toMatchObject({
      success: true,
      result: [],
      warnings: [{ code: 702, message: "No data found for a given search scenario" }],
    });
    expect(listed.body).not.toHaveProperty("errors");
  });
});

describe("listOrder", () => {
  const seed = {
    activityTypes: [
      seededType("gone", { id: 100001, status: "deleted" }),
      seededType("webinar", { id: 100002 }),
      seededType("later", { id: 100003 }),
    ],
  };

  it("lists in id order by default, and the reverse with listOrder reverse; a reused apiName is listed twice with listIncludesDeleted", async () => {
    const behaviour = { listIncludesDeleted: true } as const;
    const ascending = await emulate({ seed, behaviour });
    const descending = await emulate({ seed, behaviour: { ...behaviour, listOrder: "reverse" } });
    for (const { api } of [ascending, descending]) {
      await api.post(`${TYPE}.json`, typeBody("gone"));
      only(await api.post(`${TYPE}/gone/approve.json`));
    }
    const entries = async (api: typeof ascending.api) =>
      (await api.get(LIST)).body.result.map((t: { id: number; apiName: string; status: string }) => [
        t.id,
        t.apiName,
        t.status,
      ]);
    expect(await entries(ascending.api)).toStrictEqual([
      [100001, "gone", "deleted"],
      [100002, "webinar", "approved"],
      [100003, "later", "approved"],
      [100004, "gone", "approved"],
    ]);
    expect(await entries(descending.api)).toStrictEqual([
      [100004, "gone", "approved"],
      [100003, "later", "approved"],
      [100002, "webinar", "approved"],
      [100001, "gone", "deleted"],
    ]);
    const ids = async (api: typeof ascending.api) =>
      (await api.get(ALL_TYPES)).body.result.map((t: { id: number }) => t.id);
    expect(await ids(ascending.api)).toStrictEqual([2, 100002, 100003, 100004]);
    expect(await ids(descending.api)).toStrictEqual([100004, 100003, 100002, 2]);
  });
});

describe("displayNames", () => {
  it("takes letters of any script by default, and only A-Z with displayNames ascii", async () => {
    const unicode = await emulate();
    expect(
      only(await unicode.api.post(`${TYPE}.json`, typeBody("cafe", { name: "Café Réservé" }))).name,
    ).toBe("Café Réservé");
    const ascii = await emulate({ behaviour: { displayNames: "ascii" } });
    const refused = await ascii.api.post(`${TYPE}.json`, typeBody("cafe", { name: "Café Réservé" }));
    expect(codes(refused)).toStrictEqual(["1003"]);
    expect(refused.body.errors[0].message).toContain("letters A-Z");
    only(await ascii.api.post(`${TYPE}.json`, typeBody("cafe", { name: "Cafe Reserve_2" })));
    expect(codes(await ascii.api.post(`${TYPE}/cafe.json`, { name: "Großer Name" }))).toStrictEqual(["1003"]);
    const custom = await emulate({ behaviour: { displayNames: "ascii", invalidValueCode: "1001" } });
    expect(codes(await custom.api.post(`${TYPE}.json`, typeBody("x1", { name: "Ünique" })))).toStrictEqual([
      "1001",
    ]);
  });

  it("checks the seed with the same rule", async () => {
    const seed = { activityTypes: [seededType("webinar", { name: "Séminaire en ligne" })] };
    expect((await emulate({ seed })).emulator.state().activityTypes[0]?.live?.name).toBe(
      "Séminaire en ligne",
    );
    await expect(emulate({ seed, behaviour: { displayNames: "ascii" } })).rejects.toThrow(
      /name "Séminaire en ligne" must be letters A-Z, digits 0-9, spaces and underscores/,
    );
  });
});
