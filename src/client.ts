/**
 * The `cdktf-marketo-activities/client` entry, for programs that talk to Marketo without loading
 * cdktf: the typed `ActivityClient` that sends activity records for a `defineActivityType`
 * definition, the Marketo REST client and its errors.
 */

export {
  ActivityClient,
  type ActivityClientOptions,
  type ActivityRecord,
  ActivityRecordsInvalidError,
  ActivitySendError,
  ActivityTypeNotReadyError,
  type ActivityTypeNotReadyReason,
  type AttributeValue,
  type AttributeValuesOf,
  type PrimaryValueOf,
  type RecordIssue,
  type RecordResult,
  type RecordStatus,
  type SendResult,
} from "./activities/index.js";

export {
  type AttributeRequest,
  type CustomActivityInput,
  type CustomActivityTypeRequest,
  type CustomActivityTypeStatus,
  credentialsFromEnv,
  type FetchLike,
  MarketoApiError,
  MarketoAuthError,
  type MarketoAuthFailure,
  MarketoClient,
  type MarketoClientEvent,
  type MarketoClientOptions,
  type MarketoClientSettings,
  MarketoConfigError,
  type MarketoCredentials,
  type MarketoErrorDetail,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
  MarketoRequestError,
  MarketoUnexpectedAnswerError,
  type MarketoUsage,
  MissingCredentialsError,
  type Operation,
  type RateLimit,
  type RetryOptions,
  type WireActivityType,
  type WireAttribute,
  type WireCustomActivityResult,
  type WireCustomActivityType,
} from "./marketo/index.js";
export {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  type AttributeDataType,
  type AttributeDefinition,
  type AttributeInput,
  defineActivityType,
  isUserError,
  MAX_ACTIVITIES_PER_CALL,
  MarketoActivitiesError,
  type PrimaryAttributeDefinition,
  type PrimaryAttributeInput,
} from "./schema/index.js";
