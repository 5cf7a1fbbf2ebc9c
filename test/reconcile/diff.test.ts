import { describe, expect, it } from "vitest";
import type { AttributeRequest } from "../../src/marketo/wire.js";
import {
  type Action,
  ApplyRefusedError,
  applyPlan,
  diff,
  type FieldChange,
  fingerprint,
  type LiveType,
  type Plan,
  refusals,
  type Step,
  toVersion,
} from "../../src/reconcile/index.js";
import type { ActivityTypeDefinition, AttributeDataType } from "../../src/schema/index.js";
import {
  applyOnEmulator,
  approved,
  approvedWithDraft,
  define,
  draftOnly,
  ENDPOINT,
  emulatorWith,
  listedOnly,
  liveState,
  manifest,
  minimal,
  ops,
  planOfSteps,
  shuffled,
  signup,
  typePlan,
  versionOf,
  webinarInput,
} from "./helpers.js";

const endpoint = { endpoint: ENDPOINT };
const APPROVE: Step = { operation: "approveCustomActivityType" };

const primary = webinarInput.primaryAttribute;
const minutesWatched = { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" } as const;
const platform = { apiName: "platform", name: "Platform", dataType: "string" } as const;
const registered = { apiName: "registered", name: "Registered", dataType: "boolean" } as const;
const sessionId = { apiName: "sessionId", name: "Session Id", dataType: "string" } as const;
const region = { apiName: "region", name: "Region", dataType: "string" } as const;
const score = { apiName: "score", name: "Score", dataType: "float" } as const;
const oldPrimaryAsSecondary = { apiName: "webinarName", name: "Webinar Name", dataType: "string" } as const;
const sessionTitle = { apiName: "sessionTitle", name: "Session Title", dataType: "string" } as const;

/** An attribute as a request body carries it: description always sent, "" clears one. */
const req = (a: {
  apiName: string;
  name: string;
  dataType: AttributeDataType;
  description?: string;
}): AttributeRequest => ({
  apiName: a.apiName,
  name: a.name,
  dataType: a.dataType,
  description: a.description ?? "",
});

/** A primary attribute as a request carries it: `dataType` only when it is not `string` (Marketo's default). */
const primaryReq = (a: Parameters<typeof req>[0]): AttributeRequest => {
  const { dataType, ...rest } = req(a);
  return dataType === "string" ? rest : { ...rest, dataType };
};

/** `[path, kind, risk]` per change: compact enough to read in a table. */
const summary = (changes: readonly FieldChange[]) => changes.map((c) => [c.path, c.kind, c.risk]);

/** Plans `desired` against the single live type `live`. */
function planOne(desired: ActivityTypeDefinition, live: LiveType | undefined, approve = true): Plan {
  return diff(
    manifest({ types: [desired], instance: { approve } }),
    liveState(live === undefined ? [] : [live]),
    endpoint,
  );
}

describe("diff: one action per declared or retired type", () => {
  const W = define();
  const rows: {
    name: string;
    plan: () => Plan;
    apiName: string;
    action: Action;
    status: string;
    draft: "none" | "ours" | "foreign";
    ops: Step["operation"][];
  }[] = [
    {
      name: "create when the type is absent",
      plan: () => planOne(W, undefined),
      apiName: W.apiName,
      action: "create",
      status: "absent",
      draft: "none",
      ops: ["createCustomActivityType", "createCustomActivityTypeAttributes", "approveCustomActivityType"],
    },
    {
      name: "update when the approved type differs",
      plan: () => planOne(W, approved(define({ name: "Webinar Joined" }))),
      apiName: W.apiName,
      action: "update",
      status: "approved",
      draft: "none",
      ops: ["updateCustomActivityType", "approveCustomActivityType"],
    },
    {
      name: "approve when a draft of ours leaves nothing to change",
      plan: () => planOne(W, approvedWithDraft(define({ name: "Webinar Joined" }), W)),
      apiName: W.apiName,
      action: "approve",
      status: "approved with draft",
      draft: "ours",
      ops: ["approveCustomActivityType"],
    },
    {
      name: "approve when a never-approved type's draft is the code",
      plan: () => planOne(W, draftOnly(W)),
      apiName: W.apiName,
      action: "approve",
      status: "draft",
      draft: "ours",
      ops: ["approveCustomActivityType"],
    },
    {
      name: "delete when a tombstone names an approved type",
      plan: () =>
        diff(manifest({ retired: ["oldSignup"] }), liveState([], [listedOnly("oldSignup")]), endpoint),
      apiName: "oldSignup",
      action: "delete",
      status: "approved",
      draft: "none",
      ops: ["deleteCustomActivityType"],
    },
    {
      name: "delete when a tombstone names a type that has only a draft",
      plan: () =>
        diff(
          manifest({ retired: ["oldSignup"] }),
          liveState([], [listedOnly("oldSignup", "draft")]),
          endpoint,
        ),
      apiName: "oldSignup",
      action: "delete",
      status: "draft",
      draft: "none",
      ops: ["deleteCustomActivityType"],
    },
    {
      name: "noop when the approved type matches the code",
      plan: () => planOne(W, approved(W)),
      apiName: W.apiName,
      action: "noop",
      status: "approved",
      draft: "none",
      ops: [],
    },
    {
      name: "noop when a retired type is already absent",
      plan: () => diff(manifest({ retired: ["oldSignup"] }), liveState([]), endpoint),
      apiName: "oldSignup",
      action: "noop",
      status: "absent",
      draft: "none",
      ops: [],
    },
    {
      name: "noop when a retired type is listed as deleted",
      plan: () =>
        diff(
          manifest({ retired: ["oldSignup"] }),
          liveState([], [listedOnly("oldSignup", "deleted")]),
          endpoint,
        ),
      apiName: "oldSignup",
      action: "noop",
      status: "absent",
      draft: "none",
      ops: [],
    },
  ];

  it.each(rows)("plans $name", (row) => {
    const plan = row.plan();
    expect(plan.types).toHaveLength(1);
    const type = typePlan(plan, row.apiName);
    expect(type.action).toBe(row.action);
    expect(type.status).toBe(row.status);
    expect(type.draft).toBe(row.draft);
    expect(ops(type)).toStrictEqual(row.ops);
  });

  it("plans create when the type is listed with status deleted (a deleted apiName can be declared again)", () => {
    const plan = diff(manifest({ types: [W] }), liveState([], [listedOnly(W.apiName, "deleted")]), endpoint);
    const type = typePlan(plan);
    expect(type.action).toBe("create");
    expect(ops(type)).toStrictEqual([
      "createCustomActivityType",
      "createCustomActivityTypeAttributes",
      "approveCustomActivityType",
    ]);
    // A deleted type does not count toward the limit, its re-creation does.
    expect(plan.limits).toMatchObject({ current: 0, afterApply: 1 });
  });

  it("explains a noop tombstone and a tombstone delete in notes, and keeps no desired definition for them", () => {
    const absent = typePlan(diff(manifest({ retired: ["oldSignup"] }), liveState([]), endpoint), "oldSignup");
    expect(absent.notes).toStrictEqual(["retired and already absent from the instance"]);
    expect(absent.desired).toBeUndefined();
    const present = typePlan(
      diff(manifest({ retired: ["oldSignup"] }), liveState([], [listedOnly("oldSignup")]), endpoint),
      "oldSignup",
    );
    expect(present.changes).toStrictEqual([
      {
        path: "type",
        kind: "remove",
        before: "oldSignup",
        risk: "destructive",
        note: "deletes the type; declared by RetiredActivityType",
      },
    ]);
    expect(present.risk).toBe("destructive");
    expect(present.desired).toBeUndefined();
    expect(present.notes.join(" ")).toContain("RetiredActivityType");
  });

  it("does not ask for allowDestructiveChanges on a tombstone delete: the tombstone is the reviewed permission", () => {
    const plan = diff(
      manifest({ retired: ["oldSignup"] }),
      liveState([], [listedOnly("oldSignup")]),
      endpoint,
    );
    expect(typePlan(plan, "oldSignup").destructiveNotAllowed).toBeUndefined();
    expect(refusals(plan)).toStrictEqual([]);
  });
});

describe("diff: create", () => {
  it("creates the type with its primary, then all attributes in one call, then approves", () => {
    const type = typePlan(planOne(define(), undefined));
    expect(type.steps).toStrictEqual([
      {
        operation: "createCustomActivityType",
        request: {
          apiName: "webinarAttended",
          name: "Webinar Attended",
          triggerName: "Attends Webinar",
          filterName: "Attended Webinar",
          primaryAttribute: { apiName: "webinarName", name: "Webinar Name", description: "" },
        },
      },
      { operation: "createCustomActivityTypeAttributes", attributes: [req(minutesWatched), req(platform)] },
      APPROVE,
    ]);
    expect(type.risk).toBe("safe");
    expect(type.notes).toStrictEqual([]);
    expect(type.desired).toStrictEqual(define());
  });

  it("sends the description with the create call when the definition has one", () => {
    const type = typePlan(planOne(define({ description: "Who attended which webinar" }), undefined));
    expect(type.steps[0]).toMatchObject({
      operation: "createCustomActivityType",
      request: { description: "Who attended which webinar" },
    });
  });

  it("sends no description key when the definition has none", () => {
    const step = typePlan(planOne(define(), undefined)).steps[0]!;
    expect(step.operation === "createCustomActivityType" && "description" in step.request).toBe(false);
  });

  it("makes no attributes call for a type without secondary attributes", () => {
    const type = typePlan(planOne(define({ attributes: [] }), undefined));
    expect(ops(type)).toStrictEqual(["createCustomActivityType", "approveCustomActivityType"]);
  });

  it("leaves the new type as a draft, with a note, when the instance says approve: false", () => {
    const type = typePlan(planOne(define(), undefined, false));
    expect(ops(type)).toStrictEqual(["createCustomActivityType", "createCustomActivityTypeAttributes"]);
    expect(type.notes).toStrictEqual(["left as a draft for review in Marketo Admin (approve: false)"]);
  });

  it("lists every field as a safe addition, attributes as whole entries", () => {
    const type = typePlan(planOne(define({ description: "Who attended" }), undefined));
    expect(type.changes.map((c) => [c.path, c.kind, c.after, c.risk])).toStrictEqual([
      ["name", "add", "Webinar Attended", "safe"],
      ["triggerName", "add", "Attends Webinar", "safe"],
      ["filterName", "add", "Attended Webinar", "safe"],
      ["description", "add", "Who attended", "safe"],
      ["primaryAttribute.apiName", "add", "webinarName", "safe"],
      ["primaryAttribute.name", "add", "Webinar Name", "safe"],
      ["primaryAttribute.dataType", "add", "string", "safe"],
      ["attributes.minutesWatched", "add", "Minutes Watched (integer)", "safe"],
      ["attributes.platform", "add", "Platform (string)", "safe"],
    ]);
  });

  it("creates steps that build exactly the declared type in Marketo (the emulator)", async () => {
    const desired = define({ description: "Who attended" });
    const applied = await applyOnEmulator(planOne(desired, undefined), []);
    expect(applied.error).toBeUndefined();
    expect(applied.version()).toStrictEqual(versionOf(desired));
    expect(typePlan(applied.again).action).toBe("noop");
  });
});

/**
 * One row per kind of edit to the published webinar type (primary webinarName; minutesWatched and
 * platform), with the calls apply makes (approve left out) and each change's risk on a published
 * type (decision 9).
 */
interface UpdateRow {
  readonly name: string;
  readonly base?: ActivityTypeDefinition;
  readonly desired: ActivityTypeDefinition;
  readonly writes: readonly Step[];
  readonly changes: readonly (readonly [string, FieldChange["kind"], FieldChange["risk"]])[];
  /** The primary attribute moves: Marketo allows it only before the first publish. */
  readonly movesPrimary?: true;
}

const demoteWebinarName: Step = {
  operation: "updateCustomActivityTypeAttributes",
  attributes: [{ apiName: "webinarName", name: "Webinar Name", isPrimary: false }],
};

const updateRows: readonly UpdateRow[] = [
  {
    name: "a description added to the type",
    desired: define({ description: "Who attended which webinar" }),
    writes: [
      { operation: "updateCustomActivityType", request: { description: "Who attended which webinar" } },
    ],
    changes: [["description", "add", "safe"]],
  },
  {
    name: "the type's description changed",
    base: define({ description: "Old text" }),
    desired: define({ description: "New text" }),
    writes: [{ operation: "updateCustomActivityType", request: { description: "New text" } }],
    changes: [["description", "change", "safe"]],
  },
  {
    name: "the type's description removed",
    base: define({ description: "Old text" }),
    desired: define(),
    writes: [{ operation: "updateCustomActivityType", request: { description: "" } }],
    changes: [["description", "remove", "safe"]],
  },
  {
    name: "an attribute added",
    desired: define({ attributes: [minutesWatched, platform, registered] }),
    writes: [{ operation: "createCustomActivityTypeAttributes", attributes: [req(registered)] }],
    changes: [["attributes.registered", "add", "safe"]],
  },
  {
    name: "an attribute's display name changed",
    desired: define({ attributes: [{ ...minutesWatched, name: "Watch Time" }, platform] }),
    writes: [
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [req({ ...minutesWatched, name: "Watch Time" })],
      },
    ],
    changes: [["attributes.minutesWatched.name", "change", "safe"]],
  },
  {
    name: "an attribute's description added",
    desired: define({ attributes: [{ ...minutesWatched, description: "Whole minutes" }, platform] }),
    writes: [
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [req({ ...minutesWatched, description: "Whole minutes" })],
      },
    ],
    changes: [["attributes.minutesWatched.description", "add", "safe"]],
  },
  {
    name: "an attribute removed",
    desired: define({ attributes: [minutesWatched] }),
    writes: [{ operation: "deleteCustomActivityTypeAttributes", apiNames: ["platform"] }],
    changes: [["attributes.platform", "remove", "destructive"]],
  },
  {
    name: "an attribute's dataType changed",
    desired: define({ attributes: [minutesWatched, { ...platform, dataType: "text" }] }),
    writes: [
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [req({ ...platform, dataType: "text" })],
      },
    ],
    changes: [["attributes.platform.dataType", "change", "destructive"]],
  },
  {
    name: "an attribute's apiName renamed (a delete plus an add)",
    desired: define({ attributes: [minutesWatched, { ...platform, apiName: "channel" }] }),
    // Deletes run first, so a type at the 20-attribute limit can swap attributes.
    writes: [
      { operation: "deleteCustomActivityTypeAttributes", apiNames: ["platform"] },
      {
        operation: "createCustomActivityTypeAttributes",
        attributes: [req({ ...platform, apiName: "channel" })],
      },
    ],
    changes: [
      ["attributes.channel", "add", "safe"],
      ["attributes.platform", "remove", "destructive"],
    ],
  },
  {
    name: "the type's display name renamed",
    desired: define({ name: "Webinar Joined" }),
    writes: [{ operation: "updateCustomActivityType", request: { name: "Webinar Joined" } }],
    changes: [["name", "change", "risky"]],
  },
  {
    name: "the trigger name renamed",
    desired: define({ triggerName: "Joins Webinar" }),
    writes: [{ operation: "updateCustomActivityType", request: { triggerName: "Joins Webinar" } }],
    changes: [["triggerName", "change", "risky"]],
  },
  {
    name: "the filter name renamed",
    desired: define({ filterName: "Joined Webinar" }),
    writes: [{ operation: "updateCustomActivityType", request: { filterName: "Joined Webinar" } }],
    changes: [["filterName", "change", "risky"]],
  },
  {
    name: "the primary attribute's display name renamed",
    desired: define({ primaryAttribute: { ...primary, name: "Webinar Title" } }),
    writes: [
      {
        operation: "updateCustomActivityType",
        request: { primaryAttribute: primaryReq({ ...primary, name: "Webinar Title" }) },
      },
    ],
    changes: [["primaryAttribute.name", "change", "risky"]],
  },
  {
    name: "the primary attribute's dataType changed",
    desired: define({ primaryAttribute: { ...primary, dataType: "text" } }),
    writes: [
      {
        operation: "updateCustomActivityType",
        request: { primaryAttribute: primaryReq({ ...primary, dataType: "text" }) },
      },
    ],
    changes: [["primaryAttribute.dataType", "change", "destructive"]],
  },
  {
    name: "the primary attribute's description added",
    desired: define({ primaryAttribute: { ...primary, description: "The title" } }),
    writes: [
      {
        operation: "updateCustomActivityType",
        request: { primaryAttribute: primaryReq({ ...primary, description: "The title" }) },
      },
    ],
    changes: [["primaryAttribute.description", "add", "safe"]],
  },
  {
    name: "the type fields renamed and described together (still one updateType)",
    desired: define({ name: "Webinar Joined", triggerName: "Joins Webinar", description: "New" }),
    writes: [
      {
        operation: "updateCustomActivityType",
        request: { name: "Webinar Joined", triggerName: "Joins Webinar", description: "New" },
      },
    ],
    changes: [
      ["name", "change", "risky"],
      ["triggerName", "change", "risky"],
      ["description", "add", "safe"],
    ],
  },
  {
    name: "six attributes at once: two added, two renamed, two removed (one call per kind)",
    base: define({ attributes: [minutesWatched, platform, region, score] }),
    desired: define({
      attributes: [
        { ...minutesWatched, name: "Watch Time" },
        { ...region, name: "Sales Region" },
        registered,
        sessionId,
      ],
    }),
    writes: [
      { operation: "deleteCustomActivityTypeAttributes", apiNames: ["platform", "score"] },
      { operation: "createCustomActivityTypeAttributes", attributes: [req(registered), req(sessionId)] },
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [
          req({ ...minutesWatched, name: "Watch Time" }),
          req({ ...region, name: "Sales Region" }),
        ],
      },
    ],
    changes: [
      ["attributes.minutesWatched.name", "change", "safe"],
      ["attributes.platform", "remove", "destructive"],
      ["attributes.region.name", "change", "safe"],
      ["attributes.registered", "add", "safe"],
      ["attributes.score", "remove", "destructive"],
      ["attributes.sessionId", "add", "safe"],
    ],
  },
  {
    name: "a secondary promoted to primary, the old primary kept as a secondary",
    movesPrimary: true,
    desired: define({ primaryAttribute: platform, attributes: [minutesWatched, oldPrimaryAsSecondary] }),
    writes: [
      demoteWebinarName,
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [{ ...req(platform), isPrimary: true }],
      },
    ],
    changes: [["primaryAttribute.apiName", "change", "destructive"]],
  },
  {
    name: "a secondary promoted to primary, the old primary deleted",
    movesPrimary: true,
    desired: define({ primaryAttribute: platform, attributes: [minutesWatched] }),
    writes: [
      demoteWebinarName,
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [{ ...req(platform), isPrimary: true }],
      },
      { operation: "deleteCustomActivityTypeAttributes", apiNames: ["webinarName"] },
    ],
    changes: [
      ["primaryAttribute.apiName", "change", "destructive"],
      ["attributes.webinarName", "remove", "destructive"],
    ],
  },
  {
    name: "a new attribute made primary (created first), the old primary kept as a secondary",
    movesPrimary: true,
    desired: define({
      primaryAttribute: sessionTitle,
      attributes: [minutesWatched, platform, oldPrimaryAsSecondary],
    }),
    writes: [
      { operation: "createCustomActivityTypeAttributes", attributes: [req(sessionTitle)] },
      demoteWebinarName,
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [{ ...req(sessionTitle), isPrimary: true }],
      },
    ],
    changes: [
      ["primaryAttribute.apiName", "change", "destructive"],
      ["primaryAttribute.name", "add", "risky"],
      ["primaryAttribute.dataType", "add", "destructive"],
    ],
  },
  {
    name: "a new attribute made primary (created first), the old primary deleted",
    movesPrimary: true,
    desired: define({ primaryAttribute: sessionTitle, attributes: [minutesWatched, platform] }),
    writes: [
      { operation: "createCustomActivityTypeAttributes", attributes: [req(sessionTitle)] },
      demoteWebinarName,
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [{ ...req(sessionTitle), isPrimary: true }],
      },
      { operation: "deleteCustomActivityTypeAttributes", apiNames: ["webinarName"] },
    ],
    changes: [
      ["primaryAttribute.apiName", "change", "destructive"],
      ["primaryAttribute.name", "add", "risky"],
      ["primaryAttribute.dataType", "add", "destructive"],
      ["attributes.webinarName", "remove", "destructive"],
    ],
  },
  {
    name: "primary swapped and the old primary renamed as it becomes a secondary (one promote+update call)",
    movesPrimary: true,
    desired: define({
      primaryAttribute: platform,
      attributes: [minutesWatched, { ...oldPrimaryAsSecondary, name: "Webinar Title" }],
    }),
    writes: [
      demoteWebinarName,
      {
        operation: "updateCustomActivityTypeAttributes",
        attributes: [
          { ...req(platform), isPrimary: true },
          req({ ...oldPrimaryAsSecondary, name: "Webinar Title" }),
        ],
      },
    ],
    changes: [
      ["primaryAttribute.apiName", "change", "destructive"],
      ["attributes.webinarName.name", "change", "safe"],
    ],
  },
];

