import type { IConstruct } from "constructs";

/** Marks constructs by kind without `instanceof`, which breaks across two copies of this package. */
export const INSTANCE = Symbol.for("cdktf-marketo-activities.MarketoInstance");
export const ACTIVITY_TYPE = Symbol.for("cdktf-marketo-activities.CustomActivityType");
export const RETIRED_TYPE = Symbol.for("cdktf-marketo-activities.RetiredActivityType");
const MANIFEST_WRITER = Symbol.for("cdktf-marketo-activities.manifestWriter");

export function mark(construct: object, marker: symbol): void {
  Object.defineProperty(construct, marker, { value: true });
}

export function isMarked(construct: unknown, marker: symbol): boolean {
  return typeof construct === "object" && construct !== null && marker in construct;
}

/** Marks a stack as having its synthesizer wrapped; returns false if it already was. */
export function claimManifestWriter(stack: IConstruct): boolean {
  if (isMarked(stack, MANIFEST_WRITER)) return false;
  mark(stack, MANIFEST_WRITER);
  return true;
}

/** A Terraform-safe name part: letters, digits, underscores and hyphens. */
export function terraformName(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "_");
}
