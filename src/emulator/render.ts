/**
 * The instance's types as the wire shows them (docs/marketo-api.md section 4), with the fields in
 * the order of the docs' examples and the rendering choices of the behaviour options.
 */
import type { WireActivityType, WireAttribute, WireCustomActivityType } from "../marketo/wire.js";
import { type AttributeState, statusOf, type TypeState, type VersionState } from "./model.js";
import type { ResolvedBehaviour, StandardActivityType } from "./options.js";

type RenderBehaviour = Pick<
  ResolvedBehaviour,
  "primaryInAttributesList" | "omitEmptyAttributes" | "activityTypesIncludeApiName"
>;

/** A custom activity type with one of its versions, as list, describe and the writes return it. */
export function renderType(
  type: TypeState,
  version: VersionState,
  withAttributes: boolean,
  behaviour: RenderBehaviour,
): WireCustomActivityType {
  const out: WireCustomActivityType = { id: type.id, apiName: type.apiName, name: version.name };
  if (version.description !== undefined) out.description = version.description;
  out.triggerName = version.triggerName;
  out.filterName = version.filterName;
  out.createdAt = type.createdAt;
  out.updatedAt = type.updatedAt;
  out.status = statusOf(type);
  if (withAttributes) {
    const listsPrimary = behaviour.primaryInAttributesList;
    const primary = version.attributes.find((a) => a.isPrimary);
    if (primary !== undefined) out.primaryAttribute = renderAttribute(primary, listsPrimary);
    const listed = version.attributes
      .filter((a) => listsPrimary || !a.isPrimary)
      .map((a) => renderAttribute(a, listsPrimary));
    if (listed.length > 0 || !behaviour.omitEmptyAttributes) out.attributes = listed;
  }
  return out;
}

/** An approved custom type in GET activities/types.json: its live version, in the standard types' shape. */
export function renderActivityType(
  type: TypeState,
  live: VersionState,
  behaviour: RenderBehaviour,
): WireActivityType {
  const primary = live.attributes.find((a) => a.isPrimary);
  const item: WireActivityType = { id: type.id };
  if (behaviour.activityTypesIncludeApiName) item.apiName = type.apiName;
  item.name = live.name;
  if (live.description !== undefined) item.description = live.description;
  item.primaryAttribute =
    primary === undefined
      ? { name: "", dataType: "string" }
      : { name: primary.name, dataType: primary.dataType };
  item.attributes = live.attributes
    .filter((a) => !a.isPrimary)
    .map((a) => ({ apiName: a.apiName, name: a.name, dataType: a.dataType }));
  return item;
}

/** A standard type of `standardActivityTypes`, as given. */
export function renderStandardType(type: StandardActivityType): WireActivityType {
  return structuredClone(type) as WireActivityType;
}

function renderAttribute(attribute: AttributeState, withIsPrimary: boolean): WireAttribute {
  const out: WireAttribute = { apiName: attribute.apiName, name: attribute.name };
  if (attribute.description !== undefined) out.description = attribute.description;
  out.dataType = attribute.dataType;
  if (withIsPrimary) out.isPrimary = attribute.isPrimary;
  return out;
}