const RISK_RANK = { safe: 0, risky: 1, destructive: 2 } as const;
const highestOf = (row: UpdateRow) =>
  row.changes.reduce<FieldChange["risk"]>((a, [, , r]) => (RISK_RANK[r] > RISK_RANK[a] ? r : a), "safe");

/** Decision 11: at most one call of each kind; a primary change adds only the one demote call. */
function expectMinimalCalls(steps: readonly Step[]) {
  const count = (op: Step["operation"]) => steps.filter((s) => s.operation === op).length;
  for (const op of [
    "updateCustomActivityType",
    "createCustomActivityTypeAttributes",
    "deleteCustomActivityTypeAttributes",
    "approveCustomActivityType",
    "discardCustomActivityTypeDraft",
  ] as const)
    expect(count(op), op).toBeLessThanOrEqual(1);
  const updates = steps.filter((s) => s.operation === "updateCustomActivityTypeAttributes");
  const demotes = updates.filter((s) => s.attributes.length === 1 && s.attributes[0]!.isPrimary === false);
  expect(updates.length - demotes.length, "updateAttributes besides the demote").toBeLessThanOrEqual(1);
  expect(demotes.length, "demotes").toBeLessThanOrEqual(1);
}

/** The rows Marketo allows on a published type: every one but a primary change. */
const publishedRows = updateRows.filter((row) => row.movesPrimary !== true);

