/**
 * The instance's types and records as the wire shows them (docs/marketo-api.md section 4), with the
 * fields in the order of the docs' examples and the rendering choices of the behaviour options. Each
 * object is built with every key it can have; a key without a value is then left out or sent as
 * `null` (`absentFields`).
 */
import type { z } from "zod";
import type {
  wireActivityTypeSchema,
  wireAttributeSchema,
  wireCustomActivityResultSchema,
  wireCustomActivityTypeSchema,
} from "../marketo/wire.js";
import { type AttributeState, statusOf, type TypeState, type VersionState } from "./model.js";
import type { ResolvedBehaviour, StandardActivityType } from "./options.js";

/** What the emulator sends: the wire shapes as written (`null` allowed), not as the client reads them. */
export type RenderedType = z.input<typeof wireCustomActivityTypeSchema>;
export type RenderedAttribute = z.input<typeof wireAttributeSchema>;
export type RenderedActivityType = z.input<typeof wireActivityTypeSchema>;
export type RenderedRecordResult = z.input<typeof wireCustomActivityResultSchema>;

type RenderBehaviour = Pick<
  ResolvedBehaviour,
  "primaryInAttributesList" | "omitEmptyAttributes" | "activityTypesIncludeApiName" | "absentFields"
>;

/** How one type is rendered besides the behaviour options. */
export interface TypeRendering {
  /** With `primaryAttribute` and `attributes`. Default true. */
  readonly attributes?: boolean;
  /** With `id`, `createdAt` and `updatedAt`. Default true. */
  readonly ids?: boolean;
  /**
   * Descriptions the write being answered cleared with `emptyDescription: "null"`: answered `null`
   * whatever `absentFields` says. `type` for the type's own, attribute apiNames for attributes.
   */
  readonly nulledDescriptions?: ReadonlySet<string>;
}

/** The key of the type's own description in `TypeRendering.nulledDescriptions` (apiNames have no `#`). */
export const TYPE_DESCRIPTION = "#type";

/** A custom activity type with one of its versions, as list, describe and the writes return it. */
export function renderType(
  type: TypeState,
  version: VersionState,
  behaviour: RenderBehaviour,
  rendering: TypeRendering = {},
): RenderedType {
  const ids = rendering.ids ?? true;
  const nulled = rendering.nulledDescriptions;
  const out: RenderedType = {
    id: ids ? type.id : undefined,
    apiName: type.apiName,
    name: version.name,
    description: nulled?.has(TYPE_DESCRIPTION) ? null : version.description,
    triggerName: version.triggerName,
    filterName: version.filterName,
    createdAt: ids ? type.createdAt : undefined,
    updatedAt: ids ? type.updatedAt : undefined,
    status: statusOf(type),
    primaryAttribute: undefined,
    attributes: undefined,
  };
  if (rendering.attributes ?? true) {
    const listsPrimary = behaviour.primaryInAttributesList;
    const primary = version.attributes.find((a) => a.isPrimary);
    const attribute = (a: AttributeState) => renderAttribute(a, listsPrimary, behaviour, nulled);
    if (primary !== undefined) out.primaryAttribute = attribute(primary);
    const listed = version.attributes.filter((a) => listsPrimary || !a.isPrimary).map(attribute);
    if (listed.length > 0 || !behaviour.omitEmptyAttributes) out.attributes = listed;
  }
  return settle(out, behaviour);
}

/** An approved custom type in GET activities/types.json: its live version, in the standard types' shape. */
export function renderActivityType(
  type: TypeState,
  live: VersionState,
  behaviour: RenderBehaviour,
): RenderedActivityType {
  const primary = live.attributes.find((a) => a.isPrimary);
  return settle(
    {
      id: type.id,
      apiName: behaviour.activityTypesIncludeApiName ? type.apiName : undefined,
      name: live.name,
      description: live.description,
      primaryAttribute:
        primary === undefined
          ? { name: "", dataType: "string" }
          : { name: primary.name, dataType: primary.dataType },
      attributes: live.attributes
        .filter((a) => !a.isPrimary)
        .map((a) => ({ apiName: a.apiName, name: a.name, dataType: a.dataType })),
    },
    behaviour,
  );
}

/** A standard type of `standardActivityTypes`, as given; it has no apiName, nor have its attributes. */
export function renderStandardType(
  type: StandardActivityType,
  behaviour: RenderBehaviour,
): RenderedActivityType {
  return settle(
    {
      id: type.id,
      apiName: undefined,
      name: type.name,
      description: type.description,
      primaryAttribute: { ...type.primaryAttribute },
      attributes: type.attributes.map((a) =>
        settle({ apiName: undefined, name: a.name, dataType: a.dataType }, behaviour),
      ),
    },
    behaviour,
  );
}

/** A record's result in Add Custom Activities: added with its ids, or skipped with its errors. */
export function renderRecordResult(
  result:
    | { readonly status: "added"; readonly id: number | undefined; readonly marketoGUID: string }
    | { readonly status: "skipped"; readonly errors: readonly { code: string; message: string }[] },
  behaviour: RenderBehaviour,
): RenderedRecordResult {
  return settle(
    result.status === "added"
      ? { id: result.id, marketoGUID: result.marketoGUID, status: result.status, errors: undefined }
      : { id: undefined, marketoGUID: undefined, status: result.status, errors: [...result.errors] },
    behaviour,
  );
}

function renderAttribute(
  attribute: AttributeState,
  withIsPrimary: boolean,
  behaviour: RenderBehaviour,
  nulled: ReadonlySet<string> | undefined,
): RenderedAttribute {
  const out: RenderedAttribute = {
    apiName: attribute.apiName,
    name: attribute.name,
    description: nulled?.has(attribute.apiName) ? null : attribute.description,
    dataType: attribute.dataType,
  };
  if (withIsPrimary) out.isPrimary = attribute.isPrimary;
  return settle(out, behaviour);
}

/** Leaves out every key whose value is `undefined`, or sends it as `null` (`absentFields`). */
function settle<T extends object>(out: T, behaviour: RenderBehaviour): T {
  const fields = out as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (fields[key] !== undefined) continue;
    if (behaviour.absentFields === "null") fields[key] = null;
    else delete fields[key];
  }
  return out;
}
