/**
 * The pure layer every other layer may import: the zod schemas of a definition and of the manifest
 * with the types inferred from them, Marketo's naming rules, limits and value rules, the canonical
 * form, and the error wording. Imports only zod. See docs/architecture.md.
 */
export {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  type AttributeDefinition,
  type AttributeInput,
  activityTypeSchema,
  apiNameSchema,
  attributeSchema,
  checkActivityType,
  defineActivityType,
  type PrimaryAttributeDefinition,
  type PrimaryAttributeInput,
  parseActivityType,
  primaryAttributeSchema,
} from "./activity-type.js";
export {
  byApiName,
  canonicalize,
  definitionLeaves,
  type LeafAttribute,
  type LeafSource,
  stableHash,
  stableStringify,
  typeLeaves,
} from "./canonical.js";
export { isUserError, MarketoActivitiesError } from "./errors.js";
export {
  checkInstanceRules,
  type DeclaredTypeEntry,
  type InstanceDeclarations,
  type RetiredEntry,
  type UniqueName,
} from "./instance-rules.js";
export {
  DefinitionError,
  formatIssue,
  formatIssues,
  formatPath,
  rule,
  toIssues,
  type ValidationIssue,
} from "./issues.js";
export * from "./limits.js";
export {
  buildManifest,
  checkManifest,
  INSTANCE_ID_PATTERN,
  type InstanceSettings,
  instanceSettingsSchema,
  isManifestFileName,
  MANIFEST_FORMAT_VERSION,
  type Manifest,
  manifestDigest,
  manifestFileName,
  manifestSchema,
  PROVISIONER_ENV,
  parseManifest,
  serializeManifest,
} from "./manifest.js";
export { largestRequests, type RequestShape, requestSizeIssues } from "./request-size.js";
