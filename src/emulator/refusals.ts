/**
 * The refusals whose code a behaviour option chooses (docs/marketo-api.md section 8 leaves them open;
 * docs/emulator.md gives the defaults), one method per rule, each with its message. The model says
 * which rule a request broke; this says how Marketo answers it.
 */
import { ApiFailure } from "./failure.js";
import type { ResolvedBehaviour } from "./options.js";

export class Refusals {
  constructor(private readonly behaviour: ResolvedBehaviour) {}

  /** A required field missing or blank: `%s cannot be blank` (701). */
  blank(field: string): ApiFailure {
    return new ApiFailure(this.behaviour.missingFieldCode, `${field || "body"} cannot be blank`);
  }

  /** A field whose value breaks a rule: Invalid data (1003). */
  invalid(detail?: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.invalidValueCode,
      detail === undefined ? "Invalid data" : `Invalid data: ${detail}`,
    );
  }

  unknownType(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.unknownTypeCode,
      `Object not found: no activity type with apiName '${apiName}'`,
    );
  }

  unknownTypeId(id: number): ApiFailure {
    return new ApiFailure(this.behaviour.unknownTypeCode, `Object not found: no activity type with id ${id}`);
  }

  /** Describe of a version the type lacks, with `describeMissingVersion: "error"`. */
  missingVersion(apiName: string, draft: boolean): ApiFailure {
    return new ApiFailure(
      this.behaviour.unknownTypeCode,
      `Object not found: activity type '${apiName}' has no ${draft ? "draft" : "approved"} version`,
    );
  }

  duplicateApiName(apiName: string, deleted: boolean): ApiFailure {
    return new ApiFailure(
      this.behaviour.duplicateApiNameCode,
      `Object already exists: an activity type with apiName '${apiName}' exists${deleted ? " (deleted)" : ""}`,
    );
  }

  /** triggerName, filterName (or, with uniqueDisplayName, name) used by another type. */
  duplicateName(field: string, value: string, otherApiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.duplicateNameCode,
      `Object already exists: ${field} '${value}' is used by activity type '${otherApiName}'`,
    );
  }

  duplicateAttribute(apiName: string, attributeName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.duplicateAttributeCode,
      `Object already exists: activity type '${apiName}' already has an attribute '${attributeName}'`,
    );
  }

  unknownAttribute(apiName: string, attributeName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.unknownAttributeCode,
      `Field '${attributeName}' not found in activity type '${apiName}'`,
    );
  }

  approveWithoutDraft(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.approveWithoutDraftCode,
      `Business Rule Violation: activity type '${apiName}' has no draft to approve`,
    );
  }

  discardWithoutDraft(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.discardWithoutDraftCode,
      `Business Rule Violation: activity type '${apiName}' has no draft to discard`,
    );
  }

  /** discardDraft of a never-approved type, with `discardDraftOnDraftOnly: "error"`. */
  discardOnlyVersion(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.discardWithoutDraftCode,
      `Business Rule Violation: activity type '${apiName}' was never approved; its draft is its only version (delete the type instead)`,
    );
  }

  approveWithoutPrimary(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.primaryRuleCode,
      `Business Rule Violation: the draft of activity type '${apiName}' has no primary attribute; promote one before approving`,
    );
  }

  secondPrimary(apiName: string, current: string, wanted: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.primaryRuleCode,
      `Business Rule Violation: activity type '${apiName}' already has primary attribute '${current}'; demote it (isPrimary: false) before making '${wanted}' primary`,
    );
  }

  deletePrimary(apiName: string, attributeName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.primaryRuleCode,
      `Business Rule Violation: '${attributeName}' is the primary attribute of '${apiName}' and cannot be deleted; promote another attribute first`,
    );
  }

  apiNameChange(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.immutableFieldCode,
      `Business Rule Violation: the apiName of activity type '${apiName}' cannot be changed`,
    );
  }

  changeWhileInUse(apiName: string, field: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.immutableFieldCode,
      `Business Rule Violation: ${field} of activity type '${apiName}' cannot change while the type is in use`,
    );
  }

  dataTypeChange(attributeName: string, from: string, to: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.immutableFieldCode,
      `Business Rule Violation: the dataType of attribute '${attributeName}' cannot change from '${from}' to '${to}' after approval`,
    );
  }

  primaryChange(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.immutableFieldCode,
      `Business Rule Violation: the primary attribute of activity type '${apiName}' cannot change after approval`,
    );
  }

  primaryDataType(dataType: string): ApiFailure {
    return this.invalid(
      `primary attribute dataType '${dataType}' is not allowed; allowed: ${this.behaviour.primaryDataTypes.join(", ")}`,
    );
  }

  deleteInUse(apiName: string): ApiFailure {
    return new ApiFailure(
      this.behaviour.inUseCode,
      `Object in use: activity type '${apiName}' is used by triggers or filters; remove it from them first`,
    );
  }

  tooManyRecords(count: number, max: number): ApiFailure {
    return new ApiFailure(
      this.behaviour.tooManyRecordsCode,
      `Invalid data: input has ${count} records; at most ${max} are allowed per call`,
    );
  }

  notApproved(apiName: string, id: number): ApiFailure {
    return new ApiFailure(
      this.behaviour.notApprovedCode,
      `Invalid data: activity type '${apiName}' (id ${id}) is not approved; approve it before adding activities`,
    );
  }
}
