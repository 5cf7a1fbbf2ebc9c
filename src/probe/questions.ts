/**
 * The open questions of docs/marketo-api.md section 8 that `marketo-activities probe` asks a real
 * instance, one row per emulator behaviour option (src/emulator/options.ts `EmulatorBehaviour`): how
 * the probe settles it, and with which of its calls. The questions it cannot settle safely are in
 * `UNSETTLED`, with why. Together the two tables name every behaviour option (test/probe checks it).
 */

/** One open behaviour the probe settles. */
export interface Question {
  /** The `EmulatorBehaviour` option that reproduces the answer. */
  readonly option: string;
  /** The section 8 question. */
  readonly section: string;
  /** How the answer is read. */
  readonly how: string;
  /** The probe's calls whose answers settle it (the step names of `STEPS`). */
  readonly calls: readonly string[];
}

/**
 * The probe's calls in order, with what each is for. `extra` calls are made only when an answer
 * asks for them; the budget counts them as a range.
 */
export const STEPS = [
  { step: "list", call: "GET external/types.json", why: "count the types, find leftovers of earlier runs" },
  {
    step: "create",
    call: "POST external/type.json",
    why: "the probe's type, as a draft (with `attributes: []`)",
  },
  {
    step: "create again",
    call: "POST external/type.json",
    why: "only when create refused `attributes`: the same type without it",
    extra: true,
  },
  { step: "list after create", call: "GET external/types.json", why: "is the draft listed" },
  {
    step: "describe draft",
    call: "GET …/describe.json?draft=true",
    why: "null or absent fields, attributes[]",
  },
  { step: "describe live", call: "GET …/describe.json", why: "describe of a version that does not exist" },
  { step: "discard only draft", call: "POST …/discardDraft.json", why: "discard of a never-approved type" },
  {
    step: "create after discard",
    call: "POST external/type.json",
    why: "only when the discard deleted the type: a new probe type under a new apiName",
    extra: true,
  },
  { step: "empty description", call: "POST …/type/{apiName}.json", why: 'description "" over "x"' },
  { step: "update without name", call: "POST …/attributes/update.json", why: "an attribute without `name`" },
  { step: "add attribute", call: "POST …/attributes/create.json", why: "a secondary attribute" },
  { step: "add it again", call: "POST …/attributes/create.json", why: "duplicate attribute apiName" },
  { step: "update missing", call: "POST …/attributes/update.json", why: "unknown attribute apiName" },
  { step: "approve", call: "POST …/approve.json", why: "the approve answer" },
  { step: "approve again", call: "POST …/approve.json", why: "approve without a draft" },
  {
    step: "change dataType",
    call: "POST …/attributes/update.json",
    why: "a secondary's dataType after approval",
  },
  {
    step: "discard dataType draft",
    call: "POST …/discardDraft.json",
    why: "only when the dataType change was accepted",
    extra: true,
  },
  { step: "demote primary", call: "POST …/attributes/update.json", why: "the primary after approval" },
  {
    step: "discard primary draft",
    call: "POST …/discardDraft.json",
    why: "only when the demotion was accepted",
    extra: true,
  },
  { step: "activity types", call: "GET activities/types.json", why: "does the custom type carry apiName" },
  { step: "create duplicate", call: "POST external/type.json", why: "an apiName that exists" },
  { step: "describe unknown", call: "GET …/describe.json", why: "an apiName never used (mkaProbeNone…)" },
  { step: "delete", call: "POST …/delete.json", why: "the delete answer" },
  { step: "list after delete", call: "GET external/types.json", why: "is the deleted type listed" },
  { step: "create after delete", call: "POST external/type.json", why: "reuse of a deleted apiName" },
  {
    step: "delete again",
    call: "POST …/delete.json",
    why: "only when the apiName was reused: delete the new type",
    extra: true,
  },
] as const satisfies readonly { step: string; call: string; why: string; extra?: boolean }[];

export type StepName = (typeof STEPS)[number]["step"];

/** The REST calls of a run without leftovers: the fewest and the most (identity not counted). */
export const BUDGET = {
  min: STEPS.filter((s) => !("extra" in s)).length,
  max: STEPS.length,
} as const;

const q = (option: string, section: string, how: string, calls: readonly StepName[]): Question => ({
  option,
  section,
  how,
  calls,
});

