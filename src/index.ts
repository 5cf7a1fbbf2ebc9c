/**
 * cdktf-marketo-activities: Marketo Engage custom activity types as infrastructure as code.
 * The REST client and the typed activity client are in `cdktf-marketo-activities/client` (no
 * cdktf); the local emulator is in `cdktf-marketo-activities/emulator`.
 */

// Constructs
export {
  type ActivityTypeResource,
  COMMAND_CONTEXT_KEY,
  CustomActivityType,
  type CustomActivityTypeProps,
  DEFAULT_COMMAND,
  MarketoInstance,
  type MarketoInstanceProps,
  RESOURCE_KIND_CONTEXT_KEY,
  type ResourceKind,
  RetiredActivityType,
  type RetiredActivityTypeProps,
} from "./constructs/index.js";

// Definitions and the manifest
export {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  type AttributeDataType,
  type AttributeDefinition,
  type AttributeInput,
  activityTypeSchema,
  attributeSchema,
  canonicalize,
  checkActivityType,
  DATA_TYPES,
  DefinitionError,
  defineActivityType,
  definitionLeaves,
  type InstanceSettings,
  type Manifest,
  MarketoActivitiesError,
  manifestFileName,
  manifestSchema,
  type PrimaryAttributeInput,
  parseActivityType,
  parseManifest,
  primaryAttributeSchema,
  type ValidationIssue,
} from "./schema/index.js";
