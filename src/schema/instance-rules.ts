/**
 * The rules that span the types of one Marketo instance, as a table (after aws-cdk's
 * `validate-*-props.ts` files): each rule reads what an instance declares and returns its issues. A
 * type's own definition is checked by `activityTypeSchema`; these are the rules no single definition
 * can check.
 *
 * One definition for both places an instance is declared: the constructs check it at synth
 * (src/constructs/instance-rules.ts says where in construct terms), and `parseManifest` checks every
 * manifest that `validate`, `plan` and `apply` read, so a manifest edited by hand or merged is held to
 * the same rules as the code that should have written it.
 */
import type { ActivityTypeDefinition } from "./activity-type.js";
import type { ValidationIssue } from "./issues.js";
import { formatCount, MAX_REQUEST_BYTES } from "./limits.js";

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
  /** The validated definition, when the definition is valid (the request-size rule reads it). */
  readonly definition?: ActivityTypeDefinition | undefined;
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

const utf8 = new TextEncoder();
const jsonBytes = (value: unknown) => utf8.encode(JSON.stringify(value)).length;

/**
 * The largest request bodies apply sends for a definition (docs/design.md decision 11): the type's
 * create or update (its fields and the primary attribute), and one attributes request with every
 * secondary attribute. Each attribute is counted with a description (an empty one clears Marketo's)
 * and the primary with `isPrimary`, so the sizes are never below what is sent.
 */
export function requestSizes(definition: ActivityTypeDefinition): {
  readonly type: number;
  readonly attributes: number;
} {
  const attribute = (a: ActivityTypeDefinition["attributes"][number], isPrimary: boolean) => ({
    apiName: a.apiName,
    name: a.name,
    dataType: a.dataType,
    description: a.description ?? "",
    isPrimary,
  });
  return {
    type: jsonBytes({
      apiName: definition.apiName,
      name: definition.name,
      triggerName: definition.triggerName,
      filterName: definition.filterName,
      description: definition.description ?? "",
      primaryAttribute: attribute(definition.primaryAttribute, true),
    }),
    attributes: jsonBytes({ attributes: definition.attributes.map((a) => attribute(a, false)) }),
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

  // Marketo answers HTTP 413 to a body over 1 MB (docs/marketo-api.md section 3): a type whose
  // requests are larger could never be applied, and would fail half-way through an apply.
  ({ types }) =>
    types.flatMap(({ at, definition }) => {
      if (definition === undefined) return [];
      const sizes = requestSizes(definition);
      const over = (
        [
          ["the type's create request", sizes.type],
          ["the request that creates its attributes", sizes.attributes],
        ] as const
      ).filter(([, bytes]) => bytes > MAX_REQUEST_BYTES);
      return over.map(([what, bytes]) => ({
        path: at,
        message: `${what} would be ${formatCount(bytes)} bytes of JSON; Marketo takes at most ${formatCount(MAX_REQUEST_BYTES)} bytes per request (HTTP 413 above 1 MB)`,
        fix: "shorten its names and descriptions",
      }));
    }),
];

/** Every cross-type issue of an instance; empty when it keeps every rule. */
export function checkInstanceRules(declared: InstanceDeclarations): ValidationIssue[] {
  return INSTANCE_RULES.flatMap((rule) => rule(declared));
}