describe("diff: update of a published type (steps and risk classes)", () => {
  it.each(publishedRows)("$name: steps, changes and risk", (row) => {
    const type = typePlan(planOne(row.desired, approved(row.base ?? define())));
    expect(type.action).toBe("update");
    expect(type.steps).toStrictEqual([...row.writes, APPROVE]);
    expect(summary(type.changes)).toStrictEqual(row.changes);
    expect(type.risk).toBe(highestOf(row));
    expect(type.destructiveNotAllowed).toBe(highestOf(row) === "destructive" ? true : undefined);
    expect(type.draft).toBe("none");
    expect(type.conflict).toBeUndefined();
  });

  it.each(updateRows)("$name: at most one call per kind (decision 11)", (row) => {
    expectMinimalCalls(typePlan(planOne(row.desired, draftOnly(row.base ?? define()))).steps);
  });

  it.each(publishedRows)(
    "$name: applied in Marketo (the emulator), the steps give exactly the declared type",
    async (row) => {
      const live = approved(row.base ?? define());
      const applied = await applyOnEmulator(planOne(row.desired, live), [live]);
      expect(applied.error).toBeUndefined();
      expect(applied.version()).toStrictEqual(versionOf(row.desired));
      expect(typePlan(applied.again).action).toBe("noop");
    },
  );

  it.each(publishedRows.filter((row) => highestOf(row) === "destructive"))(
    "$name: allowed by allowDestructiveChanges: true (still destructive, not refused)",
    (row) => {
      const plan = planOne({ ...row.desired, allowDestructiveChanges: true }, approved(row.base ?? define()));
      const type = typePlan(plan);
      expect(type.risk).toBe("destructive");
      expect(type.destructiveNotAllowed).toBeUndefined();
      expect(refusals(plan)).toStrictEqual([]);
    },
  );

  it.each(updateRows.filter((row) => row.movesPrimary === true))(
    "$name: refused at plan, whatever the flags: Marketo allows a primary change only before the first publish",
    async (row) => {
      const live = approved(row.base ?? define());
      const plan = planOne({ ...row.desired, allowDestructiveChanges: true }, live);
      const type = typePlan(plan);
      expect(type.forbidden).toMatch(
        /^the primary attribute would change from webinarName to \w+, and Marketo allows that only while a type has never been published; keep webinarName as the primary attribute, or retire this type \(RetiredActivityType\) and declare a new one under a new apiName/,
      );
      const reasons = refusals(plan, { allowDestructive: true, discardForeignDrafts: true });
      expect(reasons).toStrictEqual([`webinarAttended: ${type.forbidden}`]);
      // Nothing is written: apply refuses before its first call.
      const { client } = await emulatorWith([live]);
      const opts = { allowDestructive: true, discardForeignDrafts: true };
      await expect(applyPlan(plan, client, opts)).rejects.toBeInstanceOf(ApplyRefusedError);
      expect(client.usage().total).toBe(0);
    },
  );

  it.each(publishedRows.filter((row) => highestOf(row) !== "destructive"))(
    "$name: never needs permission",
    (row) => {
      const plan = planOne(row.desired, approved(row.base ?? define()));
      expect(refusals(plan)).toStrictEqual([]);
    },
  );

  it("says why a change is risky or destructive, in a reviewer's words", () => {
    const type = typePlan(
      planOne(define({ name: "Webinar Joined", attributes: [minutesWatched] }), approved(define())),
    );
    expect(type.changes.map((c) => [c.path, c.note])).toStrictEqual([
      ["name", "Marketo may reject renaming a published type that is in use"],
      ["attributes.platform", "deletes the attribute; Marketo also removes it from smart list filters"],
    ]);
  });

  it("records before and after for a field change", () => {
    const type = typePlan(planOne(define({ name: "Webinar Joined" }), approved(define())));
    expect(type.changes).toStrictEqual([
      {
        path: "name",
        kind: "change",
        before: "Webinar Attended",
        after: "Webinar Joined",
        risk: "risky",
        note: "Marketo may reject renaming a published type that is in use",
      },
    ]);
  });

  it("describes a removed attribute by display name and dataType", () => {
    const type = typePlan(planOne(define({ attributes: [minutesWatched] }), approved(define())));
    expect(type.changes[0]).toMatchObject({ before: "Platform (string)" });
    expect(type.changes[0]!.after).toBeUndefined();
  });

  it("leaves the edits as a draft with a note, and no approve step, when approve: false", () => {
    const type = typePlan(planOne(define({ description: "New" }), approved(define()), false));
    expect(ops(type)).toStrictEqual(["updateCustomActivityType"]);
    expect(type.action).toBe("update");
    expect(type.notes).toStrictEqual(["left as a draft for review in Marketo Admin (approve: false)"]);
  });

  it("fails when a type at the 20-attribute limit replaces an attribute: the draft must never hold 21 secondaries", async () => {
    // Regression: steps() creates new attributes before it deletes old ones, so replacing one of 20 attributes
    // (an attribute apiName rename is a delete plus an add, decision 9) makes the draft hold 21 secondary
    // attributes after the createAttributes call, which Marketo rejects with 1028 (docs/marketo-api.md 5.1; the
    // emulator checks it after every call; applyPlan against it fails at the createAttributes call with
    // "1028 Max field limit reached"). Deleting before creating keeps the draft within 20.
    // GIVEN a published type with 20 secondary attributes
    const twenty = Array.from({ length: 20 }, (_, i) => ({
      apiName: `a${i}`,
      name: `A ${i}`,
      dataType: "string" as const,
    }));
    const base = define({ attributes: twenty });
    // WHEN the code replaces a19 with b19
    const desired = define({
      attributes: [...twenty.slice(0, 19), { apiName: "b19", name: "B 19", dataType: "string" }],
      allowDestructiveChanges: true,
    });
    const live = approved(base);
    const type = typePlan(planOne(desired, live));
    // THEN applied in Marketo (the emulator, which refuses a 21st with 1028 after any call), the steps
    // end at the declared type
    const applied = await applyOnEmulator(planOne(desired, live), [live]);
    expect(applied.error).toBeUndefined();
    expect(applied.version()).toStrictEqual(versionOf(desired));
    expect(type.steps.map((s) => s.operation)).toStrictEqual([
      "deleteCustomActivityTypeAttributes",
      "createCustomActivityTypeAttributes",
      "approveCustomActivityType",
    ]);
  });
});

