import {
  type Construct,
  type LocalExecProvisioner,
  TerraformResource,
  type TerraformResourceLifecycle,
} from "./cdktf.js";

/** Configuration of Terraform's built-in `terraform_data` resource. */
export interface TerraformDataConfig {
  /**
   * Any change replaces the resource, which re-runs its create-time provisioners. A function is
   * called at synth, so values added after construction count.
   */
  readonly triggersReplace?: Record<string, string> | (() => Record<string, string>);
  readonly lifecycle?: TerraformResourceLifecycle;
  readonly provisioners?: LocalExecProvisioner[];
}

/**
 * Terraform's built-in `terraform_data` resource (Terraform >= 1.4, no provider download).
 * Written by hand rather than using cdktf's `DataResource`, whose constructor adds a validation
 * that shells out to `terraform version` at synth (docs/cdktf.md section 6).
 */
export class TerraformData extends TerraformResource {
  /** The Terraform resource type. */
  public static readonly tfResourceType = "terraform_data";
  private readonly triggersReplace: TerraformDataConfig["triggersReplace"];

  constructor(scope: Construct, id: string, config: TerraformDataConfig) {
    const { triggersReplace, ...meta } = config;
    super(scope, id, { terraformResourceType: TerraformData.tfResourceType, ...meta });
    this.triggersReplace = triggersReplace;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const triggers = this.triggersReplace;
    return { triggers_replace: typeof triggers === "function" ? triggers() : triggers };
  }
}
