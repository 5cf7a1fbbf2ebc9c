export {
  CustomActivityType,
  type CustomActivityTypeProps,
} from "./custom-activity-type.js";
export {
  COMMAND_CONTEXT_KEY,
  DEFAULT_COMMAND,
  MarketoInstance,
  type MarketoInstanceProps,
  RESOURCE_KIND_CONTEXT_KEY,
  type ResourceKind,
} from "./marketo-instance.js";
export { RetiredActivityType, type RetiredActivityTypeProps } from "./retired-activity-type.js";
export { TerraformData, type TerraformDataConfig } from "./terraform-data.js";
