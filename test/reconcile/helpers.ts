/**
 * Fixtures for the pure reconcile tests: definitions, manifests and live states built by hand (no
 * server), and a small model of Marketo's draft that replays a plan's steps, so a test can check
 * that the steps really lead from what is in Marketo to what the code declares.
 */
import type { AttributeRequest } from "../../src/marketo/wire.js";
import type { LiveState, LiveType, LiveVersion, Plan, Step, TypePlan } from "../../src/reconcile/index.js";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  buildManifest,
  type InstanceSettings,
  type LeafAttribute,
  MAX_SECONDARY_ATTRIBUTES,
  type Manifest,
  parseActivityType,
} from "../../src/schema/index.js";

export const ENDPOINT = "https://123-ABC-456.mktorest.com";

/** The type most tests start from: a primary and two secondary attributes. */
export const webinarInput = {
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
  attributes: [
    { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    { apiName: "platform", name: "Platform", dataType: "string" },
  ],
} as const satisfies ActivityTypeInput;

/** A validated definition: `webinarInput` with `overrides` (shallow). */
export function define(overrides: Partial<ActivityTypeInput> = {}): ActivityTypeDefinition {
  return parseActivityType({ ...webinarInput, ...overrides });
}

/** A second, unrelated type. */
export function signup(overrides: Partial<ActivityTypeInput> = {}): ActivityTypeDefinition {
  return parseActivityType({
    apiName: "newsletterSignup",
    name: "Newsletter Signup",
    triggerName: "Signs Up For Newsletter",
    filterName: "Signed Up For Newsletter",
    primaryAttribute: { apiName: "newsletter", name: "Newsletter" },
    ...overrides,
  });
}

/** A minimal valid definition with the given apiName (for limit and ordering tests). */
export function minimal(apiName: string): ActivityTypeDefinition {
  return parseActivityType({
    apiName,
    name: `Type ${apiName}`,
    triggerName: `Does ${apiName}`,
    filterName: `Did ${apiName}`,
    primaryAttribute: { apiName: "value", name: "Value" },
  });
}

export function manifest(
  parts: {
    types?: readonly ActivityTypeDefinition[];
    retired?: readonly string[];
    instance?: Partial<InstanceSettings>;
  } = {},
): Manifest {
  return buildManifest({
    instance: { id: "prod", envPrefix: "MARKETO", maxActivityTypes: 10, approve: true, ...parts.instance },
    types: [...(parts.types ?? [])],
    retired: [...(parts.retired ?? [])],
  });
}

const liveAttribute = (a: LeafAttribute): LeafAttribute => ({
  apiName: a.apiName,
  ...(a.name !== undefined ? { name: a.name } : {}),
  ...(a.dataType !== undefined ? { dataType: a.dataType } : {}),
  ...(a.description !== undefined && a.description !== "" ? { description: a.description } : {}),
});

/** A definition as Marketo would describe it (what `toVersion` returns for it). */
export function versionOf(definition: ActivityTypeDefinition): LiveVersion {
  return {
    name: definition.name,
    triggerName: definition.triggerName,
    filterName: definition.filterName,
    ...(definition.description !== undefined && definition.description !== ""
      ? { description: definition.description }
      : {}),
    primaryAttribute: liveAttribute(definition.primaryAttribute),
    attributes: [...definition.attributes].map(liveAttribute).sort(byApiName),
  };
}

let nextId = 100001;
const idOf = new Map<string, number>();
/** A stable id per apiName, as Marketo numbers custom types from about 100000 (docs/marketo-api.md 5.1). */
function id(apiName: string): number {
  if (!idOf.has(apiName)) idOf.set(apiName, nextId++);
  return idOf.get(apiName)!;
}

/** A published type whose live version is `live`. */
export function approved(live: ActivityTypeDefinition | LiveVersion, apiName?: string): LiveType {
  const version = "apiName" in live ? versionOf(live) : live;
  const name = apiName ?? ("apiName" in live ? live.apiName : webinarInput.apiName);
  return { apiName: name, id: id(name), name: version.name ?? name, status: "approved", live: version };
}

/** A published type with a draft on top. */
export function approvedWithDraft(
  live: ActivityTypeDefinition | LiveVersion,
  draft: ActivityTypeDefinition | LiveVersion,
  apiName?: string,
): LiveType {
  const base = approved(live, apiName);
  return { ...base, status: "approved with draft", draft: "apiName" in draft ? versionOf(draft) : draft };
}

/** A type that was never approved: only a draft. */
export function draftOnly(draft: ActivityTypeDefinition | LiveVersion, apiName?: string): LiveType {
  const version = "apiName" in draft ? versionOf(draft) : draft;
  const name = apiName ?? ("apiName" in draft ? draft.apiName : webinarInput.apiName);
  return { apiName: name, id: id(name), name: version.name ?? name, status: "draft", draft: version };
}

/** A type in list form only (no versions): unmanaged, retired or deleted types. */
export function listedOnly(apiName: string, status = "approved", name?: string): LiveType {
  return { apiName, id: id(apiName), status, ...(name !== undefined ? { name } : {}) };
}

/**
 * The state `readInstance` would return: every type listed; the declared (`described`) ones that
 * exist described; calls counted as decision 11 says (one list, one describe per version).
 */
export function liveState(described: readonly LiveType[], others: readonly LiveType[] = []): LiveState {
  const existing = described.filter((t) => t.status !== "deleted");
  const listed = [...described, ...others].map(
    ({ apiName, id, name, status }): LiveType => ({
      apiName,
      status,
      ...(id !== undefined ? { id } : {}),
      ...(name !== undefined ? { name } : {}),
    }),
  );
  const calls = 1 + existing.reduce((n, t) => n + (t.live ? 1 : 0) + (t.draft ? 1 : 0), 0);
  return { listed, described: existing, calls };
}

export function byApiName<T extends { apiName: string }>(a: T, b: T): number {
  return a.apiName < b.apiName ? -1 : a.apiName > b.apiName ? 1 : 0;
}

/** The one plan for `apiName`; fails the test when there is none. */
export function typePlan(plan: Plan, apiName: string = webinarInput.apiName): TypePlan {
  const found = plan.types.find((t) => t.apiName === apiName);
  if (found === undefined) throw new Error(`no plan for ${apiName}: ${plan.types.map((t) => t.apiName)}`);
  return found;
}

export const ops = (type: TypePlan) => type.steps.map((s) => s.operation);

/** Deterministic Fisher-Yates with a seeded LCG: the same "random" order on every run. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// ---- a model of Marketo's draft, to replay steps ---------------------------------------------

/** What replaying a type's steps did. */
export interface Replay {
  /** The draft after the last write step (what approve publishes). */
  readonly result: LiveVersion | undefined;
  /** The most secondary attributes the draft had after any one call. */
  readonly maxSecondaries: number;
  /** The first call Marketo would reject, and why. */
  readonly error?: string;
}

type Working = { -readonly [K in keyof LiveVersion]: LiveVersion[K] } & { attributes: LeafAttribute[] };

function mergeAttribute(target: LeafAttribute, change: AttributeRequest): LeafAttribute {
  const out: { -readonly [K in keyof LeafAttribute]: LeafAttribute[K] } = { ...target };
  if (change.name !== undefined) out.name = change.name;
  if (change.dataType !== undefined) out.dataType = change.dataType;
  if (change.description !== undefined) {
    if (change.description === "") delete out.description;
    else out.description = change.description;
  }
  return out;
}

/**
 * Replays `steps` on the type as the emulator models Marketo (docs/marketo-api.md 4.1, 5.2, 7.2): writes go to
 * the draft (a copy of live when there is none); one primary at a time, demoted before another is
 * promoted; attributes created must not exist, updated or deleted ones must; the primary cannot be
 * deleted; the 20-secondary limit (code 1028) is checked after every call.
 */
export function replay(type: LiveType | undefined, steps: readonly Step[]): Replay {
  let draft: Working | undefined =
    type === undefined
      ? undefined
      : (structuredClone({ ...((type.draft ?? type.live) as LiveVersion) }) as Working);
  let maxSecondaries = draft?.attributes.length ?? 0;
  const fail = (error: string): Replay => ({ result: draft, maxSecondaries, error });
  const find = (apiName: string) =>
    draft?.primaryAttribute?.apiName === apiName
      ? "primary"
      : draft?.attributes.find((a) => a.apiName === apiName);

  for (const step of steps) {
    switch (step.operation) {
      case "createCustomActivityType": {
        if (draft !== undefined) return fail("createType: the type already exists");
        const r = step.request;
        draft = {
          ...(r.name !== undefined ? { name: r.name } : {}),
          ...(r.triggerName !== undefined ? { triggerName: r.triggerName } : {}),
          ...(r.filterName !== undefined ? { filterName: r.filterName } : {}),
          ...(r.description ? { description: r.description } : {}),
          ...(r.primaryAttribute !== undefined
            ? {
                primaryAttribute: mergeAttribute(
                  { apiName: r.primaryAttribute.apiName, dataType: "string" },
                  r.primaryAttribute,
                ),
              }
            : {}),
          attributes: [],
        };
        break;
      }
      case "updateCustomActivityType": {
        if (draft === undefined) return fail("updateType: no such type");
        const r = step.request;
        for (const field of ["name", "triggerName", "filterName", "description"] as const) {
          const value = r[field];
          if (value === undefined) continue;
          if (value === "") delete draft[field];
          else draft[field] = value;
        }
        if (r.primaryAttribute !== undefined) {
          const current = draft.primaryAttribute;
          if (current !== undefined && current.apiName !== r.primaryAttribute.apiName)
            return fail("updateType: a second primary attribute");
          draft.primaryAttribute = mergeAttribute(
            current ?? { apiName: r.primaryAttribute.apiName, dataType: "string" },
            r.primaryAttribute,
          );
        }
        break;
      }
      case "createCustomActivityTypeAttributes":
        if (draft === undefined) return fail("createAttributes: no such type");
        for (const a of step.attributes) {
          if (find(a.apiName) !== undefined) return fail(`createAttributes: ${a.apiName} already exists`);
          draft.attributes.push(mergeAttribute({ apiName: a.apiName }, a));
        }
        break;
      case "updateCustomActivityTypeAttributes":
        if (draft === undefined) return fail("updateAttributes: no such type");
        for (const a of step.attributes) {
          const found = find(a.apiName);
          if (found === undefined) return fail(`updateAttributes: ${a.apiName} does not exist`);
          if (found === "primary") {
            const merged = mergeAttribute(draft.primaryAttribute!, a);
            if (a.isPrimary === false) {
              delete draft.primaryAttribute;
              draft.attributes.push(merged);
            } else draft.primaryAttribute = merged;
          } else {
            const merged = mergeAttribute(found, a);
            draft.attributes = draft.attributes.filter((x) => x !== found);
            if (a.isPrimary === true) {
              if (draft.primaryAttribute !== undefined)
                return fail(
                  `updateAttributes: ${a.apiName} promoted while ${draft.primaryAttribute.apiName} is primary`,
                );
              draft.primaryAttribute = merged;
            } else draft.attributes.push(merged);
          }
        }
        break;
      case "deleteCustomActivityTypeAttributes":
        if (draft === undefined) return fail("deleteAttributes: no such type");
        for (const apiName of step.apiNames) {
          const found = find(apiName);
          if (found === undefined) return fail(`deleteAttributes: ${apiName} does not exist`);
          if (found === "primary") return fail(`deleteAttributes: ${apiName} is the primary attribute`);
          draft.attributes = draft.attributes.filter((x) => x !== found);
        }
        break;
      case "discardCustomActivityTypeDraft":
        if (type?.live === undefined) return fail("discardDraft: nothing to fall back to");
        draft = structuredClone({ ...type.live }) as Working;
        break;
      case "approveCustomActivityType":
        if (draft?.primaryAttribute === undefined) return fail("approve: no primary attribute");
        break;
      case "deleteCustomActivityType":
        draft = undefined;
        break;
    }
    maxSecondaries = Math.max(maxSecondaries, draft?.attributes.length ?? 0);
    if (maxSecondaries > MAX_SECONDARY_ATTRIBUTES)
      return fail(`${step.operation}: ${maxSecondaries} secondary attributes (Marketo 1028)`);
  }
  return {
    result: draft === undefined ? undefined : { ...draft, attributes: [...draft.attributes].sort(byApiName) },
    maxSecondaries,
  };
}
