/**
 * The Terraform resources that stand for activity types, built on the CDK of the user's stack
 * (cdk.ts): Terraform's built-in `terraform_data` (the default: Terraform >= 1.4, no provider
 * download, works air-gapped) and `null_resource` of the `hashicorp/null` provider.
 */
import type { Construct, IConstruct } from "constructs";
import {
  type FoundCdk,
  type LocalExecProvisioner,
  loadProviderNull,
  type TerraformResource,
  type TerraformStack,
} from "./cdk.js";

/** What every activity-type resource is given. */
export interface ResourceConfig {
  /** Computed at synth, so attributes added after construction count. */
  readonly triggers: () => Record<string, string>;
  readonly provisioners: LocalExecProvisioner[];
}

/** The HCL form of a string map (`cdktf synth --hcl`). */
function hclStringMap(value: Record<string, string>) {
  return { value, isBlock: false, type: "map", storageClassType: "stringMap" };
}

/** `hashicorp/null` 3.2.4, as `@cdktf/provider-null` 11 pins it (its generator metadata). */
const NULL_PROVIDER_METADATA = {
  providerName: "null",
  providerVersion: "3.2.4",
  providerVersionConstraint: "~> 3.0",
};

/** A `null_resource` class: @cdktf/provider-null's, or the equivalent below. */
type NullResourceClass = new (
  scope: Construct,
  id: string,
  config: { lifecycle: { createBeforeDestroy: boolean }; provisioners: LocalExecProvisioner[] },
) => TerraformResource;

interface ResourceClasses {
  createTerraformData(scope: Construct, id: string, config: ResourceConfig): TerraformResource;
  createNullResource(scope: Construct, id: string, config: ResourceConfig): TerraformResource;
  createNullProvider(scope: Construct, id: string): IConstruct;
}

const classesByCdk = new WeakMap<object, ResourceClasses>();

/** The resource classes for one CDK copy, made once. */
export function resourceClasses(cdk: FoundCdk): ResourceClasses {
  const cached = classesByCdk.get(cdk.module);
  if (cached !== undefined) return cached;
  const { TerraformResource, TerraformProvider } = cdk.module;
  const lifecycle = { createBeforeDestroy: true };

  /**
   * `terraform_data`, written by hand: the CDKs' `DataResource` adds a validation that shells out
   * to `terraform version` at synth (docs/cdktf.md section 6).
   */
  class TerraformData extends TerraformResource {
    constructor(
      scope: Construct,
      id: string,
      private readonly config: ResourceConfig,
    ) {
      super(scope, id, {
        terraformResourceType: "terraform_data",
        lifecycle,
        provisioners: config.provisioners,
      });
    }
    protected override synthesizeAttributes(): Record<string, unknown> {
      return { triggers_replace: this.config.triggers() };
    }
    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return { triggers_replace: hclStringMap(this.config.triggers()) };
    }
  }

  // `null_resource`: @cdktf/provider-null's binding where the app has it for this cdktf copy,
  // else an equivalent written here (cdktn has no provider-null; a test compares the JSON).
  const providerNull = loadProviderNull(cdk);
  const NullResourceBase: NullResourceClass =
    (providerNull?.resource.Resource as unknown as NullResourceClass | undefined) ??
    class NullResource extends TerraformResource {
      constructor(scope: Construct, id: string, config: ConstructorParameters<NullResourceClass>[2]) {
        super(scope, id, {
          terraformResourceType: "null_resource",
          terraformGeneratorMetadata: NULL_PROVIDER_METADATA,
          ...config,
        });
      }
    };
  const NullProvider: new (scope: Construct, id: string) => IConstruct =
    (providerNull?.provider.NullProvider as unknown as
      | (new (
          scope: Construct,
          id: string,
        ) => IConstruct)
      | undefined) ??
    class NullProvider extends TerraformProvider {
      constructor(scope: Construct, id: string) {
        super(scope, id, {
          terraformResourceType: "null",
          terraformGeneratorMetadata: NULL_PROVIDER_METADATA,
          terraformProviderSource: "null",
        });
      }
      protected override synthesizeAttributes(): Record<string, unknown> {
        return { alias: undefined };
      }
    };

  /** Triggers computed at synth (a `Lazy` token would capture a stack trace per resource). */
  class LateTriggersNullResource extends NullResourceBase {
    constructor(
      scope: Construct,
      id: string,
      private readonly config: ResourceConfig,
    ) {
      super(scope, id, { lifecycle, provisioners: config.provisioners });
    }
    protected override synthesizeAttributes(): Record<string, unknown> {
      return { ...super.synthesizeAttributes(), triggers: this.config.triggers() };
    }
    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return { ...super.synthesizeHclAttributes(), triggers: hclStringMap(this.config.triggers()) };
    }
  }

  const classes: ResourceClasses = {
    createTerraformData: (scope, id, config) => new TerraformData(scope, id, config),
    createNullResource: (scope, id, config) => new LateTriggersNullResource(scope, id, config),
    createNullProvider: (scope, id) => new NullProvider(scope, id),
  };
  classesByCdk.set(cdk.module, classes);
  return classes;
}

/**
 * Adds variables to the environment of a resource's `local-exec` provisioners. Called at synth (from
 * the instance's aspect), when every type of the instance is known; the CDKs read `provisioners` when
 * they write the resource.
 */
export function addProvisionerEnvironment(
  resource: TerraformResource,
  variables: Readonly<Record<string, string>>,
): void {
  if (Object.keys(variables).length === 0 || resource.provisioners === undefined) return;
  resource.provisioners = resource.provisioners.map((provisioner) =>
    provisioner.type === "local-exec"
      ? { ...provisioner, environment: { ...provisioner.environment, ...variables } }
      : provisioner,
  );
}

const NULL_PROVIDER_ID = "marketo-activities-null-provider";

/** The null provider is configured once per stack; one the app declared itself is reused. */
export function ensureNullProvider(stack: TerraformStack, classes: ResourceClasses): void {
  const existing = stack.node
    .findAll()
    .some(
      (c) =>
        c.node.id === NULL_PROVIDER_ID ||
        ((c as { terraformResourceType?: string }).terraformResourceType === "null" &&
          "terraformProviderSource" in c),
    );
  if (!existing) classes.createNullProvider(stack, NULL_PROVIDER_ID);
}
