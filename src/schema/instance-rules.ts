/**
 * The rules that span the types of one Marketo instance, as a table (after aws-cdk's
 * `validate-*-props.ts` files): each rule reads what an instance declares and returns its issues. A
 * type's own definition is checked by `activityTypeSchema` and its requests' size by
 * `requestSizeIssues` (request-size.ts); these are the rules no single definition can check.
 *
 * One definition for both places an instance is declared: the constructs check it at synth
 * (src/constructs/instance-rules.ts says where in construct terms), and `parseManifest` checks every
 * manifest that `validate`, `plan` and `apply` read, so a manifest edited by hand or merged is held to
 * the same rules as the code that should have written it.
 */
import type { ValidationIssue } from "./issues.js";

/** A name that must be unique among the types of an instance. */
export type UniqueName = "apiName" | "triggerName" | "filterName";

/** One declared type, as the rules see it: its names as written (anything), and where it is. */
export interface DeclaredTypeEntry {
  /** Where the type is declared, as the user reads it: a construct path, or `types[2]` in a manifest. */
  readonly at: string;
  readonly apiName: unknown;
  readonly triggerName: unknown;
  readonly filterName: unknown;
  /** The path an issue about one of its names is reported at: `apiName`, or `types[2].apiName`. */
  readonly pathOf: (name: UniqueName) => string;
}

/** One retired apiName, and where it is retired. */
export interface RetiredEntry {
  readonly apiName: unknown;
  /** The path an issue about it is reported at: `RetiredActivityType`, or `retired[0]`. */
  readonly path: string;
}

/** What the rules see of an instance. */
export interface InstanceDeclarations {
  /** The subscription's limit; undefined when it is itself invalid (reported by the schema). */
  readonly maxActivityTypes: number | undefined;
  /** Where `maxActivityTypes` is: `maxActivityTypes`, or `instance.maxActivityTypes`. */
  readonly maxActivityTypesPath: string;
  readonly types: readonly DeclaredTypeEntry[];
  /** In declaration order. */
  readonly retired: readonly RetiredEntry[];
}

type Rule = (declared: InstanceDeclarations) => ValidationIssue[];

/** A name declared by more than one type: one issue per name, at the second declaration. */
function unique(name: UniqueName, fix: string): Rule {
  return ({ types }) => {
    const byValue = new Map<string, DeclaredTypeEntry[]>();
    for (const type of types) {
      const value = type[name];
      if (typeof value !== "string") continue;
      byValue.set(value, [...(byValue.get(value) ?? []), type]);
    }
    return [...byValue]
      .filter(([, holders]) => holders.length > 1)
      .map(([value, holders]) => ({
        path: holders[1]!.pathOf(name),
        received: value,
        message: `is declared by ${holders.length} activity types (${holders.map((h) => h.at).join(", ")}); it must be unique within an instance`,
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
    const declared = new Set(types.map((t) => t.apiName).filter((a) => typeof a === "string"));
    const reported = new Set<unknown>();
    return retired.flatMap((entry) => {
      if (typeof entry.apiName !== "string" || !declared.has(entry.apiName) || reported.has(entry.apiName))
        return [];
      reported.add(entry.apiName);
      return [
        {
          path: entry.path,
          received: entry.apiName,
          message: "is both declared and retired",
          fix: "remove the CustomActivityType to delete the type, or remove the RetiredActivityType to keep it",
        },
      ];
    });
  },

  ({ retired }) => {
    const seen = new Set<unknown>();
    const reported = new Set<unknown>();
    return retired.flatMap((entry) => {
      if (typeof entry.apiName !== "string") return [];
      if (!seen.has(entry.apiName)) {
        seen.add(entry.apiName);
        return [];
      }
      if (reported.has(entry.apiName)) return [];
      reported.add(entry.apiName);
      return [
        { path: entry.path, received: entry.apiName, message: "is retired twice", fix: "remove one of them" },
      ];
    });
  },

  ({ types, maxActivityTypes, maxActivityTypesPath }) =>
    maxActivityTypes === undefined || types.length <= maxActivityTypes
      ? []
      : [
          {
            path: maxActivityTypesPath,
            received: types.length,
            message: `declared activity types exceed the subscription limit of ${maxActivityTypes} (Marketo code 1027)`,
            fix: "remove types, or raise maxActivityTypes if your subscription allows more",
          },
        ],
];

/** Every cross-type issue of an instance; empty when it keeps every rule. */
export function checkInstanceRules(declared: InstanceDeclarations): ValidationIssue[] {
  return INSTANCE_RULES.flatMap((rule) => rule(declared));
}
