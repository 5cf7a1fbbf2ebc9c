/**
 * What `import` makes of the types read from an instance: one definition per type (its approved
 * version, or the draft of a type never approved), checked with the rules synth applies, and what a
 * draft left beside an approved version changes.
 */
import {
  type ActivityTypeInput,
  checkActivityType,
  checkInstanceRules,
  formatIssues,
  type LeafAttribute,
  type LeafSource,
  MarketoActivitiesError,
  requestSizeIssues,
  typeLeaves,
  type ValidationIssue,
} from "../schema/index.js";
import { shortLiteral } from "./literals.js";

/** One type as read from the instance: its status and the versions Marketo described. */
export interface ImportedType {
  readonly apiName: string;
  /** Marketo's status: `approved`, `approved with draft` or `draft` (never approved). */
  readonly status: string;
  /** The approved version; absent when the type was never approved. */
  readonly live?: LeafSource;
  /** The draft, when one exists. */
  readonly draft?: LeafSource;
}

/** How a draft differs from the approved version, one field (a leaf, as plans name them) at a time. */
export interface DraftChange {
  /** `name`, `attributes.minutes.dataType`. */
  readonly field: string;
  /** The approved value; undefined when the draft adds the field. */
  readonly live?: string;
  /** The draft's value; undefined when the draft removes the field. */
  readonly draft?: string;
}

/** A type as the module declares it, with what its reader should know. */
export interface ImportedDefinition {
  readonly apiName: string;
  readonly status: string;
  /** What is written for it: a valid definition, as `defineActivityType` takes it. */
  readonly definition: ActivityTypeInput;
  /** `approved with draft`: how the draft left out differs from the approved version. */
  readonly draftChanges?: readonly DraftChange[];
  /** True for a type never approved: the module holds its draft, which the first apply approves. */
  readonly neverApproved: boolean;
}

function attributeInput(attribute: LeafAttribute): Record<string, string> {
  return {
    apiName: attribute.apiName,
    ...(attribute.name === undefined ? {} : { name: attribute.name }),
    ...(attribute.dataType === undefined ? {} : { dataType: attribute.dataType }),
    ...(attribute.description === undefined || attribute.description === ""
      ? {}
      : { description: attribute.description }),
  };
}

/**
 * The definition of a version as written: fields in the order a definition is read (names, then
 * attributes), empty descriptions left out (Marketo's "" and a missing one are the same to a plan),
 * attributes in the order given (sorted by apiName when read). Not yet checked: a missing field stays
 * missing, for the check to name.
 */
export function definitionOf(apiName: string, version: LeafSource): Record<string, unknown> {
  return {
    apiName,
    ...(version.name === undefined ? {} : { name: version.name }),
    ...(version.triggerName === undefined ? {} : { triggerName: version.triggerName }),
    ...(version.filterName === undefined ? {} : { filterName: version.filterName }),
    ...(version.description === undefined || version.description === ""
      ? {}
      : { description: version.description }),
    ...(version.primaryAttribute === undefined
      ? {}
      : { primaryAttribute: attributeInput(version.primaryAttribute) }),
    ...(version.attributes.length === 0 ? {} : { attributes: version.attributes.map(attributeInput) }),
  };
}

/** The fields in which `draft` differs from `live`, in leaf order. */
export function draftChanges(live: LeafSource, draft: LeafSource): DraftChange[] {
  const before = typeLeaves(live);
  const after = typeLeaves(draft);
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return fields
    .filter((field) => before[field] !== after[field])
    .map((field) => ({
      field,
      ...(before[field] === undefined ? {} : { live: before[field] }),
      ...(after[field] === undefined ? {} : { draft: after[field] }),
    }));
}

/**
 * Whether writing `changes` into a definition is a destructive change (it removes an attribute or
 * changes a dataType), which apply makes only with `allowDestructiveChanges: true`.
 */
export function destructiveDraft(changes: readonly DraftChange[]): boolean {
  return changes.some((change) => change.field.endsWith(".dataType") && change.live !== undefined);
}

