/** The state snapshot (`Emulator.state()`): a deep copy of the instance in the public shapes of types.ts. */
import type { QuotaSnapshot } from "./limits.js";
import {
  type AttributeState,
  type InstanceData,
  statusOf,
  type TypeState,
  type VersionState,
} from "./model.js";
import type { EmulatorSnapshot, SnapshotActivityType, SnapshotAttribute, SnapshotVersion } from "./types.js";

export function snapshotOf(data: InstanceData, quota: QuotaSnapshot): EmulatorSnapshot {
  return { activityTypes: data.types.map(snapshotType), quota };
}

function snapshotType(type: TypeState): SnapshotActivityType {
  return {
    id: type.id,
    apiName: type.apiName,
    status: statusOf(type),
    createdAt: type.createdAt,
    updatedAt: type.updatedAt,
    inUse: type.inUse,
    ...(type.live === undefined ? {} : { live: snapshotVersion(type.live) }),
    ...(type.draft === undefined ? {} : { draft: snapshotVersion(type.draft) }),
    records: structuredClone(type.records),
  };
}

function snapshotVersion(version: VersionState): SnapshotVersion {
  const primary = version.attributes.find((a) => a.isPrimary);
  return {
    name: version.name,
    ...(version.description === undefined ? {} : { description: version.description }),
    triggerName: version.triggerName,
    filterName: version.filterName,
    ...(primary === undefined ? {} : { primaryAttribute: snapshotAttribute(primary) }),
    attributes: version.attributes.filter((a) => !a.isPrimary).map(snapshotAttribute),
  };
}

function snapshotAttribute(attribute: AttributeState): SnapshotAttribute {
  const { apiName, name, dataType, description } = attribute;
  return description === undefined ? { apiName, name, dataType } : { apiName, name, dataType, description };
}
