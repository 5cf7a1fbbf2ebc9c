import { type AttributeRequest, type CustomActivityTypeRequest, isLive } from "../marketo/index.js";
import {
  type ActivityTypeDefinition,
  ASCII_DISPLAY_NAME_PATTERN,
  type AttributeDefinition,
  byApiName,
  type LeafAttribute,
  type Manifest,
  typeLeaves,
} from "../schema/index.js";
import {
  type Action,
  type FieldChange,
  PLAN_FORMAT_VERSION,
  type Plan,
  type Risk,
  type Step,
  type TypePlan,
  type UnmanagedType,
} from "./plan.js";
import { fingerprint } from "./read.js";
import { foreignDraftRemedy, primaryChangeRemedy } from "./remedies.js";
import type { LiveState, LiveType, LiveVersion } from "./types.js";

const RISK_ORDER: Record<Risk, number> = { safe: 0, risky: 1, destructive: 2 };
const highest = (risks: readonly Risk[]): Risk =>
  risks.reduce<Risk>((a, b) => (RISK_ORDER[b] > RISK_ORDER[a] ? b : a), "safe");

/** Options of `diff`. */
export interface DiffOptions {
  /** The REST host (no credentials), recorded so apply refuses another instance. */
  readonly endpoint: string;
  /** Restrict the plan to these apiNames (`--only`). */
  readonly only?: readonly string[];
}

/**
 * Desired state (a manifest) x live state -> Plan. Pure and deterministic: types come out sorted
 * by apiName. Only apiNames the manifest declares or retires are planned; every other type is
 * listed as unmanaged and never touched (decision 7).
 */
export function diff(manifest: Manifest, state: LiveState, options: DiffOptions): Plan {
  const wanted = (apiName: string) => options.only?.includes(apiName) ?? true;
  const listed = new Map(state.listed.map((t) => [t.apiName, t]));
  const described = new Map(state.described.map((t) => [t.apiName, t]));
  const exists = (apiName: string) => {
    const entry = listed.get(apiName);
    return entry !== undefined && entry.status !== "deleted";
  };

  const types: TypePlan[] = [];
  const others = namesInUse(manifest, state, wanted);
  for (const definition of manifest.types) {
    if (!wanted(definition.apiName)) continue;
    const live = described.get(definition.apiName);
    const planned =
      exists(definition.apiName) && live !== undefined
        ? planUpdate(definition, live, manifest.instance.approve)
        : planCreate(
            definition,
            manifest.instance.approve,
            listed.get(definition.apiName)?.status === "deleted",
          );
    types.push(withClashes(planned, definition, others));
  }
  for (const apiName of manifest.retired) {
    if (!wanted(apiName)) continue;
    types.push(planDelete(apiName, exists(apiName) ? listed.get(apiName)!.status : "absent"));
  }
  types.sort(byApiName);

  const managed = new Set([...manifest.types.map((t) => t.apiName), ...manifest.retired]);
  const unmanaged: UnmanagedType[] = state.listed
    .filter((t) => t.status !== "deleted" && !managed.has(t.apiName))
    .map((t) => ({ apiName: t.apiName, ...(t.name !== undefined ? { name: t.name } : {}), status: t.status }))
    .sort(byApiName);

  const current = state.listed.filter((t) => t.status !== "deleted").length;
  const creates = types.filter((t) => t.action === "create").length;
  const deletes = types.filter((t) => t.action === "delete").length;
  const afterApply = current + creates - deletes;

  return {
    formatVersion: PLAN_FORMAT_VERSION,
    instance: { ...manifest.instance, endpoint: options.endpoint },
    ...(options.only !== undefined ? { only: [...options.only].sort() } : {}),
    types,
    unmanaged,
    limits: {
      maxActivityTypes: manifest.instance.maxActivityTypes,
      current,
      afterApply,
      ok: creates === 0 || afterApply <= manifest.instance.maxActivityTypes,
    },
    fingerprint: fingerprint(state),
    calls: { read: state.calls, apply: types.reduce((n, t) => n + t.steps.length, 0) },
  };
}

// ---- trigger and filter names ----------------------------------------------------------------

