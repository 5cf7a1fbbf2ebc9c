/**
 * The emulated instance: custom activity types with their live and draft versions (docs/marketo-api.md 7.1),
 * the operations of section 4 with the rules of sections 5 and 7.2, and the activity records added
 * per type. Every operation either returns the wire `result` array or throws an `ApiFailure`;
 * edits work on a copy, so a failed call changes nothing.
 */
import {
  attributeRequestSchema,
  attributesRequestSchema,
  type CustomActivityTypeRequest,
  customActivityInputSchema,
  customActivityRequestSchema,
  customActivityTypeRequestSchema,
  type WireActivityType,
  type WireAttribute,
  type WireCustomActivityResult,
  type WireCustomActivityType,
} from "../marketo/wire.js";
import {
  API_NAME_PATTERN,
  type AttributeDataType,
  DATA_TYPES,
  DISPLAY_NAME_PATTERN,
  MAX_API_NAME_LENGTH,
} from "../schema/index.js";
import { ApiFailure } from "./failure.js";
import type { ResolvedBehaviour, ResolvedLimits, StandardActivityType } from "./options.js";
import { blank, invalid, parseWith } from "./parse.js";
import { isDateTime, showValue, valueFits } from "./values.js";

/** One attribute of a version; the primary is the one with `isPrimary`. */
export interface AttributeState {
  apiName: string;
  name: string;
  dataType: AttributeDataType;
  description?: string;
  isPrimary: boolean;
}

/** A live or draft version of a type. `attributes` holds the primary too. */
export interface VersionState {
  name: string;
  description?: string;
  triggerName: string;
  filterName: string;
  attributes: AttributeState[];
}

/** An activity record added through Add Custom Activities. */
export interface ActivityRecord {
  id: number;
  marketoGUID: string;
  leadId: number;
  activityDate: string;
  primaryAttributeValue: string;
  attributes: { apiName: string; value: unknown }[];
  addedAt: string;
}

/** A custom activity type; `status` is derived (docs/marketo-api.md 7.1). */
export interface TypeState {
  id: number;
  apiName: string;
  createdAt: string;
  updatedAt: string;
  live?: VersionState;
  draft?: VersionState;
  deleted: boolean;
  /** Used by triggers or filters: delete is refused (1022). */
  inUse: boolean;
  records: ActivityRecord[];
}

/** Everything the instance holds; this is what `persistPath` stores. */
export interface StateData {
  formatVersion: 1;
  nextTypeId: number;
  nextRecordId: number;
  types: TypeState[];
}

export type TypeStatus = "draft" | "approved" | "approved with draft" | "deleted";

export const FIRST_TYPE_ID = 100_001;
export const MAX_RECORDS_PER_CALL = 300;
export const MAX_ATTRIBUTES_BYTES = 65_536;

export function emptyState(): StateData {
  return { formatVersion: 1, nextTypeId: FIRST_TYPE_ID, nextRecordId: 1, types: [] };
}

export function statusOf(type: TypeState): TypeStatus {
  if (type.deleted) return "deleted";
  if (type.live !== undefined) return type.draft === undefined ? "approved" : "approved with draft";
  return "draft";
}

