/**
 * The Terraform resources that stand for activity types, built on the CDK of the user's stack
 * (cdk.ts): Terraform's built-in `terraform_data` (the default: Terraform >= 1.4, no provider
 * download, works air-gapped) and `null_resource` of the `hashicorp/null` provider.
 *
 * Two rules hold for every resource made here (types, tombstones, an instance's own resources):
 * - Every string it is given (triggers, keys included, and each local-exec provisioner's command,
 *   environment, interpreter and working directory) is written as a Terraform literal
 *   (`terraformLiteral`), so Terraform reads back exactly that string and evaluates nothing in it.
 * - It is written only while the `MarketoInstance` it belongs to has no problem: an invalid
 *   definition gets no resource and no provisioner, even when cdktf is told to go on after errors
 *   (`CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`, as the cdktf CLI does) or validations are skipped.
 */
import type { Construct, IConstruct } from "constructs";
import {
  type FoundCdk,
  type LocalExecProvisioner,
  loadProviderNull,
  type TerraformResource,
  type TerraformStack,
} from "./cdk.js";
import { INSTANCE, isMarked } from "./private/markers.js";

/**
 * cdktf's marker of a string token, `${TfToken[TOKEN.12]}`: a reference the app's code made (an
 * attribute of another resource, a variable), which the CDK renders as a Terraform expression
 * (docs/cdktf.md section 8).
 */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** Literal text for Terraform: `${` and `%{` doubled, as its templates require. */
function escapeTemplate(text: string): string {
  // A function, not the string: in a replacement string "$$" stands for one "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** Literal text for HCL's quoted strings: `escapeTemplate`, then backslashes, quotes and control characters. */
function escapeHcl(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is escaped
  return escapeTemplate(text).replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === "\\" || c === '"') return `\\${c}`;
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    if (c === "\t") return "\\t";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** `value` with the text between cdktf string tokens escaped by `escape`, the tokens left as they are. */
function literalWith(value: string, escapeText: (text: string) => string): string {
  let out = "";
  let from = 0;
  for (const token of value.matchAll(STRING_TOKEN)) {
    const text = escapeText(value.slice(from, token.index));
    // A "$" right before the token's "${expression}" would make the escape "$${": it is written as
    // an interpolation of "$" instead.
    out += text.endsWith("$") ? `${text.slice(0, -1)}${DOLLAR}${token[0]}` : `${text}${token[0]}`;
    from = token.index + token[0].length;
  }
  return out + escapeText(value.slice(from));
}

/** A Terraform interpolation that evaluates to "$". */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform expression
const DOLLAR = '${"$"}';

/**
 * `value` as a Terraform string template that evaluates to `value` itself. Terraform evaluates
 * `${...}` and `%{...}` in every string of its configuration, JSON included, so they are written
 * `$${` and `%%{`. A cdktf string token in `value` (a reference the app's code made, e.g. in a
 * command) stays a reference for the CDK to render; a definition, whose values the manifest holds as
 * they are, may not contain one (custom-activity-type.ts).
 */
export function terraformLiteral(value: string): string {
  return /[$%]/.test(value) ? literalWith(value, escapeTemplate) : value;
}

/**
 * `value` for cdktf's HCL output (`cdktf synth --hcl`): as `terraformLiteral`, with backslashes,
 * quotes and control characters escaped as HCL's quoted strings require. cdktf's HCL renderer puts a
 * string in quotes without escaping backslashes, escapes quotes only in strings without `${`, and
 * writes a string with a line break as a heredoc, which would change it; after this it has nothing
 * left to escape (docs/cdktf.md section 8).
 */
export function hclLiteral(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: they are what is escaped
  return /[$%\\"\u0000-\u001f\u007f]/.test(value) ? literalWith(value, escapeHcl) : value;
}

type Format = "json" | "hcl";

const literal = (value: string, format: Format) =>
  format === "json" ? terraformLiteral(value) : hclLiteral(value);

/** A string map, keys and values, as literals. */
function literalMap(map: Readonly<Record<string, string>>, format: Format): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [literal(k, format), literal(v, format)]));
}