/** A trigger or filter name another type holds, and which type. */
interface NameInUse {
  readonly field: "triggerName" | "filterName";
  readonly value: string;
  readonly apiName: string;
  readonly status: string;
}

/**
 * The trigger and filter names the list shows for types this plan does not change: unmanaged types,
 * and declared ones left out by `--only`. Marketo requires both to be unique (docs/marketo-api.md
 * 5.1); declared types are checked against each other by the manifest's own rules, and planned
 * tombstones are deleted before any create.
 */
function namesInUse(manifest: Manifest, state: LiveState, wanted: (apiName: string) => boolean): NameInUse[] {
  const planned = new Set([...manifest.types.map((t) => t.apiName), ...manifest.retired].filter(wanted));
  return state.listed.flatMap((type) =>
    type.status === "deleted" || planned.has(type.apiName)
      ? []
      : (["triggerName", "filterName"] as const).flatMap((field) => {
          const value = type[field];
          return value === undefined ? [] : [{ field, value, apiName: type.apiName, status: type.status }];
        }),
  );
}

/** The plan, refused (`forbidden`) when it writes a trigger or filter name another type holds. */
function withClashes(
  plan: TypePlan,
  definition: ActivityTypeDefinition,
  others: readonly NameInUse[],
): TypePlan {
  const written = (field: "triggerName" | "filterName") =>
    plan.steps.some(
      (s) =>
        (s.operation === "createCustomActivityType" || s.operation === "updateCustomActivityType") &&
        s.request[field] !== undefined,
    );
  const clashes = others
    .filter((other) => written(other.field) && other.value === definition[other.field])
    .map(
      (other) =>
        `${other.field} "${other.value}" is already used by ${other.apiName} (${other.status}), and Marketo requires it to be unique: choose another ${other.field}`,
    );
  if (clashes.length === 0) return plan;
  const forbidden = [plan.forbidden, ...clashes].filter((r) => r !== undefined).join("; ");
  return { ...plan, forbidden };
}

// ---- create ----------------------------------------------------------------------------------

/**
 * The request object of an attribute. The primary's `dataType` is sent only when it is not `string`,
 * Marketo's default: the docs' create example never sends one (docs/marketo-api.md 4.2 D), and what is
 * not sent cannot be refused.
 */
function attributeRequest(
  attribute: LeafAttribute,
  role: "primary" | "secondary" = "secondary",
): AttributeRequest {
  const request: AttributeRequest = { apiName: attribute.apiName };
  if (attribute.name !== undefined) request.name = attribute.name;
  if (attribute.dataType !== undefined && (role === "secondary" || attribute.dataType !== "string"))
    request.dataType = attribute.dataType as AttributeRequest["dataType"];
  // An empty description clears one that Marketo has.
  request.description = attribute.description ?? "";
  return request;
}

/**
 * Notes on what Marketo's documents do not confirm, for a type whose `name` or primary attribute is
 * written: a display name outside ASCII (docs/marketo-api.md 8.9) and a primary that is not a string
 * (8.6). Apply stops at the type's first write if Marketo refuses it.
 */
function unconfirmedNotes(
  definition: ActivityTypeDefinition,
  writes: { name: boolean; primary: boolean },
): string[] {
  const notes: string[] = [];
  if (writes.name && !ASCII_DISPLAY_NAME_PATTERN.test(definition.name)) {
    notes.push(
      `name "${definition.name}" has letters outside A-Z: Marketo documents display names as "alphanumeric" without saying whether other letters are included (not confirmed; if Marketo refuses it, apply stops at this type's first write)`,
    );
  }
  const primary = definition.primaryAttribute;
  if (writes.primary && primary.dataType !== undefined && primary.dataType !== "string") {
    notes.push(
      `primary attribute ${primary.apiName} is ${/^[aeiou]/.test(primary.dataType) ? "an" : "a"} ${primary.dataType}: Marketo's documents show only string primary attributes, so whether another data type is accepted is not confirmed`,
    );
  }
  return notes;
}

function describeAttribute(attribute: LeafAttribute): string {
  return `${attribute.name ?? attribute.apiName} (${attribute.dataType ?? "string"})`;
}

