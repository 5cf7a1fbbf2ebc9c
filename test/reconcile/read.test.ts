import { describe, expect, it } from "vitest";
import { type WireCustomActivityType, wireCustomActivityTypeSchema } from "../../src/marketo/wire.js";
import { fingerprint, type LiveState, type LiveVersion, toVersion } from "../../src/reconcile/index.js";
import { oneEntryPerApiName, readInstance } from "../../src/reconcile/read.js";
import {
  approved,
  approvedWithDraft,
  define,
  draftOnly,
  emulatorWith,
  listedOnly,
  liveState,
  manifest,
  minimal,
  shuffled,
  signup,
  versionOf,
} from "./helpers.js";

/** Describe's result in the documentation's example (docs/marketo-api.md 4.1 C). */
const described: WireCustomActivityType = {
  id: 100001,
  apiName: "webinarAttended",
  name: "Webinar Attended",
  description: "Who attended which webinar",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  status: "approved",
  createdAt: "2016-04-12T21:15:31Z",
  updatedAt: "2016-04-12T21:15:31Z",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name", description: "", dataType: "string" },
  attributes: [
    { apiName: "platform", name: "Platform", description: "", dataType: "string" },
    { apiName: "minutesWatched", name: "Minutes Watched", description: "Whole minutes", dataType: "integer" },
  ],
};

describe("toVersion", () => {
  const rows: { name: string; wire: WireCustomActivityType; version: LiveVersion }[] = [
    {
      name: "the documented describe result: attributes sorted, empty descriptions dropped, metadata ignored",
      wire: described,
      version: {
        name: "Webinar Attended",
        description: "Who attended which webinar",
        triggerName: "Attends Webinar",
        filterName: "Attended Webinar",
        primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
        attributes: [
          {
            apiName: "minutesWatched",
            name: "Minutes Watched",
            description: "Whole minutes",
            dataType: "integer",
          },
          { apiName: "platform", name: "Platform", dataType: "string" },
        ],
      },
    },
    {
      name: "the primary also in attributes flagged isPrimary is kept only as the primary",
      wire: {
        ...described,
        attributes: [...described.attributes!, { ...described.primaryAttribute!, isPrimary: true }],
      },
      version: toVersion(described),
    },
    {
      name: "the primary also in attributes under the same apiName, without the flag, is kept only as the primary",
      wire: { ...described, attributes: [{ ...described.primaryAttribute! }, ...described.attributes!] },
      version: toVersion(described),
    },
    {
      name: "no primaryAttribute key: the attribute flagged isPrimary is the primary",
      wire: {
        ...described,
        primaryAttribute: undefined,
        attributes: [...described.attributes!, { ...described.primaryAttribute!, isPrimary: true }],
      },
      version: toVersion(described),
    },
    {
      name: "an empty type description is treated as absent",
      wire: { ...described, description: "" },
      version: (() => {
        const { description: _, ...rest } = toVersion(described);
        return rest;
      })(),
    },
    {
      name: "no attributes key (the documented response once all attributes are deleted)",
      wire: { ...described, attributes: undefined },
      version: { ...toVersion(described), attributes: [] },
    },
    {
      name: "the list example's shape: no attributes, no primary",
      wire: { id: 100001, apiName: "webinarAttended", name: "Webinar Attended", status: "approved" },
      version: { name: "Webinar Attended", attributes: [] },
    },
    {
      name: "an attribute with only an apiName gets Marketo's default dataType",
      wire: { apiName: "t", attributes: [{ apiName: "bare" }] },
      version: { attributes: [{ apiName: "bare", dataType: "string" }] },
    },
    {
      name: "a primary without dataType gets Marketo's default, string",
      wire: { apiName: "t", primaryAttribute: { apiName: "p", name: "P" } },
      version: { primaryAttribute: { apiName: "p", name: "P", dataType: "string" }, attributes: [] },
    },
  ];

  it.each(rows)("reads $name", (row) => {
    expect(toVersion(row.wire)).toStrictEqual(row.version);
  });

  it("does not depend on the order of the attributes", () => {
    const reversed = { ...described, attributes: [...described.attributes!].reverse() };
    expect(toVersion(reversed)).toStrictEqual(toVersion(described));
  });

  it("reads a definition's wire form back to the version the diff expects", () => {
    const definition = define({ description: "Who attended which webinar" });
    const wire: WireCustomActivityType = {
      apiName: definition.apiName,
      name: definition.name,
      description: definition.description!,
      triggerName: definition.triggerName,
      filterName: definition.filterName,
      primaryAttribute: { ...definition.primaryAttribute, isPrimary: true },
      attributes: definition.attributes.map((a) => ({ ...a, description: "" })),
    };
    expect(toVersion(wire)).toStrictEqual(versionOf(definition));
  });
});