/** A local-exec provisioner with every string in it as a literal; other provisioners as they are. */
function literalProvisioner(provisioner: LocalExecProvisioner, format: Format): LocalExecProvisioner {
  if (provisioner.type !== "local-exec") return provisioner;
  const { command, environment, interpreter, workingDir } = provisioner;
  return {
    ...provisioner,
    command: literal(command, format),
    ...(environment === undefined ? {} : { environment: literalMap(environment, format) }),
    ...(interpreter === undefined ? {} : { interpreter: interpreter.map((arg) => literal(arg, format)) }),
    ...(workingDir === undefined ? {} : { workingDir: literal(workingDir, format) }),
  };
}

/**
 * Whether `resource` is written: not when the `MarketoInstance` it belongs to has a problem (an
 * invalid definition, a rule across its types, its own props). Its manifest is not written then
 * either, so nothing would be there for a provisioner to apply.
 */
function isWritten(resource: IConstruct): boolean {
  const instance = resource.node.scopes.findLast((scope) => isMarked(scope, INSTANCE)) as
    | { validate(): string[] }
    | undefined;
  if (instance === undefined) return true;
  const known = validity.get(instance);
  if (known?.generation === generation) return known.valid;
  const valid = instance.validate().length === 0;
  validity.set(instance, { generation, valid });
  return valid;
}

/**
 * Each instance's validity, kept while no definition changes: validating the whole instance once per
 * resource would make synth quadratic in the types (cdktf renders every resource twice, once to find
 * references across stacks). What can change it is counted in `generation`: a resource made here
 * (every type, tombstone and instance makes one) and `definitionChanged()`.
 */
const validity = new WeakMap<object, { generation: number; valid: boolean }>();
let generation = 0;

/** Tells the resources that a definition changed after construction (`addAttribute`). */
export function definitionChanged(): void {
  generation++;
}

/**
 * Renders `resource` with `render` (the CDK's `toTerraform` or `toHclTerraform`), its provisioners'
 * strings as literals for that one rendering; nothing when it is not written (`isWritten`).
 */
function renderResource<T extends object>(resource: TerraformResource, format: Format, render: () => T): T {
  if (!isWritten(resource)) return {} as T;
  const provisioners = resource.provisioners;
  if (provisioners === undefined) return render();
  resource.provisioners = provisioners.map((p) =>
    p.type === "local-exec" ? literalProvisioner(p as LocalExecProvisioner, format) : p,
  );
  try {
    return render();
  } finally {
    resource.provisioners = provisioners;
  }
}

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
      definitionChanged();
    }
    protected override synthesizeAttributes(): Record<string, unknown> {
      return { triggers_replace: literalMap(this.config.triggers(), "json") };
    }
    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return { triggers_replace: hclStringMap(literalMap(this.config.triggers(), "hcl")) };
    }
    public override toTerraform(): Record<string, unknown> {
      return renderResource(this, "json", () => super.toTerraform());
    }
    public override toHclTerraform(): Record<string, unknown> {
      return renderResource(this, "hcl", () => super.toHclTerraform());
    }
    public override toMetadata(): Record<string, unknown> {
      return isWritten(this) ? super.toMetadata() : {};
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
      definitionChanged();
    }
    protected override synthesizeAttributes(): Record<string, unknown> {
      return { ...super.synthesizeAttributes(), triggers: literalMap(this.config.triggers(), "json") };
    }
    protected override synthesizeHclAttributes(): Record<string, unknown> {
      return {
        ...super.synthesizeHclAttributes(),
        triggers: hclStringMap(literalMap(this.config.triggers(), "hcl")),
      };
    }
    public override toTerraform(): Record<string, unknown> {
      return renderResource(this, "json", () => super.toTerraform());
    }
    public override toHclTerraform(): Record<string, unknown> {
      return renderResource(this, "hcl", () => super.toHclTerraform());
    }
    public override toMetadata(): Record<string, unknown> {
      return isWritten(this) ? super.toMetadata() : {};
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