/** The order a new type's fields are shown in, as a person reads a definition. */
const CREATE_ORDER = [
  "name",
  "triggerName",
  "filterName",
  "description",
  "primaryAttribute.apiName",
  "primaryAttribute.name",
  "primaryAttribute.dataType",
  "primaryAttribute.description",
] as const;

function planCreate(definition: ActivityTypeDefinition, approve: boolean, wasDeleted: boolean): TypePlan {
  const request: CustomActivityTypeRequest = {
    apiName: definition.apiName,
    name: definition.name,
    triggerName: definition.triggerName,
    filterName: definition.filterName,
    primaryAttribute: attributeRequest(definition.primaryAttribute, "primary"),
  };
  if (definition.description !== undefined) request.description = definition.description;
  const steps: Step[] = [{ operation: "createCustomActivityType", request }];
  if (definition.attributes.length > 0) {
    steps.push({
      operation: "createCustomActivityTypeAttributes",
      attributes: definition.attributes.map((a) => attributeRequest(a)),
    });
  }
  if (approve) steps.push({ operation: "approveCustomActivityType" });

  const leaves = typeLeaves(definition);
  const changes: FieldChange[] = [];
  for (const path of CREATE_ORDER) {
    const value = leaves[path];
    if (value !== undefined) changes.push({ path, kind: "add", after: value, risk: "safe" });
  }
  for (const attribute of [...definition.attributes].sort(byApiName)) {
    changes.push({
      path: `attributes.${attribute.apiName}`,
      kind: "add",
      after: describeAttribute(attribute),
      risk: "safe",
    });
  }
  return {
    apiName: definition.apiName,
    action: "create",
    risk: "safe",
    status: wasDeleted ? "deleted" : "absent",
    draft: "none",
    changes,
    steps,
    notes: [
      ...(approve ? [] : ["left as a draft for review in Marketo Admin (approve: false)"]),
      ...(wasDeleted
        ? [
            `${definition.apiName} belonged to a deleted type: Marketo's documents do not say whether a deleted apiName can be used again (not confirmed; if not, apply stops at the create and nothing is written)`,
          ]
        : []),
      ...unconfirmedNotes(definition, { name: true, primary: true }),
    ],
    desired: definition,
  };
}

// ---- delete ----------------------------------------------------------------------------------

function planDelete(apiName: string, status: string): TypePlan {
  if (status === "absent") {
    return {
      apiName,
      action: "noop",
      risk: "safe",
      status,
      draft: "none",
      changes: [],
      steps: [],
      notes: ["retired and already absent from the instance"],
    };
  }
  return {
    apiName,
    action: "delete",
    risk: "destructive",
    status,
    draft: "none",
    changes: [
      {
        path: "type",
        kind: "remove",
        before: apiName,
        risk: "destructive",
        note: "deletes the type; declared by RetiredActivityType",
      },
    ],
    steps: [{ operation: "deleteCustomActivityType" }],
    notes: ["deleted because a RetiredActivityType declares it (the tombstone is the reviewed permission)"],
  };
}

// ---- update ----------------------------------------------------------------------------------

const TYPE_FIELDS = ["name", "triggerName", "filterName", "description"] as const;

/**
 * Decision 8: a draft whose every field equals the live value or the desired value is ours (a
 * half-finished earlier apply); any other value is foreign (an edit in Marketo Admin).
 *
 * A never-published type may also be half-way through moving its primary attribute, which takes
 * several calls (create the new one, demote the old, promote the new): the old primary, as the
 * primary or as the one undeclared secondary of a draft without a primary, and the new one as a
 * secondary holding the declared values, are steps of ours, not edits.
 */
function foreignDraftFields(
  draft: LiveVersion,
  live: LiveVersion | undefined,
  desired: ActivityTypeDefinition,
): string[] {
  const draftLeaves = typeLeaves(draft);
  const liveLeaves = live === undefined ? {} : typeLeaves(live);
  const desiredLeaves = typeLeaves(desired);
  const ours = live === undefined ? primaryMoveLeaves(draft, desired) : new Set<string>();
  const keys = new Set([
    ...Object.keys(draftLeaves),
    ...Object.keys(liveLeaves),
    ...Object.keys(desiredLeaves),
  ]);
  return [...keys]
    .filter(
      (key) =>
        !ours.has(key) && draftLeaves[key] !== liveLeaves[key] && draftLeaves[key] !== desiredLeaves[key],
    )
    .sort()
    .map(
      (key) => `${key} = ${draftLeaves[key] === undefined ? "(removed)" : JSON.stringify(draftLeaves[key])}`,
    );
}