describe("fingerprint", () => {
  const state: LiveState = liveState(
    [
      approved(define()),
      approvedWithDraft(define({ apiName: "alpha" }), define({ apiName: "alpha", name: "Alpha" })),
    ],
    [listedOnly("legacy"), listedOnly("gone", "deleted"), listedOnly("adminDraft", "draft")],
  );
  const base = fingerprint(state);

  it("is a hex SHA-256", () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is the same for any order of the listed and described types, and for the read call count", () => {
    for (const seed of [2, 3, 5, 8, 13]) {
      expect(
        fingerprint({
          listed: shuffled(state.listed, seed),
          described: shuffled(state.described, seed * 2),
          calls: seed,
        }),
      ).toBe(base);
    }
  });

  it("is the same whatever order Marketo returned attributes in (read through toVersion)", () => {
    const version = (wire: WireCustomActivityType) => ({
      ...liveState([]),
      described: [{ apiName: "webinarAttended", status: "approved", live: toVersion(wire) }],
    });
    const reversed = { ...described, attributes: [...described.attributes!].reverse() };
    expect(fingerprint(version(reversed))).toBe(fingerprint(version(described)));
  });

  const webinar = state.described.find((t) => t.apiName === "webinarAttended")!;
  const changed: { name: string; state: LiveState }[] = [
    {
      name: "a listed status",
      state: {
        ...state,
        listed: state.listed.map((t) =>
          t.apiName === "legacy" ? { ...t, status: "approved with draft" } : t,
        ),
      },
    },
    {
      name: "a listed id (the type was deleted and created again)",
      state: { ...state, listed: state.listed.map((t) => (t.apiName === "legacy" ? { ...t, id: 999 } : t)) },
    },
    {
      name: "a new type in the instance",
      state: { ...state, listed: [...state.listed, listedOnly("brandNew")] },
    },
    {
      name: "a field of a described live version",
      state: {
        ...state,
        described: state.described.map((t) =>
          t === webinar ? { ...t, live: { ...t.live!, name: "Webinar Renamed" } } : t,
        ),
      },
    },
    {
      name: "an attribute of a described live version",
      state: {
        ...state,
        described: state.described.map((t) =>
          t === webinar ? { ...t, live: { ...t.live!, attributes: t.live!.attributes.slice(1) } } : t,
        ),
      },
    },
    {
      name: "a draft appearing",
      state: {
        ...state,
        described: state.described.map((t) => (t === webinar ? { ...t, draft: versionOf(define()) } : t)),
      },
    },
    {
      name: "a field of a described draft",
      state: {
        ...state,
        described: state.described.map((t) =>
          t.apiName === "alpha" ? { ...t, draft: { ...t.draft!, description: "Edited" } } : t,
        ),
      },
    },
  ];

  it.each(changed)("changes with $name", (row) => {
    expect(fingerprint(row.state)).not.toBe(base);
  });

  it("tells a draft-only type from an approved one with the same version", () => {
    const asDraft = liveState([draftOnly(define())]);
    const asApproved = liveState([approved(define())]);
    expect(fingerprint(asDraft)).not.toBe(fingerprint(asApproved));
  });
});

describe("readInstance", () => {
  it("fails when Marketo lists a declared type without a status, before describing anything", async () => {
    // GIVEN Marketo lists the declared type without its status
    const { emulator, client } = await emulatorWith([approved(define())]);
    emulator.addFault({
      operation: "listCustomActivityTypes",
      respond: {
        httpStatus: 200,
        body: JSON.stringify({
          requestId: "1#1",
          success: true,
          result: [{ id: 100001, apiName: "webinarAttended", name: "Webinar Attended" }],
        }),
      },
    });
    const mark = emulator.requests.length;
    // WHEN planning reads the instance
    const read = readInstance(client, manifest({ types: [define()] }));
    // THEN it refuses to guess whether a draft exists, after the list call alone
    await expect(read).rejects.toThrow(
      'Marketo listed "webinarAttended" without a status, so it is not known whether a draft exists; nothing was planned',
    );
    expect(
      emulator.requests
        .slice(mark)
        .map((r) => r.operation)
        .filter((op) => op !== "identity"),
    ).toStrictEqual(["listCustomActivityTypes"]);
  });

  it("reads with one list and one describe per version that exists (decision 11), as the fixtures build it", async () => {
    const types = [
      approved(define()),
      approvedWithDraft(signup(), signup({ name: "Signup Edited" })),
      draftOnly(minimal("alpha")),
      listedOnly("legacy"),
    ];
    const { emulator, client } = await emulatorWith(types);
    const mark = emulator.requests.length;
    const declared = manifest({ types: [define(), signup(), minimal("alpha")], retired: ["legacy"] });
    const state = await readInstance(client, declared);
    const fixture = liveState(types.slice(0, 3), types.slice(3));
    expect(fingerprint(state)).toBe(fingerprint(fixture));
    expect(state.calls).toBe(fixture.calls);
    const operations = emulator.requests
      .slice(mark)
      .map((r) => r.operation)
      .filter((op) => op !== "identity");
    expect(operations).toHaveLength(state.calls);
    expect(operations.filter((op) => op === "describeCustomActivityType")).toHaveLength(4);
  });
});

