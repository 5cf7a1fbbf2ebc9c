import { describe, expect, it } from "vitest";
import { DATA_TYPES } from "../../src/schema/index.js";
import { codes, emulate, only, seededType, TYPE, typeBody } from "./helpers.js";

const attributes = (count: number, prefix = "field") =>
  Array.from({ length: count }, (_, i) => ({
    apiName: `${prefix}${i}`,
    name: `Field ${i}`,
    dataType: "string",
  }));

describe("emulator rules for activity types", () => {
  it("fails when a required create field is missing or blank, with 701", async () => {
    const { api } = await emulate();
    for (const field of ["apiName", "name", "triggerName", "filterName", "primaryAttribute"]) {
      const body = typeBody("valid1");
      delete body[field];
      const response = await api.post(`${TYPE}.json`, body);
      expect(codes(response), field).toStrictEqual(["701"]);
      expect(response.body.errors[0].message).toBe(`${field} cannot be blank`);
    }
    expect(codes(await api.post(`${TYPE}.json`, typeBody("valid1", { triggerName: "  " })))).toStrictEqual([
      "701",
    ]);
    const noPrimaryName = typeBody("valid1", { primaryAttribute: { apiName: "p" } });
    expect(codes(await api.post(`${TYPE}.json`, noPrimaryName))).toStrictEqual(["701"]);
  });

  it("fails when the type apiName breaks the naming rules, with 1003", async () => {
    const { api } = await emulate();
    for (const apiName of ["has space", "under_score", "12345", "a".repeat(256), "dash-ed"]) {
      expect(codes(await api.post(`${TYPE}.json`, typeBody(apiName))), apiName).toStrictEqual(["1003"]);
    }
    expect(only(await api.post(`${TYPE}.json`, typeBody(`a${"1".repeat(254)}`))).status).toBe("draft");
  });

  it("fails when the display name or an attribute apiName breaks the naming rules", async () => {
    const { api } = await emulate();
    expect(codes(await api.post(`${TYPE}.json`, typeBody("ok1", { name: "Bad-Name!" })))).toStrictEqual([
      "1003",
    ]);
    const badPrimary = typeBody("ok1", { primaryAttribute: { apiName: "bad name", name: "P" } });
    expect(codes(await api.post(`${TYPE}.json`, badPrimary))).toStrictEqual(["1003"]);
    expect(only(await api.post(`${TYPE}.json`, typeBody("ok1", { name: "Good_Name 2" }))).name).toBe(
      "Good_Name 2",
    );
  });

  it("fails when a dataType is not one of the eleven, with 1003", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const badPrimary = typeBody("x1", { primaryAttribute: { apiName: "p", name: "P", dataType: "number" } });
    expect(codes(await api.post(`${TYPE}.json`, badPrimary))).toStrictEqual(["1003"]);
    const badAttribute = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "score", name: "Score", dataType: "decimal" }],
    });
    expect(codes(badAttribute)).toStrictEqual(["1003"]);
    expect(badAttribute.body.errors[0].message).toContain("dataType");
    for (const dataType of DATA_TYPES) {
      const ok = await api.post(`${TYPE}/webinar/attributes/create.json`, {
        attributes: [{ apiName: `a${dataType}`, name: dataType, dataType }],
      });
      expect(ok.body.success, dataType).toBe(true);
    }
  });

  it("fails when the type apiName exists, with 1017 (configurable)", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const duplicate = typeBody("webinar", { triggerName: "Other trigger", filterName: "Other filter" });
    expect(codes(await api.post(`${TYPE}.json`, duplicate))).toStrictEqual(["1017"]);

    const custom = await emulate({
      seed: { activityTypes: [seededType("webinar")] },
      behaviour: { duplicateApiNameCode: "709" },
    });
    expect(codes(await custom.api.post(`${TYPE}.json`, duplicate))).toStrictEqual(["709"]);
  });

  it("fails when triggerName or filterName is used by another type, on create and update", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar"), seededType("other")] } });
    const sameTrigger = typeBody("third", { triggerName: "webinar happens" });
    const sameFilter = typeBody("third", { filterName: "webinar happened" });
    expect(codes(await api.post(`${TYPE}.json`, sameTrigger))).toStrictEqual(["1017"]);
    expect(codes(await api.post(`${TYPE}.json`, sameFilter))).toStrictEqual(["1017"]);
    expect(codes(await api.post(`${TYPE}/other.json`, { filterName: "webinar happened" }))).toStrictEqual([
      "1017",
    ]);
    // The same text as trigger and filter of one type, or as a display name, is allowed.
    const sameWithin = typeBody("third", {
      name: "webinar happens",
      triggerName: "Same",
      filterName: "Same",
    });
    expect(only(await api.post(`${TYPE}.json`, sameWithin)).status).toBe("draft");
  });

  it("fails when the display name is reused and uniqueDisplayName is set", async () => {
    const { api } = await emulate({
      seed: { activityTypes: [seededType("webinar")] },
      behaviour: { uniqueDisplayName: true },
    });
    expect(codes(await api.post(`${TYPE}.json`, typeBody("third", { name: "webinar Name" })))).toStrictEqual([
      "1017",
    ]);
  });

  it("fails when creating more types than maxActivityTypes, with 1027; deleted types do not count", async () => {
    const { api } = await emulate({ limits: { maxActivityTypes: 2 } });
    only(await api.post(`${TYPE}.json`, typeBody("t1")));
    only(await api.post(`${TYPE}.json`, typeBody("t2")));
    const third = await api.post(`${TYPE}.json`, typeBody("t3"));
    expect(codes(third)).toStrictEqual(["1027"]);
    expect(third.body.errors[0].message).toMatch(/^Max Activity Type Limit Reached/);
    only(await api.post(`${TYPE}/t1/delete.json`));
    expect(only(await api.post(`${TYPE}.json`, typeBody("t3"))).status).toBe("draft");
  });

  it("fails with 1027 by default at the eleventh type", async () => {
    const { api } = await emulate();
    for (let i = 0; i < 10; i++) only(await api.post(`${TYPE}.json`, typeBody(`type${i}`)));
    expect(codes(await api.post(`${TYPE}.json`, typeBody("type10")))).toStrictEqual(["1027"]);
  });

  it("fails when a type would have more than 20 secondary attributes, with 1028; the primary is not counted", async () => {
    const { api, emulator } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const nineteen = await api.post(`${TYPE}/webinar/attributes/create.json`, { attributes: attributes(19) });
    expect(only(nineteen).attributes).toHaveLength(20);
    const oneMore = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: attributes(1, "extra"),
    });
    expect(codes(oneMore)).toStrictEqual(["1028"]);
    expect(oneMore.body.errors[0].message).toMatch(/^Max field limit reached/);
    expect(emulator.state().activityTypes[0]?.draft?.attributes).toHaveLength(20);
  });

  it("fails with 1028 against a custom maxAttributes, and changes nothing", async () => {
    const { api, emulator } = await emulate({
      limits: { maxAttributes: 2 },
      seed: { activityTypes: [seededType("webinar")] },
    });
    expect(
      codes(await api.post(`${TYPE}/webinar/attributes/create.json`, { attributes: attributes(2) })),
    ).toStrictEqual(["1028"]);
    expect(emulator.state().activityTypes[0]?.status).toBe("approved");
  });

  it("fails when an attribute apiName repeats within the type, the primary included", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const asPrimary = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "webinarName", name: "Again", dataType: "string" }],
    });
    expect(codes(asPrimary)).toStrictEqual(["1017"]);
    const asSecondary = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "minutesWatched", name: "Again", dataType: "string" }],
    });
    expect(codes(asSecondary)).toStrictEqual(["1017"]);
    const twiceInRequest = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [
        { apiName: "fresh", name: "One", dataType: "string" },
        { apiName: "fresh", name: "Two", dataType: "string" },
      ],
    });
    expect(codes(twiceInRequest)).toStrictEqual(["1003"]);
  });

  it("fails when an attribute is created without a dataType or name, with 701", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const noType = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "a1", name: "A" }],
    });
    expect(codes(noType)).toStrictEqual(["701"]);
    expect(noType.body.errors[0].message).toBe("attributes[0].dataType cannot be blank");
    const noName = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "a1", dataType: "string" }],
    });
    expect(codes(noName)).toStrictEqual(["701"]);
    expect(codes(await api.post(`${TYPE}/webinar/attributes/create.json`, { attributes: [] }))).toStrictEqual(
      ["701"],
    );
  });

  it("fails when updating or deleting an attribute the type lacks, with 1006 (its apiName cannot change)", async () => {
    const { api, emulator } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const update = await api.post(`${TYPE}/webinar/attributes/update.json`, {
      attributes: [{ apiName: "minutesViewed", name: "Minutes Viewed" }],
    });
    expect(codes(update)).toStrictEqual(["1006"]);
    const remove = await api.post(`${TYPE}/webinar/attributes/delete.json`, {
      attributes: [{ apiName: "nope" }],
    });
    expect(codes(remove)).toStrictEqual(["1006"]);
    expect(emulator.state().activityTypes[0]?.status).toBe("approved");
  });

  it("fails when deleting the primary attribute", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const remove = await api.post(`${TYPE}/webinar/attributes/delete.json`, {
      attributes: [{ apiName: "webinarName" }],
    });
    expect(codes(remove)).toStrictEqual(["709"]);
  });

  it("fails when creating a second primary attribute or updating the primary to another apiName", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const second = await api.post(`${TYPE}/webinar/attributes/create.json`, {
      attributes: [{ apiName: "other", name: "Other", dataType: "string", isPrimary: true }],
    });
    expect(codes(second)).toStrictEqual(["709"]);
    const viaUpdate = await api.post(`${TYPE}/webinar.json`, {
      primaryAttribute: { apiName: "other", name: "Other" },
    });
    expect(codes(viaUpdate)).toStrictEqual(["709"]);
    const sameApiName = only(
      await api.post(`${TYPE}/webinar.json`, {
        primaryAttribute: { apiName: "webinarName", name: "Session Name" },
      }),
    );
    expect(sameApiName.primaryAttribute.name).toBe("Session Name");
  });

  it("fails when an update changes the type apiName", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    expect(codes(await api.post(`${TYPE}/webinar.json`, { apiName: "renamed" }))).toStrictEqual(["709"]);
    expect(
      only(await api.post(`${TYPE}/webinar.json`, { apiName: "webinar", description: "d" })).description,
    ).toBe("d");
  });

  it("fails when a type is unknown, with 1013 on every type endpoint (configurable)", async () => {
    const { api } = await emulate();
    const calls = [
      api.get(`${TYPE}/ghost/describe.json`),
      api.post(`${TYPE}/ghost.json`, { name: "Ghost" }),
      api.post(`${TYPE}/ghost/approve.json`),
      api.post(`${TYPE}/ghost/discardDraft.json`),
      api.post(`${TYPE}/ghost/delete.json`),
      api.post(`${TYPE}/ghost/attributes/create.json`, { attributes: attributes(1) }),
      api.post(`${TYPE}/ghost/attributes/update.json`, { attributes: attributes(1) }),
      api.post(`${TYPE}/ghost/attributes/delete.json`, { attributes: [{ apiName: "field0" }] }),
    ];
    for (const response of await Promise.all(calls)) expect(codes(response)).toStrictEqual(["1013"]);
    const custom = await emulate({ behaviour: { unknownTypeCode: "610" } });
    expect(codes(await custom.api.get(`${TYPE}/ghost/describe.json`))).toStrictEqual(["610"]);
  });

  it("fails when approving or discarding without a draft, with 709", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const approve = await api.post(`${TYPE}/webinar/approve.json`);
    expect(codes(approve)).toStrictEqual(["709"]);
    expect(approve.body.errors[0].message).toMatch(/^Business Rule Violation/);
    expect(codes(await api.post(`${TYPE}/webinar/discardDraft.json`))).toStrictEqual(["709"]);
    const custom = await emulate({
      seed: { activityTypes: [seededType("webinar")] },
      behaviour: { approveWithoutDraftCode: "1003" },
    });
    expect(codes(await custom.api.post(`${TYPE}/webinar/approve.json`))).toStrictEqual(["1003"]);
  });

  it("fails when discarding the draft of a never-approved type, unless discardDraftOnDraftOnly is deleteType", async () => {
    const strict = await emulate();
    await strict.api.post(`${TYPE}.json`, typeBody("fresh"));
    expect(codes(await strict.api.post(`${TYPE}/fresh/discardDraft.json`))).toStrictEqual(["709"]);

    const deleting = await emulate({ behaviour: { discardDraftOnDraftOnly: "deleteType" } });
    await deleting.api.post(`${TYPE}.json`, typeBody("fresh"));
    expect(only(await deleting.api.post(`${TYPE}/fresh/discardDraft.json`)).status).toBe("deleted");
    expect(deleting.emulator.state().activityTypes[0]?.status).toBe("deleted");
  });

  it("fails when deleting a type in use, with 1022, and allows it once unused", async () => {
    const { api, emulator } = await emulate({
      seed: { activityTypes: [seededType("webinar", { inUse: true })] },
    });
    const refused = await api.post(`${TYPE}/webinar/delete.json`);
    expect(codes(refused)).toStrictEqual(["1022"]);
    emulator.setInUse("webinar", false);
    expect(only(await api.post(`${TYPE}/webinar/delete.json`)).status).toBe("deleted");
  });

  it("fails when changing names or the primary of a type in use; secondary attributes may change", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar", { inUse: true })] } });
    expect(codes(await api.post(`${TYPE}/webinar.json`, { name: "Renamed" }))).toStrictEqual(["709"]);
    expect(codes(await api.post(`${TYPE}/webinar.json`, { triggerName: "Other" }))).toStrictEqual(["709"]);
    const primary = await api.post(`${TYPE}/webinar/attributes/update.json`, {
      attributes: [{ apiName: "webinarName", name: "Other" }],
    });
    expect(codes(primary)).toStrictEqual(["709"]);
    const secondary = await api.post(`${TYPE}/webinar/attributes/update.json`, {
      attributes: [{ apiName: "minutesWatched", name: "Minutes Viewed" }],
    });
    expect(only(secondary).attributes[0].name).toBe("Minutes Viewed");
    // Sending unchanged values is not a change.
    expect(only(await api.post(`${TYPE}/webinar.json`, { name: "webinar Name" })).name).toBe("webinar Name");
  });

  it("allows a dataType change by default and fails when dataTypeChangeAfterApproval is reject", async () => {
    const body = { attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "string" }] };
    const lenient = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    expect(
      only(await lenient.api.post(`${TYPE}/webinar/attributes/update.json`, body)).attributes[0].dataType,
    ).toBe("string");
    const strict = await emulate({
      seed: { activityTypes: [seededType("webinar")] },
      behaviour: { dataTypeChangeAfterApproval: "reject" },
    });
    expect(codes(await strict.api.post(`${TYPE}/webinar/attributes/update.json`, body))).toStrictEqual([
      "709",
    ]);
    // Never approved: the change is allowed.
    await strict.api.post(`${TYPE}.json`, typeBody("fresh"));
    await strict.api.post(`${TYPE}/fresh/attributes/create.json`, { attributes: attributes(1) });
    const draftOnly = await strict.api.post(`${TYPE}/fresh/attributes/update.json`, {
      attributes: [{ apiName: "field0", name: "Field 0", dataType: "integer" }],
    });
    expect(only(draftOnly).attributes[0].dataType).toBe("integer");
  });

  it("fails by default when changing the primary of an approved type, and allows it with primaryChangeAfterApproval allow", async () => {
    const demote = { attributes: [{ apiName: "webinarName", name: "Webinar Name", isPrimary: false }] };
    const promote = {
      attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", isPrimary: true }],
    };
    const strict = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const refused = await strict.api.post(`${TYPE}/webinar/attributes/update.json`, demote);
    expect(codes(refused)).toStrictEqual(["709"]);
    expect(refused.body.errors[0].message).toMatch(/primary attribute .* cannot change after approval/);
    expect(strict.emulator.state().activityTypes[0]?.status).toBe("approved");
    // Editing the live primary's name is not a change of primary.
    const renamed = await strict.api.post(`${TYPE}/webinar/attributes/update.json`, {
      attributes: [{ apiName: "webinarName", name: "Session Name" }],
    });
    expect(only(renamed).primaryAttribute.name).toBe("Session Name");

    const lenient = await emulate({
      seed: { activityTypes: [seededType("webinar")] },
      behaviour: { primaryChangeAfterApproval: "allow" },
    });
    only(await lenient.api.post(`${TYPE}/webinar/attributes/update.json`, demote));
    const moved = only(await lenient.api.post(`${TYPE}/webinar/attributes/update.json`, promote));
    expect(moved.primaryAttribute.apiName).toBe("minutesWatched");
  });

  it("fails when the primary dataType is outside primaryDataTypes", async () => {
    const { api } = await emulate({ behaviour: { primaryDataTypes: ["string"] } });
    const body = typeBody("typed", { primaryAttribute: { apiName: "p", name: "P", dataType: "integer" } });
    expect(codes(await api.post(`${TYPE}.json`, body))).toStrictEqual(["1003"]);
    expect(only(await api.post(`${TYPE}.json`, typeBody("typed"))).primaryAttribute.dataType).toBe("string");
  });

  it("ignores attributes sent on create by default, and fails when attributesOnCreate is reject", async () => {
    const body = typeBody("withAttrs", { attributes: attributes(2) });
    const ignoring = await emulate();
    const created = only(await ignoring.api.post(`${TYPE}.json`, body));
    expect(created).not.toHaveProperty("attributes");
    const rejecting = await emulate({ behaviour: { attributesOnCreate: "reject" } });
    expect(codes(await rejecting.api.post(`${TYPE}.json`, body))).toStrictEqual(["1003"]);
  });

  it("reuses a deleted apiName with a new id by default, and fails when deletedApiNameReusable is false", async () => {
    const reusable = await emulate({
      seed: { activityTypes: [seededType("webinar", { status: "deleted" })] },
    });
    const recreated = only(await reusable.api.post(`${TYPE}.json`, typeBody("webinar")));
    expect(recreated.id).toBe(100002);
    const strict = await emulate({
      seed: { activityTypes: [seededType("webinar", { status: "deleted" })] },
      behaviour: { deletedApiNameReusable: false },
    });
    expect(codes(await strict.api.post(`${TYPE}.json`, typeBody("webinar")))).toStrictEqual(["1017"]);
  });

  it("shapes responses as the wire options say", async () => {
    const { api } = await emulate({
      seed: { activityTypes: [seededType("webinar")] },
      behaviour: {
        createResponseOmitsIds: true,
        emptyResultOn: ["approveCustomActivityType"],
        emptyErrorsAndWarnings: true,
        primaryInAttributesList: true,
      },
    });
    const created = await api.post(`${TYPE}.json`, typeBody("fresh"));
    expect(created.body.errors).toStrictEqual([]);
    expect(created.body.warnings).toStrictEqual([]);
    const item = only(created);
    expect(item).not.toHaveProperty("id");
    expect(item).not.toHaveProperty("createdAt");
    expect(item.primaryAttribute.isPrimary).toBe(true);
    expect(item.attributes).toStrictEqual([
      { apiName: "primaryValue", name: "Primary Value", dataType: "string", isPrimary: true },
    ]);
    const approved = await api.post(`${TYPE}/fresh/approve.json`);
    expect(approved.body).toMatchObject({ success: true, result: [] });
  });

  it("keeps an empty attributes list when omitEmptyAttributes is false", async () => {
    const { api } = await emulate({ behaviour: { omitEmptyAttributes: false } });
    expect(only(await api.post(`${TYPE}.json`, typeBody("fresh"))).attributes).toStrictEqual([]);
  });

  it("fails to start when a behaviour option is misspelled", async () => {
    await expect(emulate({ behaviour: { listIncludesDraft: true } as never })).rejects.toThrow(
      /Unknown emulator behaviour option "listIncludesDraft"/,
    );
  });
});
