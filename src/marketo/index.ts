/**
 * The Marketo REST layer: `MarketoClient`, its options, events and errors, the endpoint table and the
 * wire schemas' types. Imports nothing from the constructs layer or cdktf.
 */
export {
  budgetShareFromEnv,
  credentialsFromEnv,
  MarketoConfigError,
  type MarketoCredentials,
  MissingCredentialsError,
  parseBudgetShare,
} from "./credentials.js";
export {
  ENDPOINTS,
  hasBody,
  isWrite,
  OPERATIONS,
  type Operation,
  type RequestBody,
  type RestOperation,
  type ResultOf,
} from "./endpoints.js";
export {
  MarketoApiError,
  MarketoAuthError,
  type MarketoAuthFailure,
  type MarketoErrorDetail,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
  MarketoRequestError,
  MarketoUnexpectedAnswerError,
} from "./errors.js";
export type { MarketoClientEvent } from "./events.js";
export { MarketoClient } from "./marketo-client.js";
export type { FetchLike, MarketoClientOptions, MarketoClientSettings, RateLimit } from "./options.js";
export type { MarketoUsage } from "./pipeline.js";
export type { RetryOptions } from "./retry.js";
export {
  type AttributeRequest,
  type CustomActivityInput,
  type CustomActivityTypeRequest,
  type CustomActivityTypeStatus,
  hasDraft,
  isLive,
  type WireActivityType,
  type WireAttribute,
  type WireCustomActivityResult,
  type WireCustomActivityType,
} from "./wire.js";
