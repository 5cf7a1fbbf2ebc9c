/**
 * The one module that imports CDK for Terraform. Moving to the community fork CDK Terrain means
 * changing the two package names below (`cdktf` → `cdktn`, `@cdktf/provider-null` has no fork:
 * keep it, or use `resourceKind: "terraform_data"`) and package.json.
 */
export {
  App,
  Aspects,
  type IStackSynthesizer,
  type ISynthesisSession,
  Lazy,
  type LocalExecProvisioner,
  TerraformResource,
  type TerraformResourceLifecycle,
  TerraformStack,
  Testing,
  Token,
} from "cdktf";
export { Construct, type IConstruct } from "constructs";

import { provider, resource } from "@cdktf/provider-null";

/** `hashicorp/null`'s provider binding from `@cdktf/provider-null`. */
export const NullProvider = provider.NullProvider;
/** `null_resource` from `@cdktf/provider-null`. */
export const NullResource = resource.Resource;

/** The metadata type cdktf collects as an error annotation (`AnnotationMetadataEntryType.ERROR`). */
export const ERROR_ANNOTATION = "@cdktf/error";
