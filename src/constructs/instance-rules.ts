/**
 * The rules that span the types of one `MarketoInstance`, as a table (after aws-cdk's
 * `validate-*-props.ts` files): each rule reads what the instance declares and returns its issues.
 * A type's own definition is checked by the schema (`checkActivityType`); these are the rules no
 * single type can check.
 */
import type { IConstruct } from "constructs";
import type { ValidationIssue } from "../schema/index.js";

/** What the rules see of an instance. */
export interface InstanceDeclarations {
  readonly instanceId: string;
  readonly maxActivityTypes: number;
  /** The declared types: apiName, and trigger and filter names as written. */
  readonly types: readonly {
    readonly construct: IConstruct;
    readonly apiName: string;
    readonly triggerName: unknown;
    readonly filterName: unknown;
  }[];
  /** The retired apiNames, in declaration order. */
  readonly retired: readonly string[];
  /** Other `MarketoInstance`s of the same stack with the same id. */
  readonly sameIdInStack: readonly IConstruct[];
}

type Rule = (declared: InstanceDeclarations) => ValidationIssue[];

/** A name declared by more than one type: one issue per name. */
function unique(label: "apiName" | "triggerName" | "filterName", fix: string): Rule {
  return ({ types }) => {
    const byValue = new Map<string, IConstruct[]>();
    for (const type of types) {
      const value = type[label];
      if (typeof value !== "string") continue;
      byValue.set(value, [...(byValue.get(value) ?? []), type.construct]);
    }
    return [...byValue]
      .filter(([, owners]) => owners.length > 1)
      .map(([value, owners]) => ({
        path: label,
        received: value,
        message: `is declared by ${owners.length} activity types (${owners.map((o) => o.node.path).join(", ")}); it must be unique within an instance`,
        fix,
      }));
  };
}

/** The instance's cross-type rules, in the order their issues are reported. */
export const INSTANCE_RULES: readonly Rule[] = [
  unique("apiName", "remove the duplicate declaration or give it another apiName"),
  unique("triggerName", 'give each type its own triggerName, e.g. "Attends Webinar"'),
  unique("filterName", 'give each type its own filterName, e.g. "Attended Webinar"'),

  // A type both declared and retired would be created and deleted by alternate applies.
  ({ types, retired }) => {
    const declared = new Set(types.map((t) => t.apiName));
    return [...new Set(retired.filter((apiName) => declared.has(apiName)))].map((apiName) => ({
      path: "RetiredActivityType",
      received: apiName,
      message: "is both declared and retired",
      fix: "remove the CustomActivityType to delete the type, or remove the RetiredActivityType to keep it",
    }));
  },

  ({ retired }) =>
    [...new Set(retired.filter((apiName, i) => retired.indexOf(apiName) !== i))].map((apiName) => ({
      path: "RetiredActivityType",
      received: apiName,
      message: "is retired twice",
      fix: "remove one of them",
    })),

  ({ types, maxActivityTypes }) =>
    types.length <= maxActivityTypes
      ? []
      : [
          {
            path: "maxActivityTypes",
            received: types.length,
            message: `declared activity types exceed the subscription limit of ${maxActivityTypes} (Marketo code 1027)`,
            fix: "remove types, or raise maxActivityTypes if your subscription allows more",
          },
        ],

  // The id names the manifest file: two instances with one id would overwrite each other's.
  ({ instanceId, sameIdInStack }) =>
    sameIdInStack.length === 0
      ? []
      : [
          {
            path: "id",
            received: instanceId,
            message: `another MarketoInstance in this stack has the same id (${sameIdInStack.map((c) => c.node.path).join(", ")}); the id names the manifest file`,
            fix: "give each MarketoInstance in a stack its own id",
          },
        ],
];

/** Every cross-type issue of an instance. */
export function checkInstanceRules(declared: InstanceDeclarations): ValidationIssue[] {
  return INSTANCE_RULES.flatMap((rule) => rule(declared));
}
