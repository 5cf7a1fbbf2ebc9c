/**
 * Options of the local Marketo emulator. Every behaviour that no public source settles
 * (docs/marketo-api.md section 8) is an option here, with the documented guess as its default; the full
 * list with reasons is in `docs/emulator.md`.
 */
import type { Operation } from "../marketo/endpoints.js";
import type { RateLimit } from "../marketo/index.js";
import {
  type AttributeDataType,
  DAILY_QUOTA,
  DATA_TYPES,
  DEFAULT_MAX_ACTIVITY_TYPES,
  MARKETO_RATE_LIMIT,
  MAX_CONCURRENT_REQUESTS,
  MAX_SECONDARY_ATTRIBUTES,
} from "../schema/index.js";

/** A Marketo error code as it appears on the wire: a quoted string such as `"709"`. */
export type MarketoCode = string;

/** One attribute of a seeded activity type. */
export interface SeedAttribute {
  readonly apiName: string;
  readonly name: string;
  /** Defaults to `string`. */
  readonly dataType?: AttributeDataType;
  readonly description?: string;
}

/** One version (live or draft) of a seeded activity type. */
export interface SeedVersion {
  readonly name: string;
  readonly description?: string;
  readonly triggerName: string;
  readonly filterName: string;
  /** Absent only for a draft whose primary was demoted and not yet replaced. */
  readonly primaryAttribute?: SeedAttribute;
  /** Secondary attributes. */
  readonly attributes?: readonly SeedAttribute[];
}

/** A seeded activity record (Add Custom Activities). */
export interface SeedRecord {
  readonly leadId: number;
  readonly activityDate: string;
  readonly primaryAttributeValue: string;
  readonly attributes?: readonly { readonly apiName: string; readonly value: unknown }[];
}

/**
 * An activity type that exists when the emulator starts. The flat fields (`name`, `triggerName`,
 * ...) describe one version; `status` says where it goes: `approved` (the default) makes it live,
 * `draft` makes it a never-approved draft, `approved with draft` makes it live and also a draft
 * (`draft` overrides the draft's fields), `deleted` makes a deleted type. `live` and `draft`, when
 * given, replace the flat fields for that version. A definition from `defineActivityType` can be
 * passed as is (extra keys such as `allowDestructiveChanges` are ignored).
 */
export interface SeedActivityType extends Partial<SeedVersion> {
  readonly apiName: string;
  /** Defaults to the next free id (custom types are numbered from 100001). */
  readonly id?: number;
  readonly status?: "draft" | "approved" | "approved with draft" | "deleted";
  readonly live?: SeedVersion;
  readonly draft?: SeedVersion;
  /** Marks the type as used by triggers or filters: delete gives 1022 (see `behaviour.rejectChangesWhenInUse`). */
  readonly inUse?: boolean;
  /** ISO-8601; defaults to the emulator's clock at start. */
  readonly createdAt?: string;
  readonly records?: readonly SeedRecord[];
  readonly [extra: string]: unknown;
}

/** What the emulator's instance holds at start (ignored when `persistPath` names an existing file). */
export interface EmulatorSeed {
  readonly activityTypes?: readonly SeedActivityType[];
}

/** Marketo's limits (docs/marketo-api.md section 3 and 5.1). `false` turns a limit off. */
export interface EmulatorLimits {
  /** 606 above it. Default 100 calls per 20,000 ms. */
  readonly rateLimit?: RateLimit | false;
  /** 615 when this many REST requests are already in flight. Default 10. */
  readonly maxConcurrent?: number | false;
  /** 607 once this many calls were counted since midnight US Central time. Default 50,000. */
  readonly dailyQuota?: number | false;
  /** 1027 when creating a type beyond it (deleted types do not count). Default 10. */
  readonly maxActivityTypes?: number;
  /** 1028 when a type would have more secondary attributes. Default 20. */
  readonly maxAttributes?: number;
  /**
   * Whether calls refused by a limit (606, 615, 607) themselves count toward the rolling window and
   * the daily quota. Default `true`: DOC-ERR exempts only the codes it marks (601, 602, 604, 605, 608,
   * 611; `uncounted` in src/marketo/codes.ts), so a client that retries inside the window stays locked
   * out. `false` is the kinder reading (a refused call does no work).
   */
  readonly rejectedCallsCount?: boolean;
}

