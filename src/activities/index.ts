/**
 * The typed activity client: sends activity records of a type declared with `defineActivityType`,
 * typed and checked against its definition, without sending any record twice. Imports only
 * src/schema and src/marketo; never cdktf.
 */
export {
  ActivityClient,
  type ActivityClientOptions,
  type RecordResult,
  type RecordStatus,
  type SendResult,
} from "./activity-client.js";
export {
  ActivityRecordsInvalidError,
  ActivitySendError,
  ActivityTypeNotReadyError,
  type ActivityTypeNotReadyReason,
} from "./errors.js";
export type { ActivityRecord, AttributeValuesOf, PrimaryValueOf, RecordIssue } from "./records.js";
export type { AttributeValue } from "./values.js";
