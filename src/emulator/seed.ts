/**
 * Turns `options.seed` into the instance's initial state, checking it with the same naming rules
 * the API enforces (the display-name rule of `behaviour.displayNames` included), so a test cannot
 * start from a state Marketo would never hold.
 */
import {
  API_NAME_PATTERN,
  DATA_TYPES,
  MAX_API_NAME_LENGTH,
  MarketoActivitiesError,
} from "../schema/index.js";
import {
  type ActivityRecord,
  type AttributeState,
  emptyInstanceData,
  FIRST_TYPE_ID,
  type InstanceData,
  isoSeconds,
  type TypeState,
  type TypeVersions,
  type VersionState,
} from "./model.js";
import type {
  EmulatorSeed,
  ResolvedBehaviour,
  ResolvedLimits,
  SeedActivityType,
  SeedAttribute,
  SeedVersion,
} from "./options.js";
import { displayNameRule } from "./rules.js";

/** The display-name rule the seed is checked with. */
type NameRule = ReturnType<typeof displayNameRule>;

/** Raised when `options.seed` breaks a rule; names the type and the field. */
export class EmulatorSeedError extends MarketoActivitiesError {
  constructor(message: string) {
    super("EmulatorSeedInvalid", `Emulator seed: ${message}`, {
      hint: "fix the activity type in the emulator's seed option",
    });
  }
}

export function stateFromSeed(
  seed: EmulatorSeed | undefined,
  nowMs: number,
  limits: ResolvedLimits,
  behaviour: Pick<ResolvedBehaviour, "displayNames">,
): InstanceData {
  const nameRule = displayNameRule(behaviour.displayNames);
  const state = emptyInstanceData();
  const used = new Set<number>();
  for (const type of seed?.activityTypes ?? []) if (type.id !== undefined) used.add(type.id);
  let nextId = FIRST_TYPE_ID;
  for (const input of seed?.activityTypes ?? []) {
    let id = input.id;
    if (id === undefined) {
      while (used.has(nextId)) nextId++;
      id = nextId++;
      used.add(id);
    }
    state.types.push(seedType(input, id, nowMs, state, nameRule));
  }
  const ids = state.types.map((t) => t.id);
  if (new Set(ids).size !== ids.length) throw new EmulatorSeedError("two activity types have the same id");
  const live = state.types.filter((t) => !t.deleted);
  for (const type of live) {
    if (live.some((other) => other !== type && other.apiName === type.apiName))
      throw new EmulatorSeedError(`two activity types have apiName "${type.apiName}"`);
  }
  for (const field of ["triggerName", "filterName"] as const) {
    const owners = new Map<string, string>();
    for (const type of live) {
      for (const version of [type.live, type.draft]) {
        const value = version?.[field];
        if (value === undefined) continue;
        const owner = owners.get(value);
        if (owner !== undefined && owner !== type.apiName)
          throw new EmulatorSeedError(`${field} "${value}" is used by both "${owner}" and "${type.apiName}"`);
        owners.set(value, type.apiName);
      }
    }
  }
  if (live.length > limits.maxActivityTypes)
    throw new EmulatorSeedError(
      `${live.length} activity types exceed limits.maxActivityTypes (${limits.maxActivityTypes})`,
    );
  state.nextTypeId = Math.max(FIRST_TYPE_ID, ...ids.map((id) => id + 1));
  return state;
}

