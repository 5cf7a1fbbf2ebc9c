import { describe, expect, it } from "vitest";
import { T0, virtualClock } from "../helpers/clock.js";
import { codes, emulate, only, seededType, TYPE, typeBody } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";
const describePath = (apiName: string, draft = false) =>
  `${TYPE}/${apiName}/describe.json${draft ? "?draft=true" : ""}`;

describe("emulator activity type endpoints", () => {
  it("creates a draft with the primary dataType defaulting to string, in the docs' wire shape", async () => {
    const clock = virtualClock();
    const { api } = await emulate({ now: clock.now });
    const created = only(
      await api.post(`${TYPE}.json`, {
        apiName: "webinarAttended",
        name: "Webinar Attended",
        description: "Watched a webinar",
        triggerName: "Attends Webinar",
        filterName: "Attended Webinar",
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name", description: "Title" },
      }),
    );
    expect(created).toStrictEqual({
      id: 100001,
      apiName: "webinarAttended",
      name: "Webinar Attended",
      description: "Watched a webinar",
      triggerName: "Attends Webinar",
      filterName: "Attended Webinar",
      createdAt: "2026-01-15T12:00:00Z",
      updatedAt: "2026-01-15T12:00:00Z",
      status: "draft",
      primaryAttribute: {
        apiName: "webinarName",
        name: "Webinar Name",
        description: "Title",
        dataType: "string",
      },
    });
  });

  it("walks the draft/approve state machine: draft, approved, approved with draft, discard", async () => {
    const clock = virtualClock();
    const { api, emulator } = await emulate({ now: clock.now });
    await api.post(`${TYPE}.json`, typeBody("signup"));
    expect(only(await api.get(describePath("signup"))).status).toBe("draft");

    clock.advance(1000);
    const approved = only(await api.post(`${TYPE}/signup/approve.json`));
    expect(approved).toMatchObject({ status: "approved", updatedAt: "2026-01-15T12:00:01Z" });

    const withDraft = only(
      await api.post(`${TYPE}/signup/attributes/create.json`, {
        attributes: [{ apiName: "plan", name: "Plan", dataType: "string", description: "Chosen plan" }],
      }),
    );
    expect(withDraft.status).toBe("approved with draft");
    expect(withDraft.attributes).toStrictEqual([
      { apiName: "plan", name: "Plan", description: "Chosen plan", dataType: "string" },
    ]);

    const live = only(await api.get(describePath("signup")));
    const draft = only(await api.get(describePath("signup", true)));
    expect(live.status).toBe("approved with draft");
    expect(live).not.toHaveProperty("attributes");
    expect(draft.attributes).toHaveLength(1);

    const snapshot = emulator.state().activityTypes[0];
    expect(snapshot?.live?.attributes).toStrictEqual([]);
    expect(snapshot?.draft?.attributes.map((a) => a.apiName)).toStrictEqual(["plan"]);

    const discarded = only(await api.post(`${TYPE}/signup/discardDraft.json`));
    expect(discarded.status).toBe("approved");
    expect(discarded).not.toHaveProperty("attributes");
    expect(emulator.state().activityTypes[0]?.draft).toBeUndefined();
  });

  it("updates only the draft, copying the live version first", async () => {
    const { api, emulator } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const updated = only(
      await api.post(`${TYPE}/webinar.json`, { name: "Webinar Watched", description: "New text" }),
    );
    expect(updated).toMatchObject({
      name: "Webinar Watched",
      description: "New text",
      status: "approved with draft",
    });
    expect(updated.attributes).toStrictEqual([
      { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    ]);
    expect(only(await api.get(describePath("webinar"))).name).toBe("webinar Name");
    const state = emulator.state().activityTypes[0];
    expect(state?.live?.name).toBe("webinar Name");
    expect(state?.draft?.name).toBe("Webinar Watched");

    only(await api.post(`${TYPE}/webinar/approve.json`));
    const after = only(await api.get(describePath("webinar")));
    expect(after).toMatchObject({ name: "Webinar Watched", status: "approved" });
  });

  it("updates and deletes attributes in the draft; the attributes key disappears when none are left", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar")] } });
    const updated = only(
      await api.post(`${TYPE}/webinar/attributes/update.json`, {
        attributes: [{ apiName: "minutesWatched", name: "Minutes Viewed", dataType: "float" }],
      }),
    );
    expect(updated.attributes).toStrictEqual([
      { apiName: "minutesWatched", name: "Minutes Viewed", dataType: "float" },
    ]);
    const deleted = only(
      await api.post(`${TYPE}/webinar/attributes/delete.json`, {
        attributes: [{ apiName: "minutesWatched" }],
      }),
    );
    expect(deleted.status).toBe("approved with draft");
    expect(deleted).not.toHaveProperty("attributes");
    expect(deleted.primaryAttribute.apiName).toBe("webinarName");
    expect(only(await api.get(describePath("webinar"))).attributes).toHaveLength(1);
  });

  it("changes the primary attribute of a never-approved type by demoting it and then promoting another", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar", { status: "draft" })] } });
    const promoteFirst = await api.post(`${TYPE}/webinar/attributes/update.json`, {
      attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", isPrimary: true }],
    });
    expect(codes(promoteFirst)).toStrictEqual(["709"]);

    const swapped = only(
      await api.post(`${TYPE}/webinar/attributes/update.json`, {
        attributes: [
          { apiName: "webinarName", name: "Webinar Name", isPrimary: false },
          { apiName: "minutesWatched", name: "Minutes Watched", isPrimary: true },
        ],
      }),
    );
    expect(swapped.primaryAttribute).toStrictEqual({
      apiName: "minutesWatched",
      name: "Minutes Watched",
      dataType: "integer",
    });
    expect(swapped.attributes).toStrictEqual([
      { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
    ]);
    expect(only(await api.post(`${TYPE}/webinar/approve.json`)).primaryAttribute.apiName).toBe(
      "minutesWatched",
    );
  });

  it("fails when approving a draft whose primary was demoted and not replaced", async () => {
    const { api } = await emulate({ seed: { activityTypes: [seededType("webinar", { status: "draft" })] } });
    const demoted = only(
      await api.post(`${TYPE}/webinar/attributes/update.json`, {
        attributes: [{ apiName: "webinarName", name: "Webinar Name", isPrimary: false }],
      }),
    );
    expect(demoted).not.toHaveProperty("primaryAttribute");
    expect(codes(await api.post(`${TYPE}/webinar/approve.json`))).toStrictEqual(["709"]);
    const restored = only(
      await api.post(`${TYPE}/webinar.json`, {
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
      }),
    );
    expect(restored.primaryAttribute.apiName).toBe("webinarName");
    expect(only(await api.post(`${TYPE}/webinar/approve.json`)).status).toBe("approved");
  });

  it("deletes a type: status deleted in the response, gone from list and describe", async () => {
    const { api, emulator } = await emulate({
      seed: { activityTypes: [seededType("webinar"), seededType("other")] },
    });
    const deleted = only(await api.post(`${TYPE}/webinar/delete.json`));
    expect(deleted).toMatchObject({ apiName: "webinar", status: "deleted" });
    expect((await api.get(LIST)).body.result.map((t: { apiName: string }) => t.apiName)).toStrictEqual([
      "other",
    ]);
    expect(codes(await api.get(describePath("webinar")))).toStrictEqual(["1013"]);
    expect(emulator.state().activityTypes.map((t) => t.status)).toStrictEqual(["deleted", "approved"]);
  });

  it("lists types without attributes by default, drafts included, ordered by id", async () => {
    const { api } = await emulate({ now: () => T0, seed: { activityTypes: [seededType("webinar")] } });
    await api.post(`${TYPE}.json`, typeBody("newDraft"));
    const listed = (await api.get(LIST)).body.result;
    expect(listed).toHaveLength(2);
    expect(listed[0]).toStrictEqual({
      id: 100001,
      apiName: "webinar",
      name: "webinar Name",
      triggerName: "webinar happens",
      filterName: "webinar happened",
      createdAt: "2026-01-15T12:00:00Z",
      updatedAt: "2026-01-15T12:00:00Z",
      status: "approved",
    });
    expect(listed[1]).toMatchObject({ id: 100002, apiName: "newDraft", status: "draft" });
  });

  it("lists what the list options ask for: attributes, no drafts, deleted types", async () => {
    const { api } = await emulate({
      now: () => T0,
      seed: { activityTypes: [seededType("webinar"), seededType("gone", { status: "deleted" })] },
      behaviour: { listIncludesAttributes: true, listIncludesDrafts: false, listIncludesDeleted: true },
    });
    await api.post(`${TYPE}.json`, typeBody("newDraft"));
    const listed = (await api.get(LIST)).body.result;
    expect(listed.map((t: { apiName: string }) => t.apiName)).toStrictEqual(["webinar", "gone"]);
    expect(listed[0].attributes).toHaveLength(1);
    expect(listed[0].primaryAttribute.apiName).toBe("webinarName");
    expect(listed[1].status).toBe("deleted");
  });

  it("describes a draft-only type's draft by default, and fails when describeMissingVersion is error", async () => {
    const fallback = await emulate();
    await fallback.api.post(`${TYPE}.json`, typeBody("fresh"));
    expect(only(await fallback.api.get(describePath("fresh"))).status).toBe("draft");

    const strict = await emulate({
      behaviour: { describeMissingVersion: "error" },
      seed: { activityTypes: [seededType("webinar")] },
    });
    await strict.api.post(`${TYPE}.json`, typeBody("fresh"));
    expect(codes(await strict.api.get(describePath("fresh")))).toStrictEqual(["1013"]);
    expect(codes(await strict.api.get(describePath("webinar", true)))).toStrictEqual(["1013"]);
    expect(only(await fallback.api.get(describePath("fresh", true))).status).toBe("draft");
  });

  it("lists standard and approved custom types from activities/types.json", async () => {
    const { api } = await emulate({
      seed: { activityTypes: [seededType("webinar"), seededType("drafty", { status: "draft" })] },
    });
    const result = (await api.get("/rest/v1/activities/types.json")).body.result;
    expect(result.map((t: { id: number }) => t.id)).toStrictEqual([2, 100001]);
    expect(result[0]).toMatchObject({ name: "Fill Out Form", primaryAttribute: { name: "Webform ID" } });
    expect(result[0]).not.toHaveProperty("apiName");
    expect(result[1]).toStrictEqual({
      id: 100001,
      apiName: "webinar",
      name: "webinar Name",
      primaryAttribute: { name: "Webinar Name", dataType: "string" },
      attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }],
    });
  });

  it("seeds approved-with-draft types with distinct live and draft versions", async () => {
    const { api } = await emulate({
      seed: {
        activityTypes: [
          seededType("webinar", {
            id: 100123,
            status: "approved with draft",
            draft: {
              name: "Webinar Draft",
              triggerName: "webinar happens",
              filterName: "webinar happened",
              primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
            },
          }),
        ],
      },
    });
    expect(only(await api.get(describePath("webinar")))).toMatchObject({ id: 100123, name: "webinar Name" });
    expect(only(await api.get(describePath("webinar", true)))).toMatchObject({
      name: "Webinar Draft",
      status: "approved with draft",
    });
    expect(only(await api.post(`${TYPE}.json`, typeBody("next"))).id).toBe(100124);
  });

  it("fails to start when the seed breaks a rule", async () => {
    await expect(emulate({ seed: { activityTypes: [seededType("bad name")] } })).rejects.toThrow(
      /apiName must be letters and digits/,
    );
    await expect(emulate({ seed: { activityTypes: [seededType("a1"), seededType("a1")] } })).rejects.toThrow(
      /two activity types have apiName "a1"/,
    );
    await expect(
      emulate({
        seed: { activityTypes: [seededType("a1"), seededType("a2", { triggerName: "a1 happens" })] },
      }),
    ).rejects.toThrow(/triggerName "a1 happens" is used by both "a1" and "a2"/);
  });
});
