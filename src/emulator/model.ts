/**
 * What the emulated instance holds (docs/marketo-api.md 7.1): custom activity types, each with a live
 * version, a draft version or both, and the activity records added per type. The shapes come from
 * the schemas that check a persisted state file (`persistPath`), so what is stored, loaded and
 * handled is one type.
 */
import { z } from "zod";
import type { CustomActivityTypeStatus } from "../marketo/wire.js";
import { DATA_TYPES } from "../schema/index.js";

const attributeStateSchema = z.strictObject({
  apiName: z.string().min(1),
  name: z.string(),
  dataType: z.enum(DATA_TYPES),
  description: z.string().optional(),
  isPrimary: z.boolean(),
});

const versionStateSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  triggerName: z.string(),
  filterName: z.string(),
  attributes: z.array(attributeStateSchema),
});

const activityRecordSchema = z.strictObject({
  id: z.number().int(),
  marketoGUID: z.string(),
  leadId: z.number().int(),
  activityDate: z.string(),
  primaryAttributeValue: z.string(),
  attributes: z.array(z.strictObject({ apiName: z.string(), value: z.unknown() })),
  addedAt: z.string(),
});

const typeFieldsSchema = z.strictObject({
  id: z.number().int().positive(),
  apiName: z.string().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
  live: versionStateSchema.optional(),
  draft: versionStateSchema.optional(),
  deleted: z.boolean(),
  /** Used by triggers or filters: delete is refused (1022). */
  inUse: z.boolean(),
  records: z.array(activityRecordSchema),
});

/** One attribute of a version; the primary is the one with `isPrimary`. */
export type AttributeState = z.output<typeof attributeStateSchema>;

/** A live or draft version of a type. `attributes` holds the primary too. */
export type VersionState = z.output<typeof versionStateSchema>;

/** An activity record added through Add Custom Activities. */
export type ActivityRecord = z.output<typeof activityRecordSchema>;

/** The versions a type has: live, draft or both, never neither. */
export type TypeVersions =
  | { live: VersionState; draft?: VersionState }
  | { live?: undefined; draft: VersionState };

type TypeFields = z.output<typeof typeFieldsSchema>;

/** A custom activity type; its status is derived (`statusOf`, docs/marketo-api.md 7.1). */
export type TypeState = Omit<TypeFields, "live" | "draft"> & TypeVersions;

function hasAVersion(fields: TypeFields): fields is TypeFields & TypeVersions {
  return fields.live !== undefined || fields.draft !== undefined;
}

const typeStateSchema = typeFieldsSchema.transform((fields, context): TypeState => {
  if (hasAVersion(fields)) return fields;
  context.issues.push({ code: "custom", message: "a type needs a live or a draft version", input: fields });
  return z.NEVER;
});

/** Everything the instance holds, as `persistPath` stores it (formatVersion 1). */
export const instanceDataSchema = z.strictObject({
  formatVersion: z.literal(1),
  nextTypeId: z.number().int().positive(),
  nextRecordId: z.number().int().positive(),
  types: z.array(typeStateSchema),
});

/** Everything the instance holds; this is what `persistPath` stores. */
export type InstanceData = z.output<typeof instanceDataSchema>;

/** Custom activity types are numbered from here (docs/marketo-api.md 4.1 examples). */
export const FIRST_TYPE_ID = 100_001;

export function emptyInstanceData(): InstanceData {
  return { formatVersion: 1, nextTypeId: FIRST_TYPE_ID, nextRecordId: 1, types: [] };
}

/** The status Marketo shows for a type (docs/marketo-api.md 7.1). */
export function statusOf(type: TypeState): CustomActivityTypeStatus {
  if (type.deleted) return "deleted";
  if (type.live !== undefined) return type.draft === undefined ? "approved" : "approved with draft";
  return "draft";
}

/** The version list and describe show by default: the live one, else the draft. */
export function liveOrDraft(type: TypeState): VersionState {
  return type.live ?? type.draft;
}

/** The version edits start from: the draft, else a copy of the live one is about to become it. */
export function draftOrLive(type: TypeState): VersionState {
  return type.live === undefined ? type.draft : (type.draft ?? type.live);
}

/** `2016-02-03T22:36:23Z`: Marketo's timestamp format, without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