function seedType(
  input: SeedActivityType,
  id: number,
  nowMs: number,
  state: InstanceData,
  nameRule: NameRule,
): TypeState {
  const where = `activity type "${String(input.apiName)}"`;
  if (
    typeof input.apiName !== "string" ||
    input.apiName.length > MAX_API_NAME_LENGTH ||
    !API_NAME_PATTERN.test(input.apiName)
  )
    throw new EmulatorSeedError(`${where}: apiName must be letters and digits with at least one letter`);
  const status = input.status ?? "approved";
  const flat = (): SeedVersion => {
    if (input.name === undefined || input.triggerName === undefined || input.filterName === undefined)
      throw new EmulatorSeedError(
        `${where}: name, triggerName and filterName are required (or give live/draft)`,
      );
    const version: SeedVersion = {
      name: input.name,
      triggerName: input.triggerName,
      filterName: input.filterName,
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.primaryAttribute === undefined ? {} : { primaryAttribute: input.primaryAttribute }),
      ...(input.attributes === undefined ? {} : { attributes: input.attributes }),
    };
    return version;
  };
  const createdAt = input.createdAt ?? isoSeconds(nowMs);
  const type: TypeState = {
    id,
    apiName: input.apiName,
    createdAt,
    updatedAt: createdAt,
    deleted: status === "deleted",
    inUse: input.inUse === true,
    records: [],
    ...seedVersions(input, status, where, flat, nameRule),
  };
  for (const record of input.records ?? []) {
    const recordId = state.nextRecordId++;
    const stored: ActivityRecord = {
      id: recordId,
      marketoGUID: String(recordId),
      leadId: record.leadId,
      activityDate: record.activityDate,
      primaryAttributeValue: record.primaryAttributeValue,
      attributes: (record.attributes ?? []).map((a) => ({ apiName: a.apiName, value: a.value })),
      addedAt: createdAt,
    };
    type.records.push(stored);
  }
  return type;
}

function seedVersions(
  input: SeedActivityType,
  status: NonNullable<SeedActivityType["status"]>,
  where: string,
  flat: () => SeedVersion,
  nameRule: NameRule,
): TypeVersions {
  if (status === "draft") {
    const draft = seedVersion(input.draft ?? flat(), `${where} draft`, false, nameRule);
    if (input.live !== undefined)
      throw new EmulatorSeedError(`${where}: status "draft" cannot have a live version`);
    return { draft };
  }
  const live = seedVersion(input.live ?? flat(), `${where} live version`, true, nameRule);
  if (status === "approved with draft")
    return {
      live,
      draft: seedVersion(input.draft ?? input.live ?? flat(), `${where} draft`, false, nameRule),
    };
  if (input.draft !== undefined && status === "approved")
    throw new EmulatorSeedError(`${where}: status "approved" cannot have a draft; use "approved with draft"`);
  return { live };
}

function seedVersion(
  input: SeedVersion,
  where: string,
  needsPrimary: boolean,
  nameRule: NameRule,
): VersionState {
  if (typeof input.name !== "string" || !nameRule.pattern.test(input.name))
    throw new EmulatorSeedError(
      `${where}: name "${String(input.name)}" must be ${nameRule.allowed}, with at least one letter`,
    );
  for (const field of ["triggerName", "filterName"] as const) {
    if (typeof input[field] !== "string" || input[field].trim() === "")
      throw new EmulatorSeedError(`${where}: ${field} is required`);
  }
  if (needsPrimary && input.primaryAttribute === undefined)
    throw new EmulatorSeedError(`${where}: primaryAttribute is required`);
  const attributes: AttributeState[] = [];
  if (input.primaryAttribute !== undefined)
    attributes.push(seedAttribute(input.primaryAttribute, where, true));
  for (const attribute of input.attributes ?? []) attributes.push(seedAttribute(attribute, where, false));
  const names = attributes.map((a) => a.apiName);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined)
    throw new EmulatorSeedError(`${where}: attribute apiName "${duplicate}" appears twice`);
  const version: VersionState = {
    name: input.name,
    triggerName: input.triggerName,
    filterName: input.filterName,
    attributes,
  };
  if (input.description !== undefined) version.description = input.description;
  return version;
}

function seedAttribute(input: SeedAttribute, where: string, isPrimary: boolean): AttributeState {
  if (typeof input.apiName !== "string" || !API_NAME_PATTERN.test(input.apiName))
    throw new EmulatorSeedError(
      `${where}: attribute apiName "${String(input.apiName)}" must be letters and digits`,
    );
  if (typeof input.name !== "string" || input.name.trim() === "")
    throw new EmulatorSeedError(`${where}: attribute "${input.apiName}" needs a name`);
  const dataType = input.dataType ?? "string";
  if (!DATA_TYPES.includes(dataType))
    throw new EmulatorSeedError(
      `${where}: attribute "${input.apiName}" has unknown dataType "${String(dataType)}"`,
    );
  const attribute: AttributeState = { apiName: input.apiName, name: input.name, dataType, isPrimary };
  if (input.description !== undefined) attribute.description = input.description;
  return attribute;
}