/** A scripted response in place of the real one. */
export type FaultResponse =
  /** HTTP 200 with `success:false` and this code (message defaults to Marketo's text for it). */
  | { readonly code: MarketoCode; readonly message?: string }
  /** A raw HTTP status with an optional body (JSON if it parses, else text). */
  | { readonly httpStatus: number; readonly body?: string }
  /** Destroys the connection without processing the request. */
  | { readonly drop: "before" }
  /** Processes the request (state changes happen) and then destroys the connection without a response. */
  | { readonly drop: "after" };

/** A stretch of the emulator's clock (`now`), in epoch milliseconds: from `fromMs` up to, not including, `untilMs`. */
export interface FaultPeriod {
  readonly fromMs: number;
  readonly untilMs: number;
}

/**
 * A scripted fault: respond to some calls of one operation with `respond`. Either a run of calls
 * (`nth`, `times`) or a stretch of time (`during`), not both.
 */
export interface FaultSpec {
  /** The operation, as in `OPERATIONS`; `"*"` matches every call (counted over all operations). */
  readonly operation: Operation | "*";
  /**
   * 1-based count of calls of that operation (every call counts, faulted ones too) at which the
   * fault starts. Defaults to the next call after the fault was added.
   */
  readonly nth?: number;
  /** How many consecutive calls it applies to. Default 1. */
  readonly times?: number;
  /**
   * Every call of the operation that arrives within this period (by the emulator's clock) gets the
   * fault, however many there are: "every call answered 606 for 25 s" on a virtual clock.
   */
  readonly during?: FaultPeriod;
  readonly respond: FaultResponse;
}

/** Faults drawn at random with a seeded generator: the same seed and call sequence give the same faults. */
export interface RandomFaults {
  readonly seed: number;
  /** Chance per eligible call, 0 to 1. */
  readonly probability: number;
  /** What to respond with; one is picked at random. Default: 604, 606, 608, 615, 713, HTTP 502, drop before. */
  readonly kinds?: readonly FaultResponse[];
  /** Operations eligible. Default: every operation but `identity`. */
  readonly operations?: readonly Operation[];
}

/**
 * The behaviours docs/marketo-api.md section 8 leaves open. Each default is the documented guess; see
 * docs/emulator.md for the reasoning.
 */