describe("reading whatever Marketo's list and describe answer (docs/marketo-api.md 8.2, 8.15)", () => {
  const entry = (apiName: string, status: string, id: number) => ({ ...listedOnly(apiName, status), id });

  it("keeps one entry per apiName by status, then the higher id, whatever the order of the list", () => {
    const list = [
      entry("webinarAttended", "deleted", 100009),
      entry("webinarAttended", "approved", 100002),
      entry("newsletterSignup", "deleted", 100001),
      entry("newsletterSignup", "draft", 100003),
      entry("trialStarted", "deleted", 100004),
      entry("trialStarted", "deleted", 100005),
    ];
    for (const seed of [1, 2, 3, 4, 5]) {
      const chosen = oneEntryPerApiName(shuffled(list, seed)).sort((a, b) =>
        a.apiName < b.apiName ? -1 : 1,
      );
      expect(chosen.map((t) => [t.apiName, t.status, t.id])).toStrictEqual([
        ["newsletterSignup", "draft", 100003],
        ["trialStarted", "deleted", 100005],
        ["webinarAttended", "approved", 100002],
      ]);
    }
  });

  it("reads null like a missing field: a describe with null description and attributes", () => {
    const version = toVersion(
      wireCustomActivityTypeSchema.parse({
        ...described,
        description: null,
        attributes: null,
        primaryAttribute: { ...described.primaryAttribute, description: null },
      }),
    );
    expect(version.description).toBeUndefined();
    expect(version.attributes).toStrictEqual([]);
    expect(version.primaryAttribute).toStrictEqual({
      apiName: "webinarName",
      name: "Webinar Name",
      dataType: "string",
    });
  });

  it("looks each unlisted declared type up with one draft describe only when the list shows no draft", async () => {
    // GIVEN Marketo's list leaves out never-approved types, and one declared type is such a draft
    const { client, emulator } = await emulatorWith([draftOnly(define())], {
      behaviour: { listIncludesDrafts: false },
    });
    const desired = manifest({ types: [define(), signup()] });
    // WHEN the instance is read
    const mark = emulator.requests.length;
    const state = await readInstance(client, desired);
    // THEN the draft is found, the absent type is known absent, and the draft was described once
    expect(state.listed.map((t) => [t.apiName, t.status])).toStrictEqual([["webinarAttended", "draft"]]);
    expect(state.described.map((t) => [t.apiName, t.draft !== undefined])).toStrictEqual([
      ["webinarAttended", true],
    ]);
    const operations = emulator.requests
      .slice(mark)
      .filter((r) => r.operation !== "identity")
      .map((r) => `${r.operation} ${r.apiName ?? ""}`.trim());
    expect(operations.sort()).toStrictEqual([
      "describeCustomActivityType newsletterSignup",
      "describeCustomActivityType webinarAttended",
      "listCustomActivityTypes",
    ]);
    expect(state.calls).toBe(3);
  });

  it("makes no lookup when the list shows a draft: it evidently lists drafts", async () => {
    const { client, emulator } = await emulatorWith([draftOnly(signup())]);
    const mark = emulator.requests.length;
    const state = await readInstance(client, manifest({ types: [define(), signup()] }));
    // list, and the draft's describe; the absent webinarAttended costs nothing
    const rest = emulator.requests.slice(mark).filter((r) => r.operation !== "identity");
    expect(rest.map((r) => r.apiName ?? r.operation)).toStrictEqual([
      "listCustomActivityTypes",
      "newsletterSignup",
    ]);
    expect(state.calls).toBe(2);
  });
});
