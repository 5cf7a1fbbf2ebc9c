import { createHash } from "node:crypto";
import type { ActivityTypeDefinition, AttributeDefinition } from "./activity-type.js";

/**
 * JSON with object keys sorted at every level, so equal values always give identical bytes.
 * `undefined` properties are dropped, as `JSON.stringify` does.
 */
export function stableStringify(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = sortKeys(child);
    }
    return out;
  }
  return value;
}

/** Orders anything with an apiName by it, as plans, manifests and canonical forms are sorted. */
export function byApiName<T extends { apiName: string }>(a: T, b: T): number {
  return a.apiName < b.apiName ? -1 : a.apiName > b.apiName ? 1 : 0;
}

function canonicalAttribute<T extends AttributeDefinition>(attribute: T): T {
  const { description, ...rest } = attribute;
  return (description === undefined ? rest : { ...rest, description }) as T;
}

/**
 * The canonical form of a validated definition: attributes sorted by apiName and no `undefined`
 * properties. Two definitions that mean the same thing have the same canonical form.
 */
export function canonicalize(definition: ActivityTypeDefinition): ActivityTypeDefinition {
  const { description, ...rest } = definition;
  const out: ActivityTypeDefinition = {
    ...rest,
    primaryAttribute: canonicalAttribute(definition.primaryAttribute),
    attributes: [...definition.attributes].map(canonicalAttribute).sort(byApiName),
  };
  return description === undefined ? out : { ...out, description };
}

/** SHA-256 of the canonical JSON, hex. Stable across runs, machines and key order. */
export function stableHash(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex");
}

/** The parts of a type that leaves are made of: a definition, or a version read from Marketo. */
export interface LeafSource {
  readonly name?: string | undefined;
  readonly triggerName?: string | undefined;
  readonly filterName?: string | undefined;
  readonly description?: string | undefined;
  readonly primaryAttribute?: LeafAttribute | undefined;
  readonly attributes: readonly LeafAttribute[];
}

/** An attribute as leaves see it. */
export interface LeafAttribute {
  readonly apiName: string;
  readonly name?: string | undefined;
  readonly dataType?: string | undefined;
  readonly description?: string | undefined;
}

/**
 * One string per field under a dotted key (`name`, `primaryAttribute.dataType`,
 * `attributes.minutesWatched.dataType`), sorted. Absent and empty fields have no key, so a
 * definition and a version read from Marketo compare leaf by leaf.
 */
export function typeLeaves(source: LeafSource): Record<string, string> {
  const leaves: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== "") leaves[key] = value;
  };
  put("name", source.name);
  put("triggerName", source.triggerName);
  put("filterName", source.filterName);
  put("description", source.description);
  const putAttribute = (prefix: string, attribute: LeafAttribute) => {
    put(`${prefix}.name`, attribute.name);
    put(`${prefix}.dataType`, attribute.dataType);
    put(`${prefix}.description`, attribute.description);
  };
  if (source.primaryAttribute !== undefined) {
    put("primaryAttribute.apiName", source.primaryAttribute.apiName);
    putAttribute("primaryAttribute", source.primaryAttribute);
  }
  for (const attribute of source.attributes) putAttribute(`attributes.${attribute.apiName}`, attribute);
  return sortedRecord(leaves);
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The definition's leaves (see `typeLeaves`) plus `apiName` and `allowDestructiveChanges`. Used as
 * Terraform triggers so that a plan shows exactly which fields changed.
 */
export function definitionLeaves(definition: ActivityTypeDefinition): Record<string, string> {
  return sortedRecord({
    ...typeLeaves(definition),
    apiName: definition.apiName,
    allowDestructiveChanges: String(definition.allowDestructiveChanges),
  });
}
