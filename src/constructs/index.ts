/**
 * The construct layer: `MarketoInstance`, `CustomActivityType`, `RetiredActivityType`. Works with the
 * CDK (cdktf or cdktn) the user's stack comes from, found at run time in cdk.ts; imports src/schema
 * and src/sources. See docs/architecture.md.
 */
export {
  type ActivityTypeResource,
  CustomActivityType,
  type CustomActivityTypeProps,
} from "./custom-activity-type.js";
export { DEFAULT_COMMAND } from "./launcher.js";
export {
  COMMAND_CONTEXT_KEY,
  MarketoInstance,
  type MarketoInstanceProps,
  RESOURCE_KIND_CONTEXT_KEY,
  type ResourceKind,
} from "./marketo-instance.js";
export { RetiredActivityType, type RetiredActivityTypeProps } from "./retired-activity-type.js";