/** The questions the probe settles, in the order of the report. */
export const QUESTIONS: readonly Question[] = [
  q("listIncludesDrafts", "8.2", "the list after create shows the never-approved type, or not", [
    "list after create",
  ]),
  q("listIncludesDeleted", "8.2", "the list after delete shows the deleted type, or not", [
    "list after delete",
  ]),
  q(
    "listIncludesAttributes",
    "8.2",
    "list entries carry a primaryAttribute object, or not (from the first list showing a type)",
    ["list", "list after create", "list after delete"],
  ),
  q("listOrder", "8.2", "ids of GET activities/types.json ascending (id) or descending (reverse)", [
    "activity types",
  ]),
  q("createResponseOmitsIds", "8.8", "create's result has an id, or not", ["create"]),
  q(
    "attributesOnCreate",
    "8.13",
    "create with `attributes: []` in its body: accepted (ignore) or refused (reject)",
    ["create"],
  ),
  q(
    "absentFields",
    "8.15",
    "the primary attribute was created without description: the describe has description: null, or no key",
    ["describe draft"],
  ),
  q("omitEmptyAttributes", "8.15", "a type without secondaries: attributes is an array, or null / absent", [
    "describe draft",
  ]),
  q("primaryInAttributesList", "8.11", "attributes[] of the describe holds the primary, or not", [
    "describe draft",
  ]),
  q(
    "describeMissingVersion",
    "8.3",
    "describe without draft=true of a never-approved type: the draft (fallback) or an error",
    ["describe live"],
  ),
  q(
    "discardDraftOnDraftOnly",
    "8.4",
    "discardDraft of a never-approved type: success (the type is deleted) or an error",
    ["discard only draft"],
  ),
  q(
    "discardWithoutDraftCode",
    "8.1",
    "the error code of that discardDraft (settled only when it is an error)",
    ["discard only draft"],
  ),
  q(
    "emptyDescription",
    "8.14",
    'the type was created with description "x", then updated with "": the answer has "" (store), null (null), no key (omit) or "x" (ignore)',
    ["empty description"],
  ),
  q(
    "attributeNameRequired",
    "8.17",
    "attributes/update of the primary without name: refused (true) or accepted (false)",
    ["update without name"],
  ),
  q("missingFieldCode", "8.13", "the error code of that update (settled only when refused)", [
    "update without name",
  ]),
  q("duplicateAttributeCode", "8.1", "attributes/create of an apiName the type has: the error code", [
    "add it again",
  ]),
  q("unknownAttributeCode", "8.1", "attributes/update of an apiName the type lacks: the error code", [
    "update missing",
  ]),
  q(
    "emptyResultOn",
    "8.8",
    "approve, discardDraft and delete answers: the type, or result: [] (discardDraft only when one succeeded)",
    ["approve", "discard only draft", "discard dataType draft", "discard primary draft", "delete"],
  ),
  q("approveWithoutDraftCode", "8.1", "approve of a type without a draft: the error code", ["approve again"]),
  q(
    "dataTypeChangeAfterApproval",
    "8.6",
    "attributes/update of a published secondary's dataType (string to integer): accepted (allow) or refused (reject)",
    ["change dataType"],
  ),
  q(
    "primaryChangeAfterApproval",
    "8.5",
    "attributes/update isPrimary: false on the published primary: accepted (allow) or refused (reject)",
    ["demote primary"],
  ),
  q(
    "immutableFieldCode",
    "8.5",
    "the error code of the refused demotion (or of the refused dataType change)",
    ["demote primary", "change dataType"],
  ),
  q(
    "activityTypesIncludeApiName",
    "8.2",
    "the probe's type in GET activities/types.json carries apiName, or not",
    ["activity types"],
  ),
  q("duplicateApiNameCode", "8.1", "create with the probe type's apiName again: the error code", [
    "create duplicate",
  ]),
  q("unknownTypeCode", "8.1", "describe of an apiName never used: the error code", ["describe unknown"]),
  q(
    "deletedApiNameReusable",
    "8.7",
    "create with the deleted type's apiName: accepted (true) or refused (false)",
    ["create after delete"],
  ),
  q(
    "emptyErrorsAndWarnings",
    "8.15",
    "the create's success envelope carries errors: [] and warnings: [], or neither",
    ["create"],
  ),
];

/** The behaviour options the probe does not settle, and why. */
export const UNSETTLED: readonly { readonly option: string; readonly why: string }[] = [
  {
    option: "emptyList",
    why: "needs an instance without custom types: the probe would have to delete the user's types",
  },
  {
    option: "displayNames",
    why: "needs a create with a display name outside A-Z, whose refusal code could not be told from other refusals",
  },
  {
    option: "primaryDataTypes",
    why: "needs one created type per data type (eleven creates and deletes, and as many free slots)",
  },
  {
    option: "uniqueDisplayName",
    why: "needs a second type with the same display name (a second free slot)",
  },
  { option: "duplicateNameCode", why: "needs a second type with the same triggerName (a second free slot)" },
  {
    option: "rejectChangesWhenInUse",
    why: "needs a type used by a smart campaign trigger or filter: the probe does not touch campaigns",
  },
  { option: "inUseCode", why: "needs a type used by a smart campaign: the probe does not touch campaigns" },
  {
    option: "omitActivityRecordId",
    why: "needs an activity record written to a real lead, which cannot be deleted",
  },
  {
    option: "notApprovedCode",
    why: "needs an activity record written to a real lead, which cannot be deleted",
  },
  { option: "tooManyRecordsCode", why: "needs 301 activity records sent to real leads" },
  {
    option: "primaryRuleCode",
    why: "needs a draft left without a primary attribute, which the probe could then not approve or clean up the usual way",
  },
  {
    option: "invalidValueCode",
    why: "Marketo answers many different invalid values; one refused value would not settle the others",
  },
];
