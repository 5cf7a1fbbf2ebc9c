/**
 * The Marketo REST layer: `MarketoClient`, its errors, the pure request builders and the wire schemas.
 * Imports nothing from the constructs layer or cdktf.
 */
export { type IssuedToken, type TokenEvent, TokenManager, type TokenRefreshReason } from "./auth.js";
export {
  credentialsFromEnv,
  type FetchLike,
  MAX_ACTIVITIES_PER_CALL,
  MarketoClient,
  type MarketoClientEvent,
  type MarketoClientOptions,
  type MarketoClientSettings,
  type MarketoCredentials,
  type MarketoUsage,
  normalizeBaseUrl,
  type RateLimit,
} from "./client.js";
export * as endpoints from "./endpoints.js";
export { type HttpMethod, OPERATIONS, type Operation, type RequestSpec } from "./endpoints.js";
export {
  type CredentialNames,
  credentialNames,
  type FailureContext,
  hintForCodes,
  MarketoApiError,
  type MarketoApiErrorDetails,
  MarketoAuthError,
  type MarketoAuthFailure,
  MarketoConfigError,
  type MarketoErrorDetail,
  MarketoHttpError,
  MarketoNetworkError,
  MarketoOutcomeUnknownError,
  MarketoQuotaError,
  MarketoRequestError,
  MissingCredentialsError,
  NetworkCause,
  nextQuotaReset,
  Redactor,
} from "./errors.js";
export { RollingWindowLimiter, Semaphore, type WindowSlot } from "./limiter.js";
export {
  backoffDelay,
  CODE_POLICIES,
  type CodePolicy,
  classifyNetworkError,
  DEFAULT_RETRY,
  type FailureKind,
  type NetworkFailure,
  policyForCodes,
  policyForHttpStatus,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveRetryOptions,
} from "./retry.js";
export type {
  AttributeRequest,
  CustomActivityInput,
  CustomActivityTypeRequest,
  CustomActivityTypeStatus,
  WireActivityType,
  WireAttribute,
  WireCustomActivityResult,
  WireCustomActivityType,
  WireError,
} from "./wire.js";