export interface EmulatorBehaviour {
  /** List (GET external/types.json) includes never-approved types. Default true. */
  readonly listIncludesDrafts?: boolean;
  /** List includes deleted types (status `deleted`). Default false. */
  readonly listIncludesDeleted?: boolean;
  /** List items carry `primaryAttribute` and `attributes`. Default false (the docs' example has neither). */
  readonly listIncludesAttributes?: boolean;
  /** Describe of a missing version: `fallback` returns the other version, `error` returns `unknownTypeCode`. Default fallback. */
  readonly describeMissingVersion?: "fallback" | "error";
  /** discardDraft on a never-approved type: `error` (discardWithoutDraftCode) or `deleteType`. Default error. */
  readonly discardDraftOnDraftOnly?: "error" | "deleteType";
  /** `attributes` in a create body: `ignore` (as Marketo ignores unknown JSON keys) or `reject`. Default ignore. */
  readonly attributesOnCreate?: "ignore" | "reject";
  /**
   * What is sent for a field the emulator has no value for (a type's or an attribute's
   * `description`, `attributes` with `omitEmptyAttributes`, `id`/`createdAt`/`updatedAt` with
   * `createResponseOmitsIds`, a record's `id` with `omitActivityRecordId`, ...): `omit` leaves the key
   * out, `null` sends it as `null`. Default omit (the docs' examples).
   */
  readonly absentFields?: "omit" | "null";
  /**
   * A write with `description: ""` (type or attribute, create or update): `store` keeps "" and
   * answers "", `null` keeps no description and answers `null`, `omit` keeps none and leaves the key
   * out, `ignore` keeps the description the type or attribute had. Default store.
   */
  readonly emptyDescription?: "store" | "null" | "omit" | "ignore";
  /**
   * An attribute object without `name` in attributes/update (and as the `primaryAttribute` of a type
   * update) is refused with `missingFieldCode`, as the swagger marks `name` required on every
   * attribute object. Default true. Attribute create always requires it; attributes/delete never does.
   */
  readonly attributeNameRequired?: boolean;
  /**
   * GET external/types.json with nothing to list: `result` answers `result: []`; `702` answers
   * `success: false` with 702 No data found; `warning` answers `result: []` with a 702 warning.
   * Default result.
   */
  readonly emptyList?: "result" | "702" | "warning";
  /** Order of the entries of both lists: `id` ascending, `reverse` descending. Default id. */
  readonly listOrder?: "id" | "reverse";
  /**
   * The rule for a type's display `name`: `unicode` takes letters and digits of any script
   * (`DISPLAY_NAME_PATTERN`), `ascii` only A-Z and 0-9 (`ASCII_DISPLAY_NAME_PATTERN`); spaces and
   * underscores both. A name outside it gets `invalidValueCode`; the seed follows it too. Default unicode.
   */
  readonly displayNames?: "unicode" | "ascii";
  /** Changing an attribute's dataType when the live version has it. Default allow. */
  readonly dataTypeChangeAfterApproval?: "allow" | "reject";
  /**
   * Changing which attribute is primary once the type was approved (demoting the live primary or
   * promoting another): `reject` answers `immutableFieldCode`. Default reject: Marketo's Admin guide
   * allows a field to be made primary only while the custom activity was never published.
   */
  readonly primaryChangeAfterApproval?: "allow" | "reject";
  /** Data types the primary attribute may have. Default all eleven. */
  readonly primaryDataTypes?: readonly AttributeDataType[];
  /** Also list the primary in `attributes[]`, and give every attribute `isPrimary`. Default false. */
  readonly primaryInAttributesList?: boolean;
  /** Omit the `attributes` key when a type has no secondary attributes (as the docs' delete example). Default true. */
  readonly omitEmptyAttributes?: boolean;
  /** A deleted type's apiName may be used again by create (with a new id). Default true. */
  readonly deletedApiNameReusable?: boolean;
  /** Display `name` must be unique across types, as for custom objects. Default false. */
  readonly uniqueDisplayName?: boolean;
  /** For a type marked in use: changing name, triggerName, filterName, description or the primary attribute is rejected. Default true. */
  readonly rejectChangesWhenInUse?: boolean;
  /** The create response omits `id`, `createdAt` and `updatedAt`, as the docs' example does. Default false. */
  readonly createResponseOmitsIds?: boolean;
  /** Operations whose success response has `result: []` instead of the type. Default none. */
  readonly emptyResultOn?: readonly (
    | "approveCustomActivityType"
    | "discardCustomActivityTypeDraft"
    | "deleteCustomActivityType"
  )[];
  /** Success responses carry `errors: []` and `warnings: []`. Default false (most doc examples omit them). */
  readonly emptyErrorsAndWarnings?: boolean;
  /** Custom types in GET activities/types.json carry their `apiName`. Default true. */
  readonly activityTypesIncludeApiName?: boolean;
  /** Added activity records have no `id`, as after the Activity Service migration. Default false. */
  readonly omitActivityRecordId?: boolean;
  /** Unknown, deleted or missing-version type on the type endpoints; unknown activityTypeId per record. Default "1013". */
  readonly unknownTypeCode?: MarketoCode;
  /** Create with an apiName that exists. Default "1017". */
  readonly duplicateApiNameCode?: MarketoCode;
  /** triggerName or filterName (or display name, with uniqueDisplayName) used by another type. Default "1017". */
  readonly duplicateNameCode?: MarketoCode;
  /** Attribute create with an apiName the type already has. Default "1017". */
  readonly duplicateAttributeCode?: MarketoCode;
  /** Attribute update or delete of an apiName the type lacks. Default "1006". */
  readonly unknownAttributeCode?: MarketoCode;
  /** Approve without a draft. Default "709". */
  readonly approveWithoutDraftCode?: MarketoCode;
  /** discardDraft without a draft, or on a draft-only type with discardDraftOnDraftOnly "error". Default "709". */
  readonly discardWithoutDraftCode?: MarketoCode;
  /** Primary rules: a second primary, deleting the primary, approving without one. Default "709". */
  readonly primaryRuleCode?: MarketoCode;
  /** A change the rules forbid: apiName change, in-use fields, rejected dataType or primary change. Default "709". */
  readonly immutableFieldCode?: MarketoCode;
  /** A required field missing or blank. Default "701" (`%s cannot be blank`). */
  readonly missingFieldCode?: MarketoCode;
  /** A field with a value the rules do not allow. Default "1003" (Invalid data). */
  readonly invalidValueCode?: MarketoCode;
  /** Delete of a type in use. Default "1022". */
  readonly inUseCode?: MarketoCode;
  /** Add Custom Activities with more than 300 records. Default "1003". */
  readonly tooManyRecordsCode?: MarketoCode;
  /** A record for a type that exists but was never approved. Default "1003". */
  readonly notApprovedCode?: MarketoCode;
}