describe("diff: a never-published type (status draft): the same edits are safe", () => {
  it.each(updateRows)("$name: safe, same calls, no permission needed", (row) => {
    const plan = planOne(row.desired, draftOnly(row.base ?? define()));
    const type = typePlan(plan);
    expect(type.status).toBe("draft");
    expect(type.steps).toStrictEqual([...row.writes, APPROVE]);
    expect(summary(type.changes)).toStrictEqual(row.changes.map(([path, kind]) => [path, kind, "safe"]));
    expect(type.risk).toBe("safe");
    expect(type.destructiveNotAllowed).toBeUndefined();
    expect(type.changes.every((c) => c.note === undefined)).toBe(true);
  });
});

describe("diff: drafts (decision 8)", () => {
  const live = define();
  const desired = define({ name: "Webinar Joined", attributes: [minutesWatched, platform, registered] });

  it("treats a draft equal to the code as ours and only approves it", () => {
    const type = typePlan(planOne(desired, approvedWithDraft(live, desired)));
    expect(type.draft).toBe("ours");
    expect(type.action).toBe("approve");
    expect(type.steps).toStrictEqual([APPROVE]);
    // The changes shown are what approving publishes: live -> code.
    expect(summary(type.changes)).toStrictEqual([
      ["name", "change", "risky"],
      ["attributes.registered", "add", "safe"],
    ]);
    expect(type.conflict).toBeUndefined();
    expect(type.notes).toStrictEqual([
      "publishes the draft, which matches the code (left by an earlier apply, or made in Marketo Admin)",
    ]);
  });

  it("continues a half-finished apply: a draft mixing live and desired values is ours, and the base", async () => {
    // GIVEN an earlier apply renamed the type in the draft, then stopped before adding the attribute
    const halfDone = define({ name: "Webinar Joined" });
    const state = approvedWithDraft(live, halfDone);
    // WHEN planning again
    const type = typePlan(planOne(desired, state));
    // THEN only the rest is written, on top of the draft, then approved; the changes shown are
    // what approving publishes (live -> code)
    expect(type.draft).toBe("ours");
    expect(type.action).toBe("update");
    expect(type.steps).toStrictEqual([
      { operation: "createCustomActivityTypeAttributes", attributes: [req(registered)] },
      APPROVE,
    ]);
    expect(summary(type.changes)).toStrictEqual([
      ["name", "change", "risky"],
      ["attributes.registered", "add", "safe"],
    ]);
    const applied = await applyOnEmulator(planOne(desired, state), [state]);
    expect(applied.error).toBeUndefined();
    expect(applied.version()).toStrictEqual(versionOf(desired));
  });

  it("treats a draft equal to live as ours and plans every change on it", () => {
    const type = typePlan(planOne(desired, approvedWithDraft(live, live)));
    expect(type.draft).toBe("ours");
    expect(ops(type)).toStrictEqual([
      "updateCustomActivityType",
      "createCustomActivityTypeAttributes",
      "approveCustomActivityType",
    ]);
  });

  const foreignRows: {
    name: string;
    draft: ActivityTypeDefinition;
    fields: string;
  }[] = [
    { name: "a third display name", draft: define({ name: "Webinar Visited" }), fields: "name" },
    {
      name: "a third dataType of an attribute",
      draft: define({ attributes: [minutesWatched, { ...platform, dataType: "text" }] }),
      fields: "attributes.platform.dataType",
    },
    {
      name: "an attribute added in Admin",
      draft: define({ attributes: [minutesWatched, platform, region] }),
      fields: "attributes.region.dataType, attributes.region.name",
    },
    {
      name: "an attribute deleted in Admin that the code keeps",
      draft: define({ attributes: [minutesWatched] }),
      fields: "attributes.platform.dataType, attributes.platform.name",
    },
    {
      name: "a description written in Admin",
      draft: define({ description: "Typed in Admin" }),
      fields: "description",
    },
  ];

  it.each(foreignRows)(
    "treats a draft with $name as foreign: conflict naming the fields, discard first, then changes from live",
    async (row) => {
      const state = approvedWithDraft(live, row.draft);
      const plan = planOne(desired, state);
      const type = typePlan(plan);
      expect(type.draft).toBe("foreign");
      // Each foreign field is named with the draft's value, so a reviewer sees what would be lost.
      for (const field of row.fields.split(", ")) expect(type.conflict).toContain(`${field} = `);
      expect(type.conflict).toContain(
        "Fold their change into the code, or discard the draft with --discard-foreign-drafts",
      );
      expect(type.steps[0]).toStrictEqual({ operation: "discardCustomActivityTypeDraft" });
      // Computed from live: the same calls as with no draft at all.
      expect(type.steps.slice(1)).toStrictEqual(typePlan(planOne(desired, approved(live))).steps);
      expect(type.changes).toStrictEqual(typePlan(planOne(desired, approved(live))).changes);
      const applied = await applyOnEmulator(plan, [state]);
      expect(applied.error).toBeUndefined();
      expect(applied.version()).toStrictEqual(versionOf(desired));
    },
  );

  it("compares with live, not with the foreign draft, when it shows before -> after", () => {
    const type = typePlan(planOne(desired, approvedWithDraft(live, define({ name: "Webinar Visited" }))));
    expect(type.changes.find((c) => c.path === "name")).toMatchObject({
      before: "Webinar Attended",
      after: "Webinar Joined",
    });
  });

  it("only discards a foreign draft when the code equals live", () => {
    const type = typePlan(planOne(live, approvedWithDraft(live, define({ name: "Webinar Visited" }))));
    expect(type.draft).toBe("foreign");
    expect(type.steps).toStrictEqual([{ operation: "discardCustomActivityTypeDraft" }]);
    expect(type.action).toBe("update");
    expect(type.changes).toStrictEqual([]);
  });

  it("overwrites a foreign draft of a never-published type: no discardDraft (nothing to fall back to)", async () => {
    const state = draftOnly(define({ name: "Webinar Visited" }));
    const type = typePlan(planOne(live, state));
    expect(type.draft).toBe("foreign");
    expect(type.conflict).toContain("(name = ");
    expect(type.conflict).toContain("or overwrite the draft with --discard-foreign-drafts");
    expect(type.steps).toStrictEqual([
      { operation: "updateCustomActivityType", request: { name: "Webinar Attended" } },
      APPROVE,
    ]);
    const applied = await applyOnEmulator(planOne(live, state), [state]);
    expect(applied.error).toBeUndefined();
    expect(applied.version()).toStrictEqual(versionOf(live));
  });

  it("classes a never-published draft holding an earlier version of the code as foreign (decision 8 cannot tell)", () => {
    // NOTE: pins the literal rule of decision 8. With approve: false, an earlier apply leaves the old
    // definition as a draft; once the code changes, that draft matches neither live (none) nor desired,
    // so it is a conflict that needs --discard-foreign-drafts. Additions alone stay "ours".
    expect(typePlan(planOne(define({ name: "Webinar Joined" }), draftOnly(live))).draft).toBe("foreign");
    expect(typePlan(planOne(define({ description: "Added" }), draftOnly(live))).draft).toBe("ours");
  });

  it("lists a conflict in refusals unless --discard-foreign-drafts", () => {
    const plan = planOne(desired, approvedWithDraft(live, define({ name: "Webinar Visited" })));
    const reasons = refusals(plan);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^webinarAttended: the draft in Marketo has edits that are neither live nor/);
    expect(refusals(plan, { discardForeignDrafts: true })).toStrictEqual([]);
    expect(refusals(plan, { allowDestructive: true })).toHaveLength(1);
  });

  it("keeps a draft of ours unpublished with approve: false: nothing to do, with a note", () => {
    const type = typePlan(planOne(desired, approvedWithDraft(live, desired), false));
    expect(type.action).toBe("noop");
    expect(type.steps).toStrictEqual([]);
    expect(type.notes).toStrictEqual(["left as a draft for review in Marketo Admin (approve: false)"]);
  });

  it("fails when approve: false and apply only discards a foreign draft, yet the note says a draft is left for review", () => {
    // Regression: planUpdate adds "left as a draft for review" whenever approve is false and a draft exists.
    // Here the code equals live and the only step discards the foreign draft, so after apply there is
    // no draft at all: the note tells the reviewer something false. Expected notes: [].
    const type = typePlan(planOne(live, approvedWithDraft(live, define({ name: "Webinar Visited" })), false));
    expect(type.steps).toStrictEqual([{ operation: "discardCustomActivityTypeDraft" }]);
    expect(type.notes).toStrictEqual([]);
  });

  it("fails when approving a draft of ours would publish a destructive change the definition does not allow", () => {
    // Regression: an earlier apply run with --allow-destructive deleted `platform` in the draft and stopped
    // before approve (or someone deleted it in Admin, as the code also does). The draft is "ours",
    // risk is computed against the draft only, so the plan says approve-only, risk "safe", no
    // destructiveNotAllowed: apply then publishes the deletion of a live attribute without
    // allowDestructiveChanges or --allow-destructive (decision 9). Expected: the risk of what approve
    // publishes (draft vs live) counts, so risk "destructive", destructiveNotAllowed true, refused.
    const withoutPlatform = define({ attributes: [minutesWatched] });
    const plan = planOne(withoutPlatform, approvedWithDraft(live, withoutPlatform));
    const type = typePlan(plan);
    expect(type.action).toBe("approve");
    expect(type.risk).toBe("destructive");
    expect(type.destructiveNotAllowed).toBe(true);
    expect(refusals(plan)).toHaveLength(1);
  });
});

