/**
 * The emulated instance: the operations of docs/marketo-api.md section 4 on custom activity types and
 * their live and draft versions (the draft/approve cycle of section 7.1, the rules of sections 5 and
 * 7.2). Every operation returns the wire `result` array or throws an `ApiFailure`; edits work on a
 * copy, so a failed call changes nothing.
 */
import { messageForCode } from "../marketo/codes.js";
import {
  attributeRequestSchema,
  type CustomActivityTypeRequest,
  customActivityTypeRequestSchema,
} from "../marketo/wire.js";
import type { Answer } from "./envelope.js";
import { ApiFailure } from "./failure.js";
import {
  draftOrLive,
  type InstanceData,
  isoSeconds,
  liveOrDraft,
  type TypeState,
  type VersionState,
} from "./model.js";
import type { ResolvedBehaviour, ResolvedLimits, StandardActivityType } from "./options.js";
import { parseWith } from "./parse.js";
import { RecordIntake } from "./records.js";
import { Refusals } from "./refusals.js";
import {
  type RenderedActivityType,
  type RenderedRecordResult,
  type RenderedType,
  renderActivityType,
  renderStandardType,
  renderType,
  TYPE_DESCRIPTION,
} from "./render.js";
import { Rules } from "./rules.js";

export interface EmulatedInstanceConfig {
  readonly behaviour: ResolvedBehaviour;
  readonly limits: ResolvedLimits;
  readonly now: () => number;
  readonly leadExists: (leadId: number) => boolean;
  readonly standardActivityTypes: readonly StandardActivityType[];
}

/** The operations whose success result `emptyResultOn` can empty. */
type EmptiableOperation = ResolvedBehaviour["emptyResultOn"][number];

export class EmulatedInstance {
  private readonly behaviour: ResolvedBehaviour;
  private readonly refuse: Refusals;
  private readonly rules: Rules;
  private readonly records: RecordIntake;

  constructor(
    readonly data: InstanceData,
    private readonly config: EmulatedInstanceConfig,
  ) {
    this.behaviour = config.behaviour;
    this.refuse = new Refusals(config.behaviour);
    this.rules = new Rules(config.behaviour, this.refuse, data);
    this.records = new RecordIntake(data, this.refuse, config);
  }

  // ---- reads ----

  /** A. GET activities/types.json: standard types, then approved custom types (live version); `listOrder`. */
  listActivityTypes(): RenderedActivityType[] {
    const custom = this.data.types
      .filter((type) => !type.deleted)
      .sort((x, y) => x.id - y.id)
      .flatMap((type) =>
        type.live === undefined ? [] : [renderActivityType(type, type.live, this.behaviour)],
      );
    const standard = this.config.standardActivityTypes.map((type) =>
      renderStandardType(type, this.behaviour),
    );
    return this.ordered([...standard, ...custom]);
  }

  /** B. GET activities/external/types.json; `listOrder`, and `emptyList` when nothing is listed. */
  list(): Answer {
    const { listIncludesDeleted, listIncludesDrafts, listIncludesAttributes, emptyList } = this.behaviour;
    const listed = this.data.types
      .filter((type) => (type.deleted ? listIncludesDeleted : type.live !== undefined || listIncludesDrafts))
      .sort((x, y) => x.id - y.id)
      .map((type) =>
        renderType(type, liveOrDraft(type), this.behaviour, { attributes: listIncludesAttributes }),
      );
    if (listed.length > 0 || emptyList === "result") return { result: this.ordered(listed) };
    if (emptyList === "702") throw new ApiFailure("702", messageForCode("702"));
    return { result: [], warnings: [{ code: 702, message: messageForCode("702") }] };
  }

  /** C. GET activities/external/type/{apiName}/describe.json[?draft=true] */
  describe(apiName: string, draft: boolean): RenderedType[] {
    const type = this.find(apiName);
    const wanted = draft ? type.draft : type.live;
    if (wanted !== undefined) return [this.render(type, wanted)];
    const other = draft ? type.live : type.draft;
    if (this.behaviour.describeMissingVersion === "fallback" && other !== undefined)
      return [this.render(type, other)];
    throw this.refuse.missingVersion(apiName, draft);
  }

  // ---- type metadata writes ----

