/**
 * Fixtures for the reconcile tests: definitions, manifests and live states built by hand, so the
 * diff tests stay pure, table-driven and fast; and `applyOnEmulator`, which applies a plan's steps
 * on the emulator (Marketo's one model in this repository) to check that they really lead from what
 * is in Marketo to what the code declares.
 */
import { expect, onTestFinished } from "vitest";
import {
  type Emulator,
  type EmulatorOptions,
  type SeedActivityType,
  type SeedAttribute,
  type SeedVersion,
  startEmulator,
} from "../../src/emulator/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import {
  applyPlan,
  diff,
  fingerprint,
  type LiveState,
  type LiveType,
  type LiveVersion,
  manifestOfPlan,
  type Plan,
  readInstance,
  type Step,
  type TypePlan,
} from "../../src/reconcile/index.js";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  type AttributeDataType,
  buildManifest,
  byApiName,
  type InstanceSettings,
  type LeafAttribute,
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
  return {
    apiName,
    id: id(apiName),
    status,
    ...(name !== undefined ? { name } : {}),
    // As the list shows them, and as `emulatorWith` seeds a type known only from the list.
    ...(status === "deleted" ? {} : { triggerName: `Does ${apiName}`, filterName: `Did ${apiName}` }),
  };
}

/**
 * The state `readInstance` would return: every type listed; the declared (`described`) ones that
 * exist described; calls counted as decision 11 says (one list, one describe per version).
 */
export function liveState(described: readonly LiveType[], others: readonly LiveType[] = []): LiveState {
  const existing = described.filter((t) => t.status !== "deleted");
  const listed = [...described, ...others].map((type): LiveType => {
    const { apiName, id, name, status, live, draft } = type;
    // The list shows the live version's names, or the draft's when there is no live one.
    const triggerName = (live ?? draft)?.triggerName ?? type.triggerName;
    const filterName = (live ?? draft)?.filterName ?? type.filterName;
    return {
      apiName,
      status,
      ...(id !== undefined ? { id } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(triggerName !== undefined ? { triggerName } : {}),
      ...(filterName !== undefined ? { filterName } : {}),
    };
  });
  const calls = 1 + existing.reduce((n, t) => n + (t.live ? 1 : 0) + (t.draft ? 1 : 0), 0);
  return { listed, described: existing, calls };
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

// ---- applying steps for real: on the emulator ----------------------------------------------

const seedAttribute = (a: LeafAttribute): SeedAttribute => {
  if (a.name === undefined) throw new Error(`a seeded attribute needs a name: ${a.apiName}`);
  return {
    apiName: a.apiName,
    name: a.name,
    ...(a.dataType !== undefined ? { dataType: a.dataType as AttributeDataType } : {}),
    ...(a.description !== undefined ? { description: a.description } : {}),
  };
};

function seedVersion(apiName: string, version: LiveVersion): SeedVersion {
  const { name, triggerName, filterName } = version;
  if (name === undefined || triggerName === undefined || filterName === undefined)
    throw new Error(`a seeded version of ${apiName} needs name, triggerName and filterName`);
  return {
    name,
    triggerName,
    filterName,
    ...(version.description !== undefined ? { description: version.description } : {}),
    ...(version.primaryAttribute !== undefined
      ? { primaryAttribute: seedAttribute(version.primaryAttribute) }
      : {}),
    attributes: version.attributes.map(seedAttribute),
  };
}

/** A type as the emulator's seed holds it; list-only types get a made-up version (only the list is read). */
function seedType(type: LiveType): SeedActivityType {
  const listOnly: LiveVersion = {
    name: type.name ?? `Type ${type.apiName}`,
    triggerName: type.triggerName ?? `Does ${type.apiName}`,
    filterName: type.filterName ?? `Did ${type.apiName}`,
    primaryAttribute: { apiName: "value", name: "Value", dataType: "string" },
    attributes: [],
  };
  const status = type.status as NonNullable<SeedActivityType["status"]>;
  const live = type.live ?? (status === "draft" ? undefined : listOnly);
  const draft = type.draft ?? (status === "draft" || status === "approved with draft" ? listOnly : undefined);
  return {
    apiName: type.apiName,
    ...(type.id !== undefined ? { id: type.id } : {}),
    status,
    ...(live !== undefined ? { live: seedVersion(type.apiName, live) } : {}),
    ...(draft !== undefined ? { draft: seedVersion(type.apiName, draft) } : {}),
  };
}

/** An emulator holding `types` (as the fixtures above build them) until the test ends, and a client to it. */
export async function emulatorWith(
  types: readonly LiveType[],
  options: Omit<EmulatorOptions, "seed"> = {},
): Promise<{ emulator: Emulator; client: MarketoClient }> {
  const emulator = await startEmulator({ ...options, seed: { activityTypes: types.map(seedType) } });
  onTestFinished(() => emulator.close());
  const client = new MarketoClient({
    baseUrl: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    // Marketo's rejection is the answer these tests want, not a retry.
    retry: { maxAttempts: 1 },
  });
  return { emulator, client };
}

/** What applying a plan on the emulator did. */
export interface Applied {
  /** The first failure, as Marketo (the emulator) answered it. */
  readonly error?: Error;
  /** The type's version afterwards: its draft when one is left, else its live version. */
  version(apiName?: string): LiveVersion | undefined;
  /** The same manifest planned again afterwards: nothing should be left to do. */
  readonly again: Plan;
}

/**
 * Applies `plan` for real, on an emulator holding `types`, with every guard lifted (the tests that
 * use it check the steps, not the refusals), and reads the instance back. First checks that the
 * emulator reads as the fixture does: the same fingerprint as the plan's live state.
 */
export async function applyOnEmulator(plan: Plan, types: readonly LiveType[]): Promise<Applied> {
  const { client } = await emulatorWith(types);
  const desired = manifestOfPlan(plan);
  const only = plan.only === undefined ? {} : { only: plan.only };
  const before = await readInstance(client, desired, only);
  expect(fingerprint(before), "the emulator holds the live state the plan was made from").toBe(
    plan.fingerprint,
  );
  const result = await applyPlan(plan, client, { allowDestructive: true, discardForeignDrafts: true });
  const failed = result.types.find((t) => t.error !== undefined);
  const after = await readInstance(client, desired, only);
  const described = new Map(after.described.map((t) => [t.apiName, t]));
  return {
    ...(failed?.error !== undefined ? { error: failed.error } : {}),
    version: (apiName = webinarInput.apiName) => {
      const type = described.get(apiName);
      return type?.draft ?? type?.live;
    },
    again: diff(desired, after, { endpoint: plan.instance.endpoint, ...only }),
  };
}

/** A plan that makes exactly `steps` on the webinar type (for steps no diff would plan). */
export function planOfSteps(live: LiveType, steps: readonly Step[]): Plan {
  const plan = diff(manifest({ types: [define()] }), liveState([live]), { endpoint: ENDPOINT });
  return { ...plan, types: plan.types.map((t) => ({ ...t, steps: [...steps] })) };
}