/** `2016-02-03T22:36:23Z`: Marketo's timestamp format, without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface InstanceConfig {
  readonly behaviour: ResolvedBehaviour;
  readonly limits: ResolvedLimits;
  readonly now: () => number;
  readonly leadExists: (leadId: number) => boolean;
  readonly standardActivityTypes: readonly StandardActivityType[];
}

type Wire = Record<string, unknown>;

export class Instance {
  constructor(
    public data: StateData,
    private readonly config: InstanceConfig,
  ) {}

  private get behaviour(): ResolvedBehaviour {
    return this.config.behaviour;
  }

  private stamp(): string {
    return isoSeconds(this.config.now());
  }

  // ---- reads ----

  /** B. GET activities/external/types.json */
  list(): WireCustomActivityType[] {
    const b = this.behaviour;
    return this.data.types
      .filter((type) => {
        if (type.deleted) return b.listIncludesDeleted;
        return type.live !== undefined || b.listIncludesDrafts;
      })
      .sort((x, y) => x.id - y.id)
      .map((type) => this.render(type, type.live ?? type.draft, b.listIncludesAttributes));
  }

  /** C. GET activities/external/type/{apiName}/describe.json[?draft=true] */
  describe(apiName: string, draft: boolean): WireCustomActivityType[] {
    const type = this.find(apiName);
    const wanted = draft ? type.draft : type.live;
    if (wanted !== undefined) return [this.render(type, wanted, true)];
    const other = draft ? type.live : type.draft;
    if (this.behaviour.describeMissingVersion === "fallback" && other !== undefined)
      return [this.render(type, other, true)];
    throw new ApiFailure(
      this.behaviour.unknownTypeCode,
      `Object not found: activity type '${apiName}' has no ${draft ? "draft" : "approved"} version`,
    );
  }

  /** A. GET activities/types.json: standard types, then approved custom types (live version). */
  listActivityTypes(): WireActivityType[] {
    const standard = this.config.standardActivityTypes.map(
      (type) => structuredClone(type) as WireActivityType,
    );
    const custom = this.data.types
      .filter((type) => !type.deleted && type.live !== undefined)
      .sort((x, y) => x.id - y.id)
      .map((type) => {
        const live = type.live as VersionState;
        const primary = live.attributes.find((a) => a.isPrimary);
        const item: Wire = { id: type.id };
        if (this.behaviour.activityTypesIncludeApiName) item["apiName"] = type.apiName;
        item["name"] = live.name;
        if (live.description !== undefined) item["description"] = live.description;
        item["primaryAttribute"] =
          primary === undefined
            ? { name: "", dataType: "string" }
            : { name: primary.name, dataType: primary.dataType };
        item["attributes"] = live.attributes
          .filter((a) => !a.isPrimary)
          .map((a) => ({ apiName: a.apiName, name: a.name, dataType: a.dataType }));
        return item as WireActivityType;
      });
    return [...standard, ...custom];
  }

  // ---- type metadata writes ----

  /** D. POST activities/external/type.json */
  create(body: unknown): WireCustomActivityType[] {
    const b = this.behaviour;
    const request = parseWith(customActivityTypeRequestSchema, body, b);
    const apiName = required(b, request.apiName, "apiName");
    const name = required(b, request.name, "name");
    const triggerName = required(b, request.triggerName, "triggerName");
    const filterName = required(b, request.filterName, "filterName");
    if (request.primaryAttribute === undefined) throw blank(b, "primaryAttribute");
    if ("attributes" in request && b.attributesOnCreate === "reject")
      throw invalid(
        b,
        "attributes cannot be set when creating an activity type; add them with attributes/create.json",
      );
    checkApiName(b, apiName, "apiName");
    checkDisplayName(b, name, "name");
    const primary = this.newAttribute(request.primaryAttribute, "primaryAttribute", true, undefined);
    const version: VersionState = { name, triggerName, filterName, attributes: [primary] };
    if (request.description !== undefined) version.description = request.description;

    const existing = this.data.types.find(
      (type) => type.apiName === apiName && (!type.deleted || !b.deletedApiNameReusable),
    );
    if (existing !== undefined)
      throw new ApiFailure(
        b.duplicateApiNameCode,
        `Object already exists: an activity type with apiName '${apiName}' exists${existing.deleted ? " (deleted)" : ""}`,
      );
    this.checkNamesUnique(undefined, version);
    const count = this.data.types.filter((type) => !type.deleted).length;
    if (count >= this.config.limits.maxActivityTypes)
      throw new ApiFailure(
        "1027",
        `Max Activity Type Limit Reached: the subscription allows ${this.config.limits.maxActivityTypes} custom activity types`,
      );

    const now = this.stamp();
    const type: TypeState = {
      id: this.data.nextTypeId++,
      apiName,
      createdAt: now,
      updatedAt: now,
      draft: version,
      deleted: false,
      inUse: false,
      records: [],
    };
    this.data.types.push(type);
    const rendered = this.render(type, version, true);
    if (b.createResponseOmitsIds) {
      delete rendered.id;
      delete rendered.createdAt;
      delete rendered.updatedAt;
    }
    return [rendered];
  }

  /** E. POST activities/external/type/{apiName}.json: partial update of the draft. */
  update(apiName: string, body: unknown): WireCustomActivityType[] {
    const b = this.behaviour;
    const type = this.find(apiName);
    const request: CustomActivityTypeRequest = parseWith(customActivityTypeRequestSchema, body, b);
    if (request.apiName !== undefined && request.apiName !== apiName)
      throw new ApiFailure(
        b.immutableFieldCode,
        `Business Rule Violation: the apiName of activity type '${apiName}' cannot be changed`,
      );
    return this.edit(type, (draft) => {
      if (request.name !== undefined) {
        checkDisplayName(b, required(b, request.name, "name"), "name");
        this.checkInUse(type, "name", draft.name !== request.name);
        draft.name = request.name;
      }
      for (const field of ["triggerName", "filterName"] as const) {
        const value = request[field];
        if (value === undefined) continue;
        required(b, value, field);
        this.checkInUse(type, field, draft[field] !== value);
        draft[field] = value;
      }
      if (request.description !== undefined) {
        this.checkInUse(type, "description", draft.description !== request.description);
        draft.description = request.description;
      }
      if (request.primaryAttribute !== undefined) this.setPrimary(type, draft, request.primaryAttribute);
      this.checkNamesUnique(type, draft);
    });
  }

  /** F. POST .../approve.json: the draft replaces the live version. */
  approve(apiName: string): WireCustomActivityType[] {
    const b = this.behaviour;
    const type = this.find(apiName);
    if (type.draft === undefined)
      throw new ApiFailure(
        b.approveWithoutDraftCode,
        `Business Rule Violation: activity type '${apiName}' has no draft to approve`,
      );
    if (!type.draft.attributes.some((a) => a.isPrimary))
      throw new ApiFailure(
        b.primaryRuleCode,
        `Business Rule Violation: the draft of activity type '${apiName}' has no primary attribute; promote one before approving`,
      );
    type.live = type.draft;
    delete type.draft;
    type.updatedAt = this.stamp();
    return this.mutationResult("approveCustomActivityType", type, type.live);
  }

  /** G. POST .../discardDraft.json */
  discardDraft(apiName: string): WireCustomActivityType[] {
    const b = this.behaviour;
    const type = this.find(apiName);
    if (type.draft === undefined)
      throw new ApiFailure(
        b.discardWithoutDraftCode,
        `Business Rule Violation: activity type '${apiName}' has no draft to discard`,
      );
    if (type.live === undefined) {
      if (b.discardDraftOnDraftOnly === "error")
        throw new ApiFailure(
          b.discardWithoutDraftCode,
          `Business Rule Violation: activity type '${apiName}' was never approved; its draft is its only version (delete the type instead)`,
        );
      const draft = type.draft;
      type.deleted = true;
      type.updatedAt = this.stamp();
      return this.mutationResult("discardCustomActivityTypeDraft", type, draft);
    }
    delete type.draft;
    type.updatedAt = this.stamp();
    return this.mutationResult("discardCustomActivityTypeDraft", type, type.live);
  }

  /** H. POST .../delete.json: a soft delete (status `deleted`). */
  delete(apiName: string): WireCustomActivityType[] {
    const type = this.find(apiName);
    if (type.inUse)
      throw new ApiFailure(
        this.behaviour.inUseCode,
        `Object in use: activity type '${apiName}' is used by triggers or filters; remove it from them first`,
      );
    type.deleted = true;
    type.updatedAt = this.stamp();
    return this.mutationResult("deleteCustomActivityType", type, (type.live ?? type.draft) as VersionState);
  }

  // ---- attribute writes (always to the draft) ----

  /** I. POST .../attributes/create.json */
  createAttributes(apiName: string, body: unknown): WireCustomActivityType[] {
    const b = this.behaviour;
    const type = this.find(apiName);
    const attributes = this.attributeList(body);
    return this.edit(type, (draft) => {
      attributes.forEach((attribute, index) => {
        const where = `attributes[${index}]`;
        if (draft.attributes.some((a) => a.apiName === attribute.apiName))
          throw new ApiFailure(
            b.duplicateAttributeCode,
            `Object already exists: activity type '${apiName}' already has an attribute '${attribute.apiName}'`,
          );
        const created = this.newAttribute(attribute, where, attribute.isPrimary === true, type);
        if (created.isPrimary) {
          const current = draft.attributes.find((a) => a.isPrimary);
          if (current !== undefined) throw this.secondPrimary(apiName, current.apiName, created.apiName);
          this.checkPrimaryChange(type, created.apiName);
          this.checkInUse(type, "primaryAttribute", true);
        }
        draft.attributes.push(created);
      });
    });
  }

  /** J. POST .../attributes/update.json: apiName is the key and cannot change. */
  updateAttributes(apiName: string, body: unknown): WireCustomActivityType[] {
    const b = this.behaviour;
    const type = this.find(apiName);
    const attributes = this.attributeList(body);
    return this.edit(type, (draft) => {
      attributes.forEach((change, index) => {
        const where = `attributes[${index}]`;
        const attribute = draft.attributes.find((a) => a.apiName === change.apiName);
        if (attribute === undefined) throw this.missingAttribute(apiName, change.apiName);
        const before = { ...attribute };
        if (change.name !== undefined) attribute.name = required(b, change.name, `${where}.name`);
        if (change.description !== undefined) attribute.description = change.description;
        if (change.dataType !== undefined && change.dataType !== attribute.dataType) {
          this.checkDataTypeChange(type, attribute.apiName, change.dataType);
          attribute.dataType = change.dataType;
        }
        if (change.isPrimary === true && !attribute.isPrimary) {
          const current = draft.attributes.find((a) => a.isPrimary);
          if (current !== undefined) throw this.secondPrimary(apiName, current.apiName, attribute.apiName);
          this.checkPrimaryChange(type, attribute.apiName);
          attribute.isPrimary = true;
        } else if (change.isPrimary === false && attribute.isPrimary) {
          this.checkPrimaryChange(type, undefined);
          attribute.isPrimary = false;
        }
        if (attribute.isPrimary && !this.behaviour.primaryDataTypes.includes(attribute.dataType))
          throw this.badPrimaryType(attribute.dataType);
        const touchesPrimary =
          (before.isPrimary || attribute.isPrimary) &&
          (before.isPrimary !== attribute.isPrimary ||
            before.name !== attribute.name ||
            before.description !== attribute.description ||
            before.dataType !== attribute.dataType);
        this.checkInUse(type, "primaryAttribute", touchesPrimary);
      });
    });
  }

  /** K. POST .../attributes/delete.json: body `{attributes:[{apiName}]}`. */
  deleteAttributes(apiName: string, body: unknown): WireCustomActivityType[] {
    const b = this.behaviour;
    const type = this.find(apiName);
    const attributes = this.attributeList(body);
    return this.edit(type, (draft) => {
      for (const { apiName: attributeName } of attributes) {
        const index = draft.attributes.findIndex((a) => a.apiName === attributeName);
        const attribute = draft.attributes[index];
        if (attribute === undefined) throw this.missingAttribute(apiName, attributeName);
        if (attribute.isPrimary)
          throw new ApiFailure(
            b.primaryRuleCode,
            `Business Rule Violation: '${attributeName}' is the primary attribute of '${apiName}' and cannot be deleted; promote another attribute first`,
          );
        draft.attributes.splice(index, 1);
      }
    });
  }

  // ---- records ----

  /** L. POST activities/external.json: per-record results in input order. */
  addActivities(body: unknown): WireCustomActivityResult[] {
    const b = this.behaviour;
    const request = parseWith(customActivityRequestSchema, body, b);
    if (request.input.length === 0) throw blank(b, "input");
    if (request.input.length > MAX_RECORDS_PER_CALL)
      throw new ApiFailure(
        b.tooManyRecordsCode,
        `Invalid data: input has ${request.input.length} records; at most ${MAX_RECORDS_PER_CALL} are allowed per call`,
      );
    return request.input.map((item) => {
      try {
        const { type, record } = this.checkRecord(item);
        type.records.push(record);
        const result: WireCustomActivityResult = b.omitActivityRecordId
          ? { marketoGUID: record.marketoGUID, status: "added" }
          : { id: record.id, marketoGUID: record.marketoGUID, status: "added" };
        return result;
      } catch (error) {
        if (!(error instanceof ApiFailure)) throw error;
        return { status: "skipped", errors: [{ code: error.code, message: error.message }] };
      }
    });
  }

  private checkRecord(item: unknown): { type: TypeState; record: ActivityRecord } {
    const b = this.behaviour;
    if (item === null || typeof item !== "object" || Array.isArray(item))
      throw new ApiFailure("1003", "Invalid data: each input item must be an object");
    const raw = item as Record<string, unknown>;
    for (const key of ["leadId", "activityDate", "activityTypeId", "primaryAttributeValue", "attributes"]) {
      if (raw[key] === undefined || raw[key] === null)
        throw new ApiFailure("1002", `Missing value for required parameter '${key}'`);
    }
    const parsed = customActivityInputSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = String(issue?.path[0] ?? "input");
      const expected =
        key === "leadId" || key === "activityTypeId" ? "integer" : key === "attributes" ? "array" : "string";
      throw new ApiFailure("1001", `Invalid value '${showValue(raw[key])}'. Required of type '${expected}'`);
    }
    const input = parsed.data;
    const type = this.data.types.find((t) => t.id === input.activityTypeId && !t.deleted);
    if (type === undefined)
      throw new ApiFailure(
        b.unknownTypeCode,
        `Object not found: no activity type with id ${input.activityTypeId}`,
      );
    const live = type.live;
    if (live === undefined)
      throw new ApiFailure(
        b.notApprovedCode,
        `Invalid data: activity type '${type.apiName}' (id ${type.id}) is not approved; approve it before adding activities`,
      );
    if (input.leadId < 1 || !this.config.leadExists(input.leadId))
      throw new ApiFailure("1004", "Lead not found");
    if (!isDateTime(input.activityDate))
      throw new ApiFailure(
        "1001",
        `Invalid value '${showValue(input.activityDate)}'. Required of type 'datetime'`,
      );
    const primary = live.attributes.find((a) => a.isPrimary);
    if (primary !== undefined && !valueFits(primary.dataType, input.primaryAttributeValue))
      throw new ApiFailure(
        "1001",
        `Invalid value '${showValue(input.primaryAttributeValue)}'. Required of type '${primary.dataType}'`,
      );
    if (Buffer.byteLength(JSON.stringify(raw["attributes"]), "utf8") > MAX_ATTRIBUTES_BYTES)
      throw new ApiFailure(
        "1049",
        `Failed to Create Activity: the attributes array is longer than ${MAX_ATTRIBUTES_BYTES} bytes`,
      );
    const values: { apiName: string; value: unknown }[] = [];
    for (const entry of input.attributes) {
      const key = entry.apiName ?? entry.name;
      if (key === undefined) throw new ApiFailure("1002", "Missing value for required parameter 'name'");
      const attribute = live.attributes.find(
        (a) =>
          !a.isPrimary && (entry.apiName !== undefined ? a.apiName === entry.apiName : a.name === entry.name),
      );
      if (attribute === undefined) throw new ApiFailure("1006", `Field '${key}' not found`);
      if (!("value" in entry) || entry.value === undefined)
        throw new ApiFailure("1002", `Missing value for required parameter 'value' of '${key}'`);
      if (!valueFits(attribute.dataType, entry.value))
        throw new ApiFailure(
          "1001",
          `Invalid value '${showValue(entry.value)}'. Required of type '${attribute.dataType}'`,
        );
      values.push({ apiName: attribute.apiName, value: entry.value });
    }
    const id = this.data.nextRecordId++;
    return {
      type,
      record: {
        id,
        marketoGUID: String(id),
        leadId: input.leadId,
        activityDate: input.activityDate,
        primaryAttributeValue: input.primaryAttributeValue,
        attributes: values,
        addedAt: this.stamp(),
      },
    };
  }

  // ---- other ----

  /** Marks a type as used (or not) by triggers and filters. */
  setInUse(apiName: string, inUse: boolean): void {
    this.find(apiName).inUse = inUse;
  }

  /** The type with this apiName, not deleted, or `unknownTypeCode`. */
  find(apiName: string): TypeState {
    const type = this.data.types.find((t) => t.apiName === apiName && !t.deleted);
    if (type === undefined)
      throw new ApiFailure(
        this.behaviour.unknownTypeCode,
        `Object not found: no activity type with apiName '${apiName}'`,
      );
    return type;
  }

  // ---- helpers ----

  /** Copies live into a draft if there is none, mutates the copy, checks it, then stores it. */
  private edit(type: TypeState, mutate: (draft: VersionState) => void): WireCustomActivityType[] {
    const draft = structuredClone((type.draft ?? type.live) as VersionState);
    mutate(draft);
    const secondaries = draft.attributes.filter((a) => !a.isPrimary).length;
    const max = this.config.limits.maxAttributes;
    if (secondaries > max)
      throw new ApiFailure(
        "1028",
        `Max field limit reached: a custom activity type may have at most ${max} attributes besides the primary attribute`,
      );
    type.draft = draft;
    type.updatedAt = this.stamp();
    return [this.render(type, draft, true)];
  }

  private attributeList(body: unknown) {
    const b = this.behaviour;
    const request = parseWith(attributesRequestSchema, body, b);
    if (request.attributes.length === 0) throw blank(b, "attributes");
    const seen = new Set<string>();
    request.attributes.forEach((attribute, index) => {
      if (seen.has(attribute.apiName))
        throw invalid(b, `attributes[${index}].apiName '${attribute.apiName}' appears twice in the request`);
      seen.add(attribute.apiName);
    });
    return request.attributes;
  }

  /** Validates a new attribute (create, or a new primary). */
  private newAttribute(
    input: unknown,
    where: string,
    isPrimary: boolean,
    type: TypeState | undefined,
  ): AttributeState {
    const b = this.behaviour;
    const attribute = parseWith(attributeRequestSchema, input, b, where);
    checkApiName(b, attribute.apiName, `${where}.apiName`);
    const name = required(b, attribute.name, `${where}.name`);
    let dataType = attribute.dataType;
    if (dataType === undefined) {
      // The primary defaults to string (the docs' create example); a secondary must say its type.
      if (!isPrimary) throw blank(b, `${where}.dataType`);
      dataType = "string";
    }
    if (isPrimary && !b.primaryDataTypes.includes(dataType)) throw this.badPrimaryType(dataType);
    if (type !== undefined) this.checkDataTypeChange(type, attribute.apiName, dataType);
    const created: AttributeState = { apiName: attribute.apiName, name, dataType, isPrimary };
    if (attribute.description !== undefined) created.description = attribute.description;
    return created;
  }

  /** Update's `primaryAttribute`: edits the current primary, or sets one when there is none. */
  private setPrimary(type: TypeState, draft: VersionState, input: unknown): void {
    const b = this.behaviour;
    const change = parseWith(attributeRequestSchema, input, b, "primaryAttribute");
    const current = draft.attributes.find((a) => a.isPrimary);
    if (current !== undefined && current.apiName !== change.apiName)
      throw this.secondPrimary(type.apiName, current.apiName, change.apiName);
    const target = current ?? draft.attributes.find((a) => a.apiName === change.apiName);
    if (target === undefined) {
      const created = this.newAttribute(change, "primaryAttribute", true, type);
      this.checkPrimaryChange(type, created.apiName);
      this.checkInUse(type, "primaryAttribute", true);
      draft.attributes.push(created);
      return;
    }
    const before = { ...target };
    if (change.name !== undefined) target.name = required(b, change.name, "primaryAttribute.name");
    if (change.description !== undefined) target.description = change.description;
    if (change.dataType !== undefined && change.dataType !== target.dataType) {
      this.checkDataTypeChange(type, target.apiName, change.dataType);
      target.dataType = change.dataType;
    }
    if (!target.isPrimary) {
      this.checkPrimaryChange(type, target.apiName);
      target.isPrimary = true;
    }
    if (!b.primaryDataTypes.includes(target.dataType)) throw this.badPrimaryType(target.dataType);
    const changed =
      before.isPrimary !== target.isPrimary ||
      before.name !== target.name ||
      before.description !== target.description ||
      before.dataType !== target.dataType;
    this.checkInUse(type, "primaryAttribute", changed);
  }

  /** triggerName and filterName (and with uniqueDisplayName, name) are unique across types. */
  private checkNamesUnique(self: TypeState | undefined, version: VersionState): void {
    const b = this.behaviour;
    const fields: ("triggerName" | "filterName" | "name")[] = ["triggerName", "filterName"];
    if (b.uniqueDisplayName) fields.push("name");
    for (const other of this.data.types) {
      if (other === self || other.deleted) continue;
      for (const otherVersion of [other.live, other.draft]) {
        if (otherVersion === undefined) continue;
        for (const field of fields) {
          if (otherVersion[field] === version[field])
            throw new ApiFailure(
              b.duplicateNameCode,
              `Object already exists: ${field} '${version[field]}' is used by activity type '${other.apiName}'`,
            );
        }
      }
    }
  }

  private checkInUse(type: TypeState, field: string, changed: boolean): void {
    if (!changed || !type.inUse || type.live === undefined || !this.behaviour.rejectChangesWhenInUse) return;
    throw new ApiFailure(
      this.behaviour.immutableFieldCode,
      `Business Rule Violation: ${field} of activity type '${type.apiName}' cannot change while the type is in use`,
    );
  }

  private checkDataTypeChange(type: TypeState, attributeName: string, dataType: AttributeDataType): void {
    if (this.behaviour.dataTypeChangeAfterApproval === "allow") return;
    const live = type.live?.attributes.find((a) => a.apiName === attributeName);
    if (live !== undefined && live.dataType !== dataType)
      throw new ApiFailure(
        this.behaviour.immutableFieldCode,
        `Business Rule Violation: the dataType of attribute '${attributeName}' cannot change from '${live.dataType}' to '${dataType}' after approval`,
      );
  }

  /** With primaryChangeAfterApproval "reject": an approved type keeps its primary. */
  private checkPrimaryChange(type: TypeState, newPrimary: string | undefined): void {
    if (this.behaviour.primaryChangeAfterApproval === "allow" || type.live === undefined) return;
    const livePrimary = type.live.attributes.find((a) => a.isPrimary)?.apiName;
    if (newPrimary !== livePrimary)
      throw new ApiFailure(
        this.behaviour.immutableFieldCode,
        `Business Rule Violation: the primary attribute of activity type '${type.apiName}' cannot change after approval`,
      );
  }

  private secondPrimary(apiName: string, current: string, wanted: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.primaryRuleCode,
      `Business Rule Violation: activity type '${apiName}' already has primary attribute '${current}'; demote it (isPrimary: false) before making '${wanted}' primary`,
    );
  }

  private missingAttribute(apiName: string, attributeName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.unknownAttributeCode,
      `Field '${attributeName}' not found in activity type '${apiName}'`,
    );
  }

  private badPrimaryType(dataType: string): ApiFailure {
    return invalid(
      this.behaviour,
      `primary attribute dataType '${dataType}' is not allowed; allowed: ${this.behaviour.primaryDataTypes.join(", ")}`,
    );
  }

  private mutationResult(
    operation: ResolvedBehaviour["emptyResultOn"][number],
    type: TypeState,
    version: VersionState,
  ): WireCustomActivityType[] {
    return this.behaviour.emptyResultOn.includes(operation) ? [] : [this.render(type, version, true)];
  }

  /** A type as the wire shows it, with the fields in the docs' order. */
  render(
    type: TypeState,
    version: VersionState | undefined,
    withAttributes: boolean,
  ): WireCustomActivityType {
    const b = this.behaviour;
    const v = version as VersionState;
    const out: Wire = { id: type.id, apiName: type.apiName, name: v.name };
    if (v.description !== undefined) out["description"] = v.description;
    out["triggerName"] = v.triggerName;
    out["filterName"] = v.filterName;
    out["createdAt"] = type.createdAt;
    out["updatedAt"] = type.updatedAt;
    out["status"] = statusOf(type);
    if (withAttributes) {
      const primary = v.attributes.find((a) => a.isPrimary);
      if (primary !== undefined)
        out["primaryAttribute"] = renderAttribute(primary, b.primaryInAttributesList);
      const listed = v.attributes
        .filter((a) => b.primaryInAttributesList || !a.isPrimary)
        .map((a) => renderAttribute(a, b.primaryInAttributesList));
      if (listed.length > 0 || !b.omitEmptyAttributes) out["attributes"] = listed;
    }
    return out as WireCustomActivityType;
  }
}