  /** D. POST activities/external/type.json: a new type whose only version is a draft. */
  create(body: unknown): RenderedType[] {
    const request = parseWith(customActivityTypeRequestSchema, body, this.refuse);
    const apiName = this.rules.required(request.apiName, "apiName");
    const name = this.rules.required(request.name, "name");
    const triggerName = this.rules.required(request.triggerName, "triggerName");
    const filterName = this.rules.required(request.filterName, "filterName");
    if (request.primaryAttribute === undefined) throw this.refuse.blank("primaryAttribute");
    if ("attributes" in request && this.behaviour.attributesOnCreate === "reject")
      throw this.refuse.invalid(
        "attributes cannot be set when creating an activity type; add them with attributes/create.json",
      );
    this.rules.checkApiName(apiName, "apiName");
    this.rules.checkDisplayName(name, "name");
    const nulled = new Set<string>();
    const primary = this.rules.newAttribute(
      request.primaryAttribute,
      "primaryAttribute",
      true,
      undefined,
      nulled,
    );
    const version: VersionState = { name, triggerName, filterName, attributes: [primary] };
    this.rules.writeDescription(version, request.description, nulled, TYPE_DESCRIPTION);

    const reusable = this.behaviour.deletedApiNameReusable;
    const existing = this.data.types.find((type) => type.apiName === apiName && (!type.deleted || !reusable));
    if (existing !== undefined) throw this.refuse.duplicateApiName(apiName, existing.deleted);
    this.rules.checkNamesUnique(undefined, version);
    const max = this.config.limits.maxActivityTypes;
    if (this.data.types.filter((type) => !type.deleted).length >= max)
      throw new ApiFailure(
        "1027",
        `Max Activity Type Limit Reached: the subscription allows ${max} custom activity types`,
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
    const ids = !this.behaviour.createResponseOmitsIds;
    return [renderType(type, version, this.behaviour, { ids, nulledDescriptions: nulled })];
  }

  /** E. POST activities/external/type/{apiName}.json: partial update of the draft. */
  update(apiName: string, body: unknown): RenderedType[] {
    const type = this.find(apiName);
    const request: CustomActivityTypeRequest = parseWith(customActivityTypeRequestSchema, body, this.refuse);
    if (request.apiName !== undefined && request.apiName !== apiName)
      throw this.refuse.apiNameChange(apiName);
    if (request.primaryAttribute !== undefined)
      this.rules.checkAttributeNamed(request.primaryAttribute, "primaryAttribute");
    const rules = this.rules;
    return this.edit(type, (draft, nulled) => {
      if (request.name !== undefined) {
        rules.checkDisplayName(rules.required(request.name, "name"), "name");
        rules.checkUnchangedWhileInUse(type, "name", draft.name !== request.name);
        draft.name = request.name;
      }
      for (const field of ["triggerName", "filterName"] as const) {
        const value = request[field];
        if (value === undefined) continue;
        rules.required(value, field);
        rules.checkUnchangedWhileInUse(type, field, draft[field] !== value);
        draft[field] = value;
      }
      const description = draft.description;
      rules.writeDescription(draft, request.description, nulled, TYPE_DESCRIPTION);
      rules.checkUnchangedWhileInUse(type, "description", draft.description !== description);
      if (request.primaryAttribute !== undefined)
        this.setPrimary(type, draft, request.primaryAttribute, nulled);
      rules.checkNamesUnique(type, draft);
    });
  }

  /** F. POST .../approve.json: the draft replaces the live version. */
  approve(apiName: string): RenderedType[] {
    const type = this.find(apiName);
    const draft = type.draft;
    if (draft === undefined) throw this.refuse.approveWithoutDraft(apiName);
    if (!draft.attributes.some((a) => a.isPrimary)) throw this.refuse.approveWithoutPrimary(apiName);
    type.live = draft;
    delete type.draft;
    type.updatedAt = this.stamp();
    return this.mutationResult("approveCustomActivityType", type, draft);
  }

  /** G. POST .../discardDraft.json */
  discardDraft(apiName: string): RenderedType[] {
    const type = this.find(apiName);
    if (type.draft === undefined) throw this.refuse.discardWithoutDraft(apiName);
    if (type.live === undefined) {
      if (this.behaviour.discardDraftOnDraftOnly === "error") throw this.refuse.discardOnlyVersion(apiName);
      type.deleted = true;
      type.updatedAt = this.stamp();
      return this.mutationResult("discardCustomActivityTypeDraft", type, type.draft);
    }
    delete type.draft;
    type.updatedAt = this.stamp();
    return this.mutationResult("discardCustomActivityTypeDraft", type, type.live);
  }

  /** H. POST .../delete.json: a soft delete (status `deleted`). */
  delete(apiName: string): RenderedType[] {
    const type = this.find(apiName);
    if (type.inUse) throw this.refuse.deleteInUse(apiName);
    type.deleted = true;
    type.updatedAt = this.stamp();
    return this.mutationResult("deleteCustomActivityType", type, liveOrDraft(type));
  }

  // ---- attribute writes (always to the draft) ----

  /** I. POST .../attributes/create.json */
  createAttributes(apiName: string, body: unknown): RenderedType[] {
    const type = this.find(apiName);
    const attributes = this.rules.attributeList(body);
    const rules = this.rules;
    return this.edit(type, (draft, nulled) => {
      attributes.forEach((attribute, index) => {
        if (draft.attributes.some((a) => a.apiName === attribute.apiName))
          throw this.refuse.duplicateAttribute(apiName, attribute.apiName);
        const isPrimary = attribute.isPrimary === true;
        const created = rules.newAttribute(attribute, `attributes[${index}]`, isPrimary, type, nulled);
        if (created.isPrimary) {
          const current = draft.attributes.find((a) => a.isPrimary);
          if (current !== undefined)
            throw this.refuse.secondPrimary(apiName, current.apiName, created.apiName);
          rules.checkPrimaryChange(type, created.apiName);
          rules.checkUnchangedWhileInUse(type, "primaryAttribute", true);
        }
        draft.attributes.push(created);
      });
    });
  }

  /** J. POST .../attributes/update.json: apiName is the key and cannot change. */
  updateAttributes(apiName: string, body: unknown): RenderedType[] {
    const type = this.find(apiName);
    const changes = this.rules.attributeList(body);
    const rules = this.rules;
    changes.forEach((change, index) => {
      rules.checkAttributeNamed(change, `attributes[${index}]`);
    });
    return this.edit(type, (draft, nulled) => {
      changes.forEach((change, index) => {
        const attribute = draft.attributes.find((a) => a.apiName === change.apiName);
        if (attribute === undefined) throw this.refuse.unknownAttribute(apiName, change.apiName);
        const before = { ...attribute };
        if (change.name !== undefined)
          attribute.name = rules.required(change.name, `attributes[${index}].name`);
        rules.writeDescription(attribute, change.description, nulled, attribute.apiName);
        if (change.dataType !== undefined && change.dataType !== attribute.dataType) {
          rules.checkDataTypeChange(type, attribute.apiName, change.dataType);
          attribute.dataType = change.dataType;
        }
        if (change.isPrimary === true && !attribute.isPrimary) {
          const current = draft.attributes.find((a) => a.isPrimary);
          if (current !== undefined)
            throw this.refuse.secondPrimary(apiName, current.apiName, attribute.apiName);
          rules.checkPrimaryChange(type, attribute.apiName);
          attribute.isPrimary = true;
        } else if (change.isPrimary === false && attribute.isPrimary) {
          rules.checkPrimaryChange(type, undefined);
          attribute.isPrimary = false;
        }
        if (attribute.isPrimary) rules.checkPrimaryDataType(attribute.dataType);
        const touchesPrimary =
          (before.isPrimary || attribute.isPrimary) &&
          (before.isPrimary !== attribute.isPrimary ||
            before.name !== attribute.name ||
            before.description !== attribute.description ||
            before.dataType !== attribute.dataType);
        rules.checkUnchangedWhileInUse(type, "primaryAttribute", touchesPrimary);
      });
    });
  }

  /** K. POST .../attributes/delete.json: body `{attributes:[{apiName}]}`. */
  deleteAttributes(apiName: string, body: unknown): RenderedType[] {
    const type = this.find(apiName);
    const attributes = this.rules.attributeList(body);
    return this.edit(type, (draft) => {
      for (const { apiName: attributeName } of attributes) {
        const index = draft.attributes.findIndex((a) => a.apiName === attributeName);
        const attribute = draft.attributes[index];
        if (attribute === undefined) throw this.refuse.unknownAttribute(apiName, attributeName);
        if (attribute.isPrimary) throw this.refuse.deletePrimary(apiName, attributeName);
        draft.attributes.splice(index, 1);
      }
    });
  }

  // ---- records ----

  /** L. POST activities/external.json: per-record results in input order. */
  addActivities(body: unknown): RenderedRecordResult[] {
    return this.records.add(body);
  }

  // ---- other ----

  /** Marks a type as used (or not) by triggers and filters. */
  setInUse(apiName: string, inUse: boolean): void {
    this.find(apiName).inUse = inUse;
  }

  /** The type with this apiName, not deleted, or the unknown-type refusal. */
  find(apiName: string): TypeState {
    const type = this.data.types.find((t) => t.apiName === apiName && !t.deleted);
    if (type === undefined) throw this.refuse.unknownType(apiName);
    return type;
  }

  // ---- helpers ----

  private stamp(): string {
    return isoSeconds(this.config.now());
  }

  /**
   * Copies live into a draft if there is none, mutates the copy, checks it, then stores it. `mutate`
   * adds to `nulled` the descriptions it cleared under `emptyDescription: "null"`.
   */
  private edit(type: TypeState, mutate: (draft: VersionState, nulled: Set<string>) => void): RenderedType[] {
    const draft = structuredClone(draftOrLive(type));
    const nulled = new Set<string>();
    mutate(draft, nulled);
    const secondaries = draft.attributes.filter((a) => !a.isPrimary).length;
    const max = this.config.limits.maxAttributes;
    if (secondaries > max)
      throw new ApiFailure(
        "1028",
        `Max field limit reached: a custom activity type may have at most ${max} attributes besides the primary attribute`,
      );
    type.draft = draft;
    type.updatedAt = this.stamp();
    return [renderType(type, draft, this.behaviour, { nulledDescriptions: nulled })];
  }

  /** Update's `primaryAttribute`: edits the current primary, or sets one when there is none. */
  private setPrimary(type: TypeState, draft: VersionState, input: unknown, nulled: Set<string>): void {
    const rules = this.rules;
    const change = parseWith(attributeRequestSchema, input, this.refuse, "primaryAttribute");
    const current = draft.attributes.find((a) => a.isPrimary);
    if (current !== undefined && current.apiName !== change.apiName)
      throw this.refuse.secondPrimary(type.apiName, current.apiName, change.apiName);
    const target = current ?? draft.attributes.find((a) => a.apiName === change.apiName);
    if (target === undefined) {
      const created = rules.newAttribute(change, "primaryAttribute", true, type, nulled);
      rules.checkPrimaryChange(type, created.apiName);
      rules.checkUnchangedWhileInUse(type, "primaryAttribute", true);
      draft.attributes.push(created);
      return;
    }
    const before = { ...target };
    if (change.name !== undefined) target.name = rules.required(change.name, "primaryAttribute.name");
    rules.writeDescription(target, change.description, nulled, target.apiName);
    if (change.dataType !== undefined && change.dataType !== target.dataType) {
      rules.checkDataTypeChange(type, target.apiName, change.dataType);
      target.dataType = change.dataType;
    }
    if (!target.isPrimary) {
      rules.checkPrimaryChange(type, target.apiName);
      target.isPrimary = true;
    }
    rules.checkPrimaryDataType(target.dataType);
    const changed =
      before.isPrimary !== target.isPrimary ||
      before.name !== target.name ||
      before.description !== target.description ||
      before.dataType !== target.dataType;
    rules.checkUnchangedWhileInUse(type, "primaryAttribute", changed);
  }

  /** A type with one of its versions, attributes included. */
  private render(type: TypeState, version: VersionState): RenderedType {
    return renderType(type, version, this.behaviour);
  }

  /** The order of list entries (`listOrder`): the lists are built in ascending id order. */
  private ordered<T>(entries: T[]): T[] {
    return this.behaviour.listOrder === "reverse" ? entries.reverse() : entries;
  }

  /** The type as the write left it, or `[]` for the operations in `emptyResultOn`. */
  private mutationResult(
    operation: EmptiableOperation,
    type: TypeState,
    version: VersionState,
  ): RenderedType[] {
    return this.behaviour.emptyResultOn.includes(operation) ? [] : [this.render(type, version)];
  }
}