describe("diff: unmanaged types (decision 7)", () => {
  const state = liveState(
    [approved(define())],
    [
      listedOnly("legacyDownload", "approved", "Legacy Download"),
      listedOnly("adminDraft", "draft", "Admin Draft"),
      listedOnly("editedInAdmin", "approved with draft"),
      listedOnly("longGone", "deleted", "Long Gone"),
      listedOnly("oldSignup", "approved", "Old Signup"),
    ],
  );
  const plan = diff(manifest({ types: [define()], retired: ["oldSignup"] }), state, endpoint);

  it("lists types no code declares or retires, sorted, with name and status; deleted ones left out", () => {
    expect(plan.unmanaged).toStrictEqual([
      { apiName: "adminDraft", name: "Admin Draft", status: "draft" },
      { apiName: "editedInAdmin", status: "approved with draft" },
      { apiName: "legacyDownload", name: "Legacy Download", status: "approved" },
    ]);
  });

  it("never plans them and no step names them", () => {
    expect(plan.types.map((t) => t.apiName)).toStrictEqual(["oldSignup", "webinarAttended"]);
    const steps = JSON.stringify(plan.types.map((t) => t.steps));
    for (const apiName of ["legacyDownload", "adminDraft", "editedInAdmin", "longGone"])
      expect(steps).not.toContain(apiName);
  });

  it("counts them toward the limit", () => {
    // webinarAttended, oldSignup and three unmanaged; the deleted one does not count.
    expect(plan.limits).toMatchObject({ current: 5, afterApply: 4, ok: true });
  });
});