/** The draft's leaves that a primary move of ours in progress explains (see `foreignDraftFields`). */
function primaryMoveLeaves(draft: LiveVersion, desired: ActivityTypeDefinition): Set<string> {
  const wanted = desired.primaryAttribute;
  if (draft.primaryAttribute?.apiName === wanted.apiName) return new Set();
  const leaves = new Set<string>();
  const addAll = (prefix: string) => {
    for (const suffix of ["apiName", "name", "dataType", "description"]) leaves.add(`${prefix}.${suffix}`);
  };
  addAll("primaryAttribute");
  const declared = new Set(desired.attributes.map((a) => a.apiName));
  const promoted = draft.attributes.find((a) => a.apiName === wanted.apiName);
  if (promoted !== undefined && sameAttribute(promoted, wanted)) addAll(`attributes.${wanted.apiName}`);
  const undeclared = draft.attributes.filter((a) => a.apiName !== wanted.apiName && !declared.has(a.apiName));
  if (draft.primaryAttribute === undefined && undeclared.length === 1)
    addAll(`attributes.${undeclared[0]!.apiName}`);
  return leaves;
}

/**
 * The plan of a declared type that exists in Marketo: against its live version and its draft. Apply
 * also uses it for a type that turns out to exist when its create is refused.
 */
export function planUpdate(definition: ActivityTypeDefinition, type: LiveType, approve: boolean): TypePlan {
  const published = isLive(type.status) && type.live !== undefined;
  const foreign = type.draft === undefined ? [] : foreignDraftFields(type.draft, type.live, definition);
  const draftState = type.draft === undefined ? "none" : foreign.length > 0 ? "foreign" : "ours";
  const discard = draftState === "foreign" && type.live !== undefined;
  // A foreign draft on a published type is discarded and the live version changed instead; a
  // draft-only type has nothing to fall back to, so its draft is overwritten.
  const base: LiveVersion = (discard ? type.live : (type.draft ?? type.live)) ?? { attributes: [] };

  // Changes are shown and classed against what approving will replace: the live version when there
  // is one (a draft of ours may already hold a destructive edit), else the draft. Steps start from
  // the version they are written over.
  const changes = compare(published ? type.live! : base, definition, published);
  const writes = steps(base, definition);
  const all: Step[] = [
    ...(discard ? [{ operation: "discardCustomActivityTypeDraft" } as const] : []),
    ...writes,
  ];
  const needsApproval = writes.length > 0 || draftState === "ours";
  if (approve && needsApproval) all.push({ operation: "approveCustomActivityType" });

  const notes: string[] = [];
  if (!approve && (writes.length > 0 || draftState === "ours")) {
    notes.push("left as a draft for review in Marketo Admin (approve: false)");
  }
  if (draftState === "ours" && writes.length === 0 && approve)
    notes.push(
      "publishes the draft, which matches the code (left by an earlier apply, or made in Marketo Admin)",
    );
  const livePrimary = published ? type.live?.primaryAttribute?.apiName : undefined;
  const forbidden =
    livePrimary !== undefined && livePrimary !== definition.primaryAttribute.apiName
      ? `the primary attribute would change from ${livePrimary} to ${definition.primaryAttribute.apiName}, and Marketo allows that only while a type has never been published; ${primaryChangeRemedy(livePrimary)}`
      : undefined;
  const writesName =
    typeof writes.find((s) => s.operation === "updateCustomActivityType")?.request.name === "string";
  const writesPrimary = writes.some(
    (s) =>
      (s.operation === "updateCustomActivityType" && s.request.primaryAttribute !== undefined) ||
      (s.operation === "updateCustomActivityTypeAttributes" &&
        s.attributes.some((a) => a.isPrimary === true)),
  );
  notes.push(...unconfirmedNotes(definition, { name: writesName, primary: writesPrimary }));
  const risk = highest(changes.map((c) => c.risk));
  const action: Action =
    all.length === 0
      ? "noop"
      : all.every((s) => s.operation === "approveCustomActivityType")
        ? "approve"
        : "update";
  return {
    apiName: definition.apiName,
    action,
    risk,
    status: type.status,
    draft: draftState,
    changes,
    steps: all,
    ...(draftState === "foreign"
      ? {
          conflict: `the draft in Marketo has edits that are neither live nor in your code (${foreign.join(", ")}); someone may be editing this type in Marketo Admin (or an earlier apply with approve: false, or one that was interrupted, left it and the code has changed since). ${foreignDraftRemedy(discard)}`,
        }
      : {}),
    ...(forbidden !== undefined ? { forbidden } : {}),
    ...(risk === "destructive" && !definition.allowDestructiveChanges ? { destructiveNotAllowed: true } : {}),
    notes,
    desired: definition,
  };
}

