/**
 * Record intake: Add Custom Activities (docs/marketo-api.md 4.2), which checks each record on its own
 * and answers per record in input order, adding the ones that pass to their type.
 */
import { customActivityInputSchema, customActivityRequestSchema } from "../marketo/wire.js";
import { MAX_ACTIVITIES_PER_CALL, MAX_ATTRIBUTE_VALUES_BYTES } from "../schema/index.js";
import { isIsoDateTime, valueFits } from "../schema/values.js";
import { ApiFailure } from "./failure.js";
import { type ActivityRecord, type InstanceData, isoSeconds, type TypeState } from "./model.js";
import type { ResolvedBehaviour } from "./options.js";
import { parseWith } from "./parse.js";
import type { Refusals } from "./refusals.js";
import { type RenderedRecordResult, renderRecordResult } from "./render.js";
import { showValue } from "./values.js";

const REQUIRED_KEYS = ["leadId", "activityDate", "activityTypeId", "primaryAttributeValue", "attributes"];

export interface RecordIntakeConfig {
  readonly behaviour: ResolvedBehaviour;
  readonly now: () => number;
  readonly leadExists: (leadId: number) => boolean;
}

export class RecordIntake {
  constructor(
    private readonly data: InstanceData,
    private readonly refuse: Refusals,
    private readonly config: RecordIntakeConfig,
  ) {}

  /** L. POST activities/external.json: per-record results in input order. */
  add(body: unknown): RenderedRecordResult[] {
    const request = parseWith(customActivityRequestSchema, body, this.refuse);
    if (request.input.length === 0) throw this.refuse.blank("input");
    if (request.input.length > MAX_ACTIVITIES_PER_CALL)
      throw this.refuse.tooManyRecords(request.input.length, MAX_ACTIVITIES_PER_CALL);
    const { behaviour } = this.config;
    return request.input.map((item) => {
      try {
        const { type, record } = this.check(item);
        type.records.push(record);
        const id = behaviour.omitActivityRecordId ? undefined : record.id;
        return renderRecordResult({ status: "added", id, marketoGUID: record.marketoGUID }, behaviour);
      } catch (error) {
        if (!(error instanceof ApiFailure)) throw error;
        const errors = [{ code: error.code, message: error.message }];
        return renderRecordResult({ status: "skipped", errors }, behaviour);
      }
    });
  }

  /** Checks one input record against its type's live version; numbers it when it passes. */
  private check(item: unknown): { type: TypeState; record: ActivityRecord } {
    if (item === null || typeof item !== "object" || Array.isArray(item))
      throw new ApiFailure("1003", "Invalid data: each input item must be an object");
    const raw = item as Record<string, unknown>;
    for (const key of REQUIRED_KEYS) {
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
    if (type === undefined) throw this.refuse.unknownTypeId(input.activityTypeId);
    const live = type.live;
    if (live === undefined) throw this.refuse.notApproved(type.apiName, type.id);
    if (input.leadId < 1 || !this.config.leadExists(input.leadId))
      throw new ApiFailure("1004", "Lead not found");
    if (!isIsoDateTime(input.activityDate))
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
    if (Buffer.byteLength(JSON.stringify(raw["attributes"]), "utf8") > MAX_ATTRIBUTE_VALUES_BYTES)
      throw new ApiFailure(
        "1049",
        `Failed to Create Activity: the attributes array is longer than ${MAX_ATTRIBUTE_VALUES_BYTES} bytes`,
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
        addedAt: isoSeconds(this.config.now()),
      },
    };
  }
}