describe("diff: the subscription's type limit", () => {
  const unmanaged = (n: number) => Array.from({ length: n }, (_, i) => listedOnly(`other${i}`));
  const three = [minimal("alpha"), minimal("bravo"), minimal("charlie")];

  const rows: {
    name: string;
    max: number;
    types: ActivityTypeDefinition[];
    retired?: string[];
    others: LiveType[];
    current: number;
    afterApply: number;
    ok: boolean;
  }[] = [
    {
      name: "three creates in an empty instance",
      max: 10,
      types: three,
      others: [],
      current: 0,
      afterApply: 3,
      ok: true,
    },
    {
      name: "creates that reach the limit exactly",
      max: 10,
      types: three,
      others: unmanaged(7),
      current: 7,
      afterApply: 10,
      ok: true,
    },
    {
      name: "fails when creates go over the limit because of unmanaged types",
      max: 10,
      types: three,
      others: unmanaged(8),
      current: 8,
      afterApply: 11,
      ok: false,
    },
    {
      name: "a tombstone makes room for a create",
      max: 10,
      types: [minimal("alpha")],
      retired: ["other0"],
      others: unmanaged(10),
      current: 10,
      afterApply: 10,
      ok: true,
    },
    {
      name: "already over the limit, but nothing is created",
      max: 10,
      types: [],
      retired: ["other0"],
      others: unmanaged(12),
      current: 12,
      afterApply: 11,
      ok: true,
    },
    {
      name: "deleted types do not count",
      max: 2,
      types: three.slice(0, 2),
      others: [listedOnly("gone1", "deleted"), listedOnly("gone2", "deleted")],
      current: 0,
      afterApply: 2,
      ok: true,
    },
    {
      name: "a lower maxActivityTypes from the instance",
      max: 2,
      types: three,
      others: [],
      current: 0,
      afterApply: 3,
      ok: false,
    },
  ];

  it.each(rows)("$name", (row) => {
    const plan = diff(
      manifest({ types: row.types, retired: row.retired ?? [], instance: { maxActivityTypes: row.max } }),
      liveState([], row.others),
      endpoint,
    );
    expect(plan.limits).toStrictEqual({
      maxActivityTypes: row.max,
      current: row.current,
      afterApply: row.afterApply,
      ok: row.ok,
    });
    const limitReasons = refusals(plan, { allowDestructive: true, discardForeignDrafts: true });
    if (row.ok) expect(limitReasons).toStrictEqual([]);
    else
      expect(limitReasons).toStrictEqual([
        `the instance would have ${row.afterApply} custom activity types, over the limit of ${row.max} (unmanaged types count too); retire types or raise maxActivityTypes if your subscription allows more`,
      ]);
  });

  it("counts an existing declared type once, and an update does not change the count", () => {
    const plan = planOne(define({ name: "Webinar Joined" }), approved(define()));
    expect(plan.limits).toMatchObject({ current: 1, afterApply: 1, ok: true });
  });
});