/** `name: "Webinar Attended" -> "Webinar Watched"`, `attributes.minutes.name: "Minutes" -> (removed)`. */
export function formatDraftChange(change: DraftChange): string {
  const value = (v: string | undefined, absent: string) => (v === undefined ? absent : shortLiteral(v));
  return `${change.field}: ${value(change.live, "(none)")} -> ${value(change.draft, "(removed)")}`;
}

/**
 * A value cdktf would read as a token (`${TfToken[...]}` and its list and map forms): the constructs
 * refuse it at synth (src/constructs/custom-activity-type.ts), so import refuses it first.
 */
function tokenIssues(definition: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === "string") {
      if (value.includes("{TfToken["))
        issues.push({
          path,
          received: value,
          message:
            "holds cdktf's token marker ({TfToken[), which synth would read as a value Terraform knows only when it runs",
          fix: "change the text in Marketo Admin so it does not hold {TfToken[",
        });
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, `${path}[${i}]`);
    } else if (typeof value === "object" && value !== null)
      for (const [key, item] of Object.entries(value)) visit(item, path === "" ? key : `${path}.${key}`);
  };
  visit(definition, "");
  return issues;
}

/**
 * The definitions of `types` (sorted by apiName), each checked with the rules synth applies to a
 * `CustomActivityType` (the schema, Marketo's request size, cdktf's token marker) and all of them with
 * the rules across the types of an instance (unique trigger and filter names). Throws one error that
 * names every type that breaks a rule, and the rule, before anything is written.
 */
export function importedDefinitions(types: readonly ImportedType[]): ImportedDefinition[] {
  const sorted = [...types].sort((a, b) => (a.apiName < b.apiName ? -1 : a.apiName > b.apiName ? 1 : 0));
  const problems: string[] = [];
  const definitions: ImportedDefinition[] = [];
  for (const type of sorted) {
    const version = type.live ?? type.draft;
    if (version === undefined) {
      throw new MarketoActivitiesError(
        "MarketoUnexpected",
        `Marketo described no version of activity type "${type.apiName}" (status "${type.status}")`,
      );
    }
    const input = definitionOf(type.apiName, version);
    const checked = checkActivityType(input);
    const issues = [
      ...tokenIssues(input),
      // A list is shown by its length ("attributes: got 21; a type may have at most 20 ..."), not its start.
      ...(checked.ok ? requestSizeIssues(checked.definition) : checked.issues).map((issue) =>
        Array.isArray(issue.received) ? { ...issue, received: issue.received.length } : issue,
      ),
    ];
    const which = type.live === undefined ? "its draft (never approved)" : "its approved version";
    if (issues.length > 0) {
      problems.push(formatIssues(`activity type "${type.apiName}" (${which})`, issues));
      continue;
    }
    const changes =
      type.live !== undefined && type.draft !== undefined ? draftChanges(type.live, type.draft) : undefined;
    definitions.push({
      apiName: type.apiName,
      status: type.status,
      definition: input as ActivityTypeInput,
      ...(changes === undefined ? {} : { draftChanges: changes }),
      neverApproved: type.live === undefined,
    });
  }
  const cross = checkInstanceRules({
    maxActivityTypes: undefined,
    maxActivityTypesPath: "maxActivityTypes",
    types: definitions.map((d) => ({
      at: `"${d.apiName}"`,
      apiName: d.apiName,
      triggerName: d.definition.triggerName,
      filterName: d.definition.filterName,
      pathOf: (name) => `${d.apiName}.${name}`,
    })),
    retired: [],
  });
  const failing = problems.length;
  if (cross.length > 0) problems.push(formatIssues("the imported types together", cross));
  if (problems.length > 0) {
    // Types that break a rule together (names Marketo should have kept unique) cannot be left out alone.
    const others = cross.length > 0 ? [] : definitions.map((d) => d.apiName);
    throw new MarketoActivitiesError(
      "ImportInvalid",
      `${failing === 1 ? "an activity type" : `${failing || "the"} activity types`} of the instance ${failing === 1 ? "breaks" : "break"} this package's rules, so no module was written:\n${problems.join("\n")}`,
      {
        hint:
          others.length > 0
            ? `change ${failing === 1 ? "it" : "them"} in Marketo Admin and import again, or import the other types alone: --only ${others.join(",")}`
            : "change the types in Marketo Admin and import again",
      },
    );
  }
  return definitions;
}