function compare(base: LiveVersion, desired: ActivityTypeDefinition, published: boolean): FieldChange[] {
  const changes: FieldChange[] = [];
  const push = (
    path: string,
    before: string | undefined,
    after: string | undefined,
    risk: Risk,
    note?: string,
  ) => {
    if ((before ?? "") === (after ?? "")) return;
    const kind =
      before === undefined || before === ""
        ? "add"
        : after === undefined || after === ""
          ? "remove"
          : "change";
    changes.push({
      path,
      kind,
      ...(before !== undefined && before !== "" ? { before } : {}),
      ...(after !== undefined && after !== "" ? { after } : {}),
      risk,
      ...(note !== undefined ? { note } : {}),
    });
  };
  const renameRisk: Risk = published ? "risky" : "safe";
  const renameNote = published ? "Marketo may reject renaming a published type that is in use" : undefined;
  for (const field of TYPE_FIELDS) {
    push(
      field,
      base[field],
      desired[field],
      field === "description" ? "safe" : renameRisk,
      field === "description" ? undefined : renameNote,
    );
  }

  const destructive: Risk = published ? "destructive" : "safe";
  const basePrimary = base.primaryAttribute;
  const primary = desired.primaryAttribute;
  push(
    "primaryAttribute.apiName",
    basePrimary?.apiName,
    primary.apiName,
    destructive,
    published ? "changes the primary attribute of a published type" : undefined,
  );
  const comparedPrimary =
    basePrimary?.apiName === primary.apiName
      ? basePrimary
      : base.attributes.find((a) => a.apiName === primary.apiName);
  push("primaryAttribute.name", comparedPrimary?.name, primary.name, renameRisk, renameNote);
  push(
    "primaryAttribute.dataType",
    comparedPrimary?.dataType,
    primary.dataType,
    destructive,
    published ? "changes the dataType of a published attribute" : undefined,
  );
  push("primaryAttribute.description", comparedPrimary?.description, primary.description, "safe");

  const baseAttributes = new Map(base.attributes.map((a) => [a.apiName, a]));
  if (basePrimary !== undefined && basePrimary.apiName !== primary.apiName)
    baseAttributes.set(basePrimary.apiName, basePrimary);
  const desiredAttributes = new Map(desired.attributes.map((a) => [a.apiName, a]));
  const names = [...new Set([...baseAttributes.keys(), ...desiredAttributes.keys()])].sort();
  for (const apiName of names) {
    if (apiName === primary.apiName) continue; // compared as the primary above
    const before = baseAttributes.get(apiName);
    const after = desiredAttributes.get(apiName);
    const path = `attributes.${apiName}`;
    if (before === undefined && after !== undefined) {
      push(path, undefined, describeAttribute(after), "safe");
    } else if (before !== undefined && after === undefined) {
      push(
        path,
        describeAttribute(before),
        undefined,
        destructive,
        published ? "deletes the attribute; Marketo also removes it from smart list filters" : undefined,
      );
    } else if (before !== undefined && after !== undefined) {
      push(`${path}.name`, before.name, after.name, "safe");
      push(
        `${path}.dataType`,
        before.dataType,
        after.dataType,
        destructive,
        published ? "changes the dataType of a published attribute" : undefined,
      );
      push(`${path}.description`, before.description, after.description, "safe");
    }
  }
  return changes;
}