describe("diff: --only", () => {
  const m = manifest({ types: [define(), signup(), minimal("alpha")], retired: ["oldSignup"] });
  const state = liveState(
    [approved(define({ name: "Webinar Joined" }))],
    [listedOnly("oldSignup"), listedOnly("legacy")],
  );

  it("plans only the named types and records them sorted", () => {
    const plan = diff(m, state, { endpoint: ENDPOINT, only: ["webinarAttended", "alpha"] });
    expect(plan.types.map((t) => t.apiName)).toStrictEqual(["alpha", "webinarAttended"]);
    expect(plan.only).toStrictEqual(["alpha", "webinarAttended"]);
  });

  it("still computes unmanaged from the whole manifest", () => {
    const plan = diff(m, state, { endpoint: ENDPOINT, only: ["webinarAttended"] });
    // newsletterSignup and alpha are declared, oldSignup retired: none of them is unmanaged.
    expect(plan.unmanaged.map((u) => u.apiName)).toStrictEqual(["legacy"]);
  });

  it("plans a tombstone only when named, and counts only the planned creates and deletes", () => {
    const onlyTombstone = diff(m, state, { endpoint: ENDPOINT, only: ["oldSignup"] });
    expect(onlyTombstone.types.map((t) => [t.apiName, t.action])).toStrictEqual([["oldSignup", "delete"]]);
    expect(onlyTombstone.limits).toMatchObject({ current: 3, afterApply: 2 });
    const onlyCreate = diff(m, state, { endpoint: ENDPOINT, only: ["alpha"] });
    expect(onlyCreate.limits).toMatchObject({ current: 3, afterApply: 4 });
  });

  it("records no `only` key without the option", () => {
    expect("only" in diff(m, state, endpoint)).toBe(false);
  });
});

describe("diff: determinism and the plan's envelope", () => {
  // GIVEN an instance with one of each kind of type
  const alphaOurs: ActivityTypeDefinition = { ...minimal("alpha"), description: "Ours" };
  const described: LiveType[] = [
    approved(define()), // update
    approvedWithDraft(minimal("alpha"), alphaOurs), // approve a draft of ours
    draftOnly(minimal("mike")), // approve a never-published draft
  ];
  const others = [
    listedOnly("oldSignup"), // tombstone: delete
    listedOnly("legacyB", "approved"), // unmanaged
    listedOnly("legacyA", "draft"), // unmanaged
    listedOnly("gone", "deleted"),
  ];
  const m = manifest({
    types: [define({ name: "Webinar Joined" }), signup(), alphaOurs, minimal("zulu"), minimal("mike")],
    retired: ["oldSignup", "neverExisted"],
  });
  const state = liveState(described, others);

  it("gives an identical plan for any order of the listed and described types", () => {
    const reference = diff(m, state, endpoint);
    for (const seed of [1, 7, 42, 1234]) {
      const reordered = {
        ...state,
        listed: shuffled(state.listed, seed),
        described: shuffled(state.described, seed + 1),
      };
      expect(diff(m, reordered, endpoint)).toStrictEqual(reference);
    }
  });

  it("gives an identical plan for any order of the definitions passed to buildManifest", () => {
    const reference = diff(m, state, endpoint);
    const again = manifest({ types: shuffled(m.types, 3), retired: shuffled(m.retired, 5) });
    expect(diff(again, state, endpoint)).toStrictEqual(reference);
  });

  it("sorts types by apiName", () => {
    const names = diff(m, state, endpoint).types.map((t) => t.apiName);
    expect(names).toStrictEqual([...names].sort());
    expect(names).toStrictEqual([
      "alpha",
      "mike",
      "neverExisted",
      "newsletterSignup",
      "oldSignup",
      "webinarAttended",
      "zulu",
    ]);
  });

  it("records the format version, the instance settings and the endpoint", () => {
    const plan = diff(m, state, endpoint);
    expect(plan.formatVersion).toBe(2);
    expect(plan.instance).toStrictEqual({
      id: "prod",
      envPrefix: "MARKETO",
      maxActivityTypes: 10,
      approve: true,
      endpoint: ENDPOINT,
    });
    expect(plan.fingerprint).toBe(fingerprint(state));
  });

  it("counts the apply calls as the total of all steps, and passes the read calls through", () => {
    const plan = diff(m, { ...state, calls: 17 }, endpoint);
    expect(plan.calls.read).toBe(17);
    expect(plan.calls.apply).toBe(plan.types.reduce((n, t) => n + t.steps.length, 0));
    expect(plan.calls.apply).toBeGreaterThan(0);
  });

  it("needs no apply calls when nothing changes", () => {
    const plan = planOne(define(), approved(define()));
    expect(plan.calls).toStrictEqual({ read: 2, apply: 0 });
  });
});

describe("diff: versions read from Marketo in the documentation's shapes", () => {
  it("fails when a described primary attribute without dataType blocks an apply that has nothing to do", () => {
    // Regression: toVersion keeps a missing dataType missing (the wire schema allows it; Marketo's default is
    // string). steps() treats a missing dataType as "string" and plans nothing, but compare() reports
    // `primaryAttribute.dataType` as an added, destructive change. The result is a noop type with
    // risk "destructive" and destructiveNotAllowed, so refusals() blocks an apply with zero steps.
    // Expected: no change (risk safe, no destructiveNotAllowed, no refusal), consistent with steps().
    const live = toVersion({
      apiName: "webinarAttended",
      name: "Webinar Attended",
      triggerName: "Attends Webinar",
      filterName: "Attended Webinar",
      primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
      attributes: [minutesWatched, platform],
    });
    const plan = planOne(define(), approved(live, "webinarAttended"));
    const type = typePlan(plan);
    expect(type.steps).toStrictEqual([]);
    expect(type.action).toBe("noop");
    expect(type.changes).toStrictEqual([]);
    expect(type.risk).toBe("safe");
    expect(type.destructiveNotAllowed).toBeUndefined();
    expect(refusals(plan)).toStrictEqual([]);
  });

  it("treats an empty description read from Marketo as no description", () => {
    const live = toVersion({
      ...versionOf(define()),
      description: "",
      primaryAttribute: { ...primary, description: "" },
      attributes: [{ ...minutesWatched, description: "" }, platform],
    });
    expect(typePlan(planOne(define(), approved(live, "webinarAttended"))).action).toBe("noop");
  });

  it("plans a name for attributes Marketo returned without one", () => {
    const live = toVersion({
      ...versionOf(define()),
      primaryAttribute: { ...primary },
      attributes: [{ apiName: "minutesWatched", dataType: "integer" }, platform],
    });
    const type = typePlan(planOne(define(), approved(live, "webinarAttended")));
    expect(type.steps).toStrictEqual([
      { operation: "updateCustomActivityTypeAttributes", attributes: [req(minutesWatched)] },
      APPROVE,
    ]);
    expect(summary(type.changes)).toStrictEqual([["attributes.minutesWatched.name", "add", "safe"]]);
  });
});