function renderAttribute(attribute: AttributeState, withIsPrimary: boolean): WireAttribute {
  const out: WireAttribute = { apiName: attribute.apiName, name: attribute.name };
  if (attribute.description !== undefined) out.description = attribute.description;
  out.dataType = attribute.dataType;
  if (withIsPrimary) out.isPrimary = attribute.isPrimary;
  return out;
}

/** A required text field: missing or blank gives `missingFieldCode`. */
function required(b: ResolvedBehaviour, value: string | undefined, field: string): string {
  if (value === undefined || value.trim() === "") throw blank(b, field);
  return value;
}

/** Letters and digits, at least one letter, at most 255 characters (docs/marketo-api.md 5.1). */
function checkApiName(b: ResolvedBehaviour, value: string, field: string): void {
  if (value === "") throw blank(b, field);
  if (value.length > MAX_API_NAME_LENGTH)
    throw invalid(b, `${field} '${value.slice(0, 40)}...' is longer than ${MAX_API_NAME_LENGTH} characters`);
  if (!API_NAME_PATTERN.test(value))
    throw invalid(b, `${field} '${value}' must contain only letters and digits, with at least one letter`);
}

/** Letters, digits, spaces and underscores, at least one letter (docs/marketo-api.md 5.1). */
function checkDisplayName(b: ResolvedBehaviour, value: string, field: string): void {
  if (!DISPLAY_NAME_PATTERN.test(value))
    throw invalid(
      b,
      `${field} '${value}' must contain only letters, digits, spaces and underscores, with at least one letter`,
    );
}

/** The data types, re-exported for the seed and persistence checks. */
export const ALL_DATA_TYPES: readonly AttributeDataType[] = DATA_TYPES;
