/**
 * The definitions the reliability suite declares: realistic types, and the seed of an instance where
 * some of them already live.
 */
import type { SeedActivityType } from "../../src/emulator/index.js";
import type { ActivityTypeInput } from "../../src/schema/index.js";

export const webinar = {
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  description: "Watched a webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
  attributes: [
    { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    { apiName: "platform", name: "Platform", dataType: "string", description: "Zoom or Teams" },
  ],
} as const satisfies ActivityTypeInput;

/** The webinar type changed: a new description and a new attribute. */
export const webinarChanged = {
  ...webinar,
  description: "Watched a webinar, live or recorded",
  attributes: [...webinar.attributes, { apiName: "host", name: "Host", dataType: "string" }],
} as const satisfies ActivityTypeInput;

export const deposit = {
  apiName: "checkDeposited",
  name: "Check Deposited",
  triggerName: "Deposits Check",
  filterName: "Deposited Check",
  primaryAttribute: { apiName: "branchName", name: "Branch Name" },
  attributes: [{ apiName: "amount", name: "Amount", dataType: "currency" }],
} as const satisfies ActivityTypeInput;

export const trial = {
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
  primaryAttribute: { apiName: "productName", name: "Product Name" },
} as const satisfies ActivityTypeInput;

export const oldSignup = {
  apiName: "oldSignup",
  name: "Old Signup",
  triggerName: "Signs Up Old",
  filterName: "Signed Up Old",
  primaryAttribute: { apiName: "formName", name: "Form Name" },
} as const satisfies ActivityTypeInput;

/** A live instance for a multi-type apply: the webinar to update, a type to retire. */
export const LIVE_SEED: readonly SeedActivityType[] = [
  { ...webinar, attributes: [...webinar.attributes] },
  { ...oldSignup },
];

/** The multi-type apply: create of two, update of one, a tombstone. */
export const MULTI_TYPES: readonly ActivityTypeInput[] = [webinarChanged, deposit, trial];
export const MULTI_RETIRED: readonly string[] = [oldSignup.apiName];

/** The webinar's primary moves to `platform`; the old primary stays as a secondary. */
export const webinarNewPrimary = {
  ...webinar,
  primaryAttribute: { apiName: "platform", name: "Platform", description: "Zoom or Teams" },
  attributes: [
    { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" },
    { apiName: "webinarName", name: "Webinar Name", dataType: "string" },
  ],
  allowDestructiveChanges: true,
} as const satisfies ActivityTypeInput;