/** A standard (non-custom) activity type listed by GET activities/types.json. */
export interface StandardActivityType {
  readonly id: number;
  readonly name: string;
  readonly description?: string;
  readonly primaryAttribute: { readonly name: string; readonly dataType: string };
  readonly attributes: readonly { readonly name: string; readonly dataType: string }[];
}

/** Options of `startEmulator`; all optional. */
export interface EmulatorOptions {
  /** Interface to bind. Default `127.0.0.1` (loopback only). */
  readonly host?: string;
  /** Port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** The one client id the identity endpoint accepts. Default `emulator-client`. */
  readonly clientId?: string;
  /** Its secret. Default `emulator-secret`. */
  readonly clientSecret?: string;
  /** The API user the token belongs to, returned as `scope`. Default `api-user@emulator.invalid`. */
  readonly scope?: string;
  /** Pod code after the colon in tokens (`uuid:pod`). Default `emu`. */
  readonly podCode?: string;
  /** Clock in epoch milliseconds; inject one to test token expiry and rate windows. Default `Date.now`. */
  readonly now?: () => number;
  /** Lifetime of a fresh token. Default 3600. */
  readonly tokenTtlSeconds?: number;
  /** Activity types present at start. */
  readonly seed?: EmulatorSeed;
  /** Which lead ids exist (1004 otherwise). Default: every positive integer. */
  readonly leads?: readonly number[] | ((leadId: number) => boolean);
  readonly limits?: EmulatorLimits;
  /** Delay added to every request, while it counts as in flight. Default 0. */
  readonly latencyMs?: number;
  /** Scripted faults, in order of precedence. */
  readonly faults?: readonly FaultSpec[];
  readonly randomFaults?: RandomFaults;
  /**
   * Options of the open behaviours; a key set here wins over the same key of `config`. Default: the
   * documented guesses (`DEFAULT_BEHAVIOUR`).
   */
  readonly behaviour?: EmulatorBehaviour;
  /**
   * Path of an emulator config file, `{ "behaviour": { ... } }`, such as the one
   * `marketo-activities probe --write-emulator-config` writes for a real instance: the emulator then
   * answers as that instance does. Read at start; a missing or invalid file stops the start with a
   * `MarketoActivitiesError` (code `EmulatorConfigInvalid`). See `loadEmulatorConfig`.
   */
  readonly config?: string;
  /** Standard types for GET activities/types.json. Default: the "Fill Out Form" type of the docs' example. */
  readonly standardActivityTypes?: readonly StandardActivityType[];
  /**
   * JSON file holding the instance's state: loaded at start if it exists (the seed is then ignored),
   * rewritten atomically after every change. A corrupt file stops the start and is left untouched.
   */
  readonly persistPath?: string;
  /** Accept the deprecated `access_token` query parameter when no Authorization header is sent. Default false. */
  readonly acceptAccessTokenQuery?: boolean;
}

export type ResolvedBehaviour = Required<EmulatorBehaviour>;

export interface ResolvedLimits {
  readonly rateLimit: RateLimit | false;
  readonly maxConcurrent: number | false;
  readonly dailyQuota: number | false;
  readonly maxActivityTypes: number;
  readonly maxAttributes: number;
  readonly rejectedCallsCount: boolean;
}

