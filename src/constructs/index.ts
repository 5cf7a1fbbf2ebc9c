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
