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

function byApiName<T extends { apiName: string }>(a: T, b: T): number {
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

/** A stable hash of a definition (its canonical form). */
export function definitionHash(definition: ActivityTypeDefinition): string {
  return stableHash(canonicalize(definition));
}

/**
 * One string per leaf of the definition under a dotted key (`name`, `primaryAttribute.dataType`,
 * `attributes.minutesWatched.dataType`). Used as Terraform triggers so that a plan shows exactly
 * which fields changed. Absent optional fields have no key.
 */
export function definitionLeaves(definition: ActivityTypeDefinition): Record<string, string> {
  const leaves: Record<string, string> = {
    apiName: definition.apiName,
    name: definition.name,
    triggerName: definition.triggerName,
    filterName: definition.filterName,
    allowDestructiveChanges: String(definition.allowDestructiveChanges),
  };
  if (definition.description !== undefined) leaves["description"] = definition.description;
  const addAttribute = (prefix: string, attribute: AttributeDefinition) => {
    leaves[`${prefix}.name`] = attribute.name;
    leaves[`${prefix}.dataType`] = attribute.dataType;
    if (attribute.description !== undefined) leaves[`${prefix}.description`] = attribute.description;
  };
  leaves["primaryAttribute.apiName"] = definition.primaryAttribute.apiName;
  addAttribute("primaryAttribute", definition.primaryAttribute);
  for (const attribute of definition.attributes) addAttribute(`attributes.${attribute.apiName}`, attribute);
  return Object.fromEntries(Object.entries(leaves).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