export const DEFAULT_CLIENT_ID = "emulator-client";
export const DEFAULT_CLIENT_SECRET = "emulator-secret";

export const DEFAULT_BEHAVIOUR: ResolvedBehaviour = {
  listIncludesDrafts: true,
  listIncludesDeleted: false,
  listIncludesAttributes: false,
  describeMissingVersion: "fallback",
  discardDraftOnDraftOnly: "error",
  attributesOnCreate: "ignore",
  dataTypeChangeAfterApproval: "allow",
  primaryChangeAfterApproval: "reject",
  primaryDataTypes: DATA_TYPES,
  absentFields: "omit",
  emptyDescription: "store",
  attributeNameRequired: true,
  emptyList: "result",
  listOrder: "id",
  displayNames: "unicode",
  primaryInAttributesList: false,
  omitEmptyAttributes: true,
  deletedApiNameReusable: true,
  uniqueDisplayName: false,
  rejectChangesWhenInUse: true,
  createResponseOmitsIds: false,
  emptyResultOn: [],
  emptyErrorsAndWarnings: false,
  activityTypesIncludeApiName: true,
  omitActivityRecordId: false,
  unknownTypeCode: "1013",
  duplicateApiNameCode: "1017",
  duplicateNameCode: "1017",
  duplicateAttributeCode: "1017",
  unknownAttributeCode: "1006",
  approveWithoutDraftCode: "709",
  discardWithoutDraftCode: "709",
  primaryRuleCode: "709",
  immutableFieldCode: "709",
  missingFieldCode: "701",
  invalidValueCode: "1003",
  inUseCode: "1022",
  tooManyRecordsCode: "1003",
  notApprovedCode: "1003",
};

export const DEFAULT_LIMITS: ResolvedLimits = {
  rateLimit: { ...MARKETO_RATE_LIMIT },
  maxConcurrent: MAX_CONCURRENT_REQUESTS,
  dailyQuota: DAILY_QUOTA,
  maxActivityTypes: DEFAULT_MAX_ACTIVITY_TYPES,
  maxAttributes: MAX_SECONDARY_ATTRIBUTES,
  rejectedCallsCount: true,
};

/** The "Fill Out Form" standard type exactly as in the docs' Get Activity Types example (DOC-ACT). */
export const DEFAULT_STANDARD_ACTIVITY_TYPES: readonly StandardActivityType[] = [
  {
    id: 2,
    name: "Fill Out Form",
    description: "User fills out and submits form on web page",
    primaryAttribute: { name: "Webform ID", dataType: "integer" },
    attributes: [
      { name: "Client IP Address", dataType: "string" },
      { name: "Form Fields", dataType: "text" },
      { name: "Query Parameters", dataType: "string" },
      { name: "Referrer URL", dataType: "string" },
      { name: "User Agent", dataType: "string" },
      { name: "Webpage ID", dataType: "integer" },
    ],
  },
];

/** Default random fault kinds: the transient failures a client must retry. */
export const DEFAULT_RANDOM_FAULT_KINDS: readonly FaultResponse[] = [
  { code: "604" },
  { code: "606" },
  { code: "608" },
  { code: "615" },
  { code: "713" },
  { httpStatus: 502 },
  { drop: "before" },
];

export function resolveBehaviour(behaviour: EmulatorBehaviour | undefined): ResolvedBehaviour {
  const resolved: Record<string, unknown> = { ...DEFAULT_BEHAVIOUR };
  for (const [key, value] of Object.entries(behaviour ?? {})) {
    if (!(key in DEFAULT_BEHAVIOUR)) throw new TypeError(`Unknown emulator behaviour option "${key}"`);
    if (value !== undefined) resolved[key] = value;
  }
  return resolved as ResolvedBehaviour;
}

export function resolveLimits(limits: EmulatorLimits | undefined): ResolvedLimits {
  const resolved: Record<string, unknown> = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) throw new TypeError(`Unknown emulator limits option "${key}"`);
    if (value !== undefined) resolved[key] = value;
  }
  return resolved as unknown as ResolvedLimits;
}