describe("refusals", () => {
  const destructive = planOne(define({ attributes: [minutesWatched] }), approved(define()));
  const conflict = planOne(define(), approvedWithDraft(define(), define({ name: "Webinar Visited" })));

  const rows = [
    { name: "a destructive change without permission", plan: destructive, options: {}, count: 1 },
    {
      name: "a destructive change with --allow-destructive",
      plan: destructive,
      options: { allowDestructive: true },
      count: 0,
    },
    {
      name: "a destructive change with only --discard-foreign-drafts",
      plan: destructive,
      options: { discardForeignDrafts: true },
      count: 1,
    },
    { name: "a foreign draft", plan: conflict, options: {}, count: 1 },
    {
      name: "a foreign draft with --discard-foreign-drafts",
      plan: conflict,
      options: { discardForeignDrafts: true },
      count: 0,
    },
    {
      name: "a safe change",
      plan: planOne(define({ description: "x" }), approved(define())),
      options: {},
      count: 0,
    },
    {
      name: "a risky rename",
      plan: planOne(define({ name: "Webinar Joined" }), approved(define())),
      options: {},
      count: 0,
    },
  ];

  it.each(rows)("$name: $count reason(s)", (row) => {
    expect(refusals(row.plan, row.options)).toHaveLength(row.count);
  });

  it("names the type, the destructive paths and both ways to allow them", () => {
    expect(refusals(destructive)).toStrictEqual([
      "webinarAttended: destructive changes (attributes.platform) are not allowed; set allowDestructiveChanges: true on the type (reviewed in the pull request) or pass --allow-destructive",
    ]);
  });

  it("lists every reason at once: destructive, conflict and limit", () => {
    const plan = diff(
      manifest({
        types: [define({ attributes: [minutesWatched] }), signup(), minimal("alpha")],
        instance: { maxActivityTypes: 2 },
      }),
      liveState([approved(define()), approvedWithDraft(signup(), signup({ name: "Signup Edited" }))]),
      endpoint,
    );
    const reasons = refusals(plan);
    expect(reasons).toHaveLength(3);
    // Types in plan order (sorted by apiName), then the limit.
    expect(reasons[0]).toContain("newsletterSignup: the draft in Marketo");
    expect(reasons[1]).toContain("webinarAttended: destructive changes");
    expect(reasons[2]).toContain("over the limit of 2");
  });
});

describe("applyOnEmulator (the test helper that checks steps in Marketo, as the emulator keeps its rules)", () => {
  // The update tables lean on it; these show that steps Marketo rejects fail there.
  const live = approved(define());
  const rows: { name: string; steps: Step[]; error: RegExp; base?: LiveType }[] = [
    {
      name: "a promote before the old primary is demoted",
      steps: [
        {
          operation: "updateCustomActivityTypeAttributes",
          attributes: [{ ...req(platform), isPrimary: true }],
        },
      ],
      error: /709 .*already has primary attribute 'webinarName'/,
    },
    {
      name: "deleting the primary attribute",
      steps: [{ operation: "deleteCustomActivityTypeAttributes", apiNames: ["webinarName"] }],
      error: /709 .*'webinarName' is the primary attribute/,
    },
    {
      name: "creating an attribute that exists",
      steps: [{ operation: "createCustomActivityTypeAttributes", attributes: [req(platform)] }],
      error: /1017 .*already has an attribute 'platform'/,
    },
    {
      name: "updating an attribute that does not exist",
      steps: [{ operation: "updateCustomActivityTypeAttributes", attributes: [req(registered)] }],
      error: /1006 Field 'registered' not found/,
    },
    {
      name: "approving a draft without a primary (apply's own check stops it first: decision 15)",
      // Never published: Marketo lets the primary be demoted only then (docs/marketo-api.md 5.2).
      base: draftOnly(define()),
      steps: [demoteWebinarName, APPROVE],
      error:
        /the draft in Marketo holds changes this apply did not make \(.*primaryAttribute\.apiName = \(none\).*\), so it was not published/,
    },
  ];

  it.each(rows)("fails when $name", async (row) => {
    const base = row.base ?? live;
    expect((await applyOnEmulator(planOfSteps(base, row.steps), [base])).error?.message).toMatch(row.error);
  });

  it("goes on from what Marketo holds when a create is refused because the type exists (two describes, no error)", async () => {
    const create = typePlan(planOne(define(), undefined)).steps[0]!;
    const applied = await applyOnEmulator(planOfSteps(live, [create]), [live]);
    expect(applied.error).toBeUndefined();
    expect(applied.version()).toStrictEqual(versionOf(define()));
  });

  it("fails when a step leaves 21 secondary attributes", async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => ({
      apiName: `a${i}`,
      name: `A ${i}`,
      dataType: "string" as const,
    }));
    const full = approved(define({ attributes: twenty }));
    const applied = await applyOnEmulator(
      planOfSteps(full, [{ operation: "createCustomActivityTypeAttributes", attributes: [req(registered)] }]),
      [full],
    );
    expect(applied.error?.message).toMatch(/1028/);
  });

  it("fails when the emulator does not hold the state the plan was made from", async () => {
    const plan = planOne(define({ name: "Webinar Joined" }), approved(define()));
    await expect(
      applyOnEmulator(plan, [approved(define({ description: "Edited in Admin" }))]),
    ).rejects.toThrow("the emulator holds the live state the plan was made from");
  });
});

describe("diff: Marketo answers that omit a secondary attribute's dataType", () => {
  it("reads it as string, Marketo's default: no change, nothing to refuse", () => {
    // GIVEN Marketo describes an attribute without dataType (the docs' examples omit fields)
    const state = {
      listed: [{ apiName: "webinarAttended", status: "approved" }],
      described: [
        {
          apiName: "webinarAttended",
          status: "approved",
          live: toVersion({
            apiName: "webinarAttended",
            name: "Webinar Attended",
            triggerName: "Attends Webinar",
            filterName: "Attended Webinar",
            primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
            attributes: [{ apiName: "platform", name: "Platform" }],
          }),
        },
      ],
      calls: 2,
    };
    const desired = define({ attributes: [{ apiName: "platform", name: "Platform", dataType: "string" }] });
    // WHEN planning the same definition
    const plan = diff(manifest({ types: [desired] }), state, { endpoint: "test" });
    // THEN nothing changes and nothing is refused
    expect(plan.types[0]).toMatchObject({ action: "noop", risk: "safe", changes: [] });
    expect(refusals(plan)).toStrictEqual([]);
  });
});