const sameAttribute = (a: LeafAttribute | undefined, b: AttributeDefinition) =>
  a !== undefined &&
  a.name === b.name &&
  a.dataType === b.dataType &&
  (a.description ?? "") === (b.description ?? "");

/**
 * The fewest calls from `base` to `desired` (decision 11): one update of the type, one
 * attributes/delete, one attributes/create, one attributes/update. Changing the primary adds one
 * update that demotes the old primary first, as Marketo requires (docs/marketo-api.md 5.2), and one delete
 * of the old primary after it when the code drops it.
 */
function steps(base: LiveVersion, desired: ActivityTypeDefinition): Step[] {
  const out: Step[] = [];
  const typeRequest: CustomActivityTypeRequest = {};
  for (const field of TYPE_FIELDS) {
    if ((base[field] ?? "") !== (desired[field] ?? "")) typeRequest[field] = desired[field] ?? "";
  }
  const basePrimary = base.primaryAttribute;
  const primary = desired.primaryAttribute;
  const primaryMoves = basePrimary?.apiName !== primary.apiName;
  if (!primaryMoves && !sameAttribute(basePrimary, primary)) {
    // The primary's dataType is left out only when Marketo already holds the declared one.
    const role = basePrimary?.dataType === primary.dataType ? "primary" : "secondary";
    typeRequest.primaryAttribute = attributeRequest(primary, role);
  }
  if (Object.keys(typeRequest).length > 0)
    out.push({ operation: "updateCustomActivityType", request: typeRequest });

  // Deletes go first, so a type at the 20-attribute limit can swap attributes (code 1028). The
  // old primary can only go after it is demoted, in a delete at the end.
  const desiredSecondaries = new Set(desired.attributes.map((a) => a.apiName));
  const deletes = base.attributes
    .map((a) => a.apiName)
    .filter((a) => !desiredSecondaries.has(a) && a !== primary.apiName)
    .sort();
  if (deletes.length > 0) out.push({ operation: "deleteCustomActivityTypeAttributes", apiNames: deletes });

  const baseSecondaries = new Map(base.attributes.map((a) => [a.apiName, a]));
  const creates = desired.attributes.filter(
    (a) => !baseSecondaries.has(a.apiName) && a.apiName !== basePrimary?.apiName,
  );
  if (primaryMoves && !baseSecondaries.has(primary.apiName)) creates.push(primary);
  if (creates.length > 0)
    out.push({
      operation: "createCustomActivityTypeAttributes",
      attributes: creates.map((a) => attributeRequest(a)),
    });

  const updates: AttributeRequest[] = [];
  if (primaryMoves) {
    if (basePrimary !== undefined) {
      // The swagger requires `name` on every attribute object: the demote sends the name the old
      // primary has (a rename it gets as a secondary follows in the next update).
      const name =
        basePrimary.name ?? desired.attributes.find((a) => a.apiName === basePrimary.apiName)?.name;
      out.push({
        operation: "updateCustomActivityTypeAttributes",
        attributes: [{ apiName: basePrimary.apiName, name: name ?? basePrimary.apiName, isPrimary: false }],
      });
    }
    updates.push({ ...attributeRequest(primary), isPrimary: true });
  }
  for (const attribute of desired.attributes) {
    const before =
      baseSecondaries.get(attribute.apiName) ??
      (attribute.apiName === basePrimary?.apiName ? basePrimary : undefined);
    if (before !== undefined && !sameAttribute(before, attribute)) updates.push(attributeRequest(attribute));
  }
  if (updates.length > 0) out.push({ operation: "updateCustomActivityTypeAttributes", attributes: updates });

  if (primaryMoves && basePrimary !== undefined && !desiredSecondaries.has(basePrimary.apiName)) {
    out.push({ operation: "deleteCustomActivityTypeAttributes", apiNames: [basePrimary.apiName] });
  }
  return out;
}
