/**
 * The rules a type edit must keep (docs/marketo-api.md 5.1 and 7.2), with the behaviour options that
 * loosen or tighten them. Each check throws the refusal Marketo would answer, or returns.
 */
import { attributeRequestSchema, attributesRequestSchema } from "../marketo/wire.js";
import {
  API_NAME_PATTERN,
  ASCII_DISPLAY_NAME_PATTERN,
  type AttributeDataType,
  DISPLAY_NAME_PATTERN,
  MAX_API_NAME_LENGTH,
} from "../schema/index.js";
import type { AttributeState, InstanceData, TypeState, VersionState } from "./model.js";
import type { ResolvedBehaviour } from "./options.js";
import { parseWith } from "./parse.js";
import type { Refusals } from "./refusals.js";

export class Rules {
  constructor(
    private readonly behaviour: ResolvedBehaviour,
    private readonly refuse: Refusals,
    private readonly data: InstanceData,
  ) {}

  /** A required text field: missing or blank is refused as blank. */
  required(value: string | undefined, field: string): string {
    if (value === undefined || value.trim() === "") throw this.refuse.blank(field);
    return value;
  }

  /** Letters and digits, at least one letter, at most 255 characters (docs/marketo-api.md 5.1). */
  checkApiName(value: string, field: string): void {
    if (value === "") throw this.refuse.blank(field);
    if (value.length > MAX_API_NAME_LENGTH)
      throw this.refuse.invalid(
        `${field} '${value.slice(0, 40)}...' is longer than ${MAX_API_NAME_LENGTH} characters`,
      );
    if (!API_NAME_PATTERN.test(value))
      throw this.refuse.invalid(
        `${field} '${value}' must contain only letters and digits, with at least one letter`,
      );
  }

  /** Letters, digits, spaces and underscores, at least one letter (docs/marketo-api.md 5.1; `displayNames`). */
  checkDisplayName(value: string, field: string): void {
    const rule = displayNameRule(this.behaviour.displayNames);
    if (!rule.pattern.test(value))
      throw this.refuse.invalid(
        `${field} '${value}' must contain only ${rule.allowed}, with at least one letter`,
      );
  }

  /** `attributeNameRequired`: an attribute object of an update names itself (the swagger's `required`). */
  checkAttributeNamed(attribute: unknown, where: string): void {
    if (!this.behaviour.attributeNameRequired) return;
    const name = isObject(attribute) ? attribute["name"] : undefined;
    if (name === undefined || name === null) throw this.refuse.blank(`${where}.name`);
  }

  /**
   * Writes a `description` the request sent (none: nothing to do) under `emptyDescription`; adds `key`
   * to `nulled` when the answer must show the cleared description as `null`.
   */
  writeDescription(
    target: { description?: string | undefined },
    value: string | undefined,
    nulled: Set<string>,
    key: string,
  ): void {
    if (value === undefined) return;
    if (value !== "") {
      target.description = value;
      return;
    }
    switch (this.behaviour.emptyDescription) {
      case "store":
        target.description = "";
        return;
      case "ignore":
        return;
      case "null":
        nulled.add(key);
        delete target.description;
        return;
      case "omit":
        delete target.description;
        return;
    }
  }

  /** The `attributes` of an attribute request: not empty, no apiName twice. */
  attributeList(body: unknown) {
    const request = parseWith(attributesRequestSchema, body, this.refuse);
    if (request.attributes.length === 0) throw this.refuse.blank("attributes");
    const seen = new Set<string>();
    request.attributes.forEach((attribute, index) => {
      if (seen.has(attribute.apiName))
        throw this.refuse.invalid(
          `attributes[${index}].apiName '${attribute.apiName}' appears twice in the request`,
        );
      seen.add(attribute.apiName);
    });
    return request.attributes;
  }

  /** Validates a new attribute (create, or a new primary); `type` is absent while the type is created. */
  newAttribute(
    input: unknown,
    where: string,
    isPrimary: boolean,
    type: TypeState | undefined,
    nulled: Set<string>,
  ): AttributeState {
    const attribute = parseWith(attributeRequestSchema, input, this.refuse, where);
    this.checkApiName(attribute.apiName, `${where}.apiName`);
    const name = this.required(attribute.name, `${where}.name`);
    let dataType = attribute.dataType;
    if (dataType === undefined) {
      // The primary defaults to string (the docs' create example); a secondary must say its type.
      if (!isPrimary) throw this.refuse.blank(`${where}.dataType`);
      dataType = "string";
    }
    if (isPrimary) this.checkPrimaryDataType(dataType);
    if (type !== undefined) this.checkDataTypeChange(type, attribute.apiName, dataType);
    const created: AttributeState = { apiName: attribute.apiName, name, dataType, isPrimary };
    this.writeDescription(created, attribute.description, nulled, attribute.apiName);
    return created;
  }

  /** `primaryDataTypes`: the data types a primary attribute may have. */
  checkPrimaryDataType(dataType: AttributeDataType): void {
    if (!this.behaviour.primaryDataTypes.includes(dataType)) throw this.refuse.primaryDataType(dataType);
  }

  /** triggerName and filterName (and with `uniqueDisplayName`, name) are unique across types. */
  checkNamesUnique(self: TypeState | undefined, version: VersionState): void {
    const fields: ("triggerName" | "filterName" | "name")[] = ["triggerName", "filterName"];
    if (this.behaviour.uniqueDisplayName) fields.push("name");
    for (const other of this.data.types) {
      if (other === self || other.deleted) continue;
      for (const otherVersion of [other.live, other.draft]) {
        if (otherVersion === undefined) continue;
        for (const field of fields) {
          if (otherVersion[field] === version[field])
            throw this.refuse.duplicateName(field, version[field], other.apiName);
        }
      }
    }
  }

  /** `rejectChangesWhenInUse`: an approved type used by triggers or filters keeps `field`. */
  checkUnchangedWhileInUse(type: TypeState, field: string, changed: boolean): void {
    if (!changed || !type.inUse || type.live === undefined || !this.behaviour.rejectChangesWhenInUse) return;
    throw this.refuse.changeWhileInUse(type.apiName, field);
  }

  /** `dataTypeChangeAfterApproval: "reject"`: an attribute keeps the data type its live version has. */
  checkDataTypeChange(type: TypeState, attributeName: string, dataType: AttributeDataType): void {
    if (this.behaviour.dataTypeChangeAfterApproval === "allow") return;
    const live = type.live?.attributes.find((a) => a.apiName === attributeName);
    if (live !== undefined && live.dataType !== dataType)
      throw this.refuse.dataTypeChange(attributeName, live.dataType, dataType);
  }

  /** `primaryChangeAfterApproval: "reject"`: an approved type keeps its primary. */
  checkPrimaryChange(type: TypeState, newPrimary: string | undefined): void {
    if (this.behaviour.primaryChangeAfterApproval === "allow" || type.live === undefined) return;
    const livePrimary = type.live.attributes.find((a) => a.isPrimary)?.apiName;
    if (newPrimary !== livePrimary) throw this.refuse.primaryChange(type.apiName);
  }
}

/** The display-name rule of `behaviour.displayNames`, with its wording for a refusal. */
export function displayNameRule(displayNames: ResolvedBehaviour["displayNames"]): {
  readonly pattern: RegExp;
  readonly allowed: string;
} {
  return displayNames === "ascii"
    ? { pattern: ASCII_DISPLAY_NAME_PATTERN, allowed: "letters A-Z, digits 0-9, spaces and underscores" }
    : { pattern: DISPLAY_NAME_PATTERN, allowed: "letters, digits, spaces and underscores" };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
