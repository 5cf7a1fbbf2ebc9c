import { Construct, type IConstruct } from "constructs";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  type AttributeInput,
  checkActivityType,
  DefinitionError,
  definitionLeaves,
  PROVISIONER_ENV,
  type PrimaryAttributeInput,
  requestSizeIssues,
  type ValidationIssue,
} from "../schema/index.js";
import type { Cdk, LocalExecProvisioner, TerraformResource } from "./cdk.js";
import { applyCommand } from "./launcher.js";
import { MarketoInstance } from "./marketo-instance.js";
import { ACTIVITY_TYPE, isMarked, mark, terraformName } from "./private/markers.js";
import { definitionChanged, ensureNullProvider, resourceClasses } from "./resources.js";

/**
 * Properties of a `CustomActivityType`, named as in Marketo's REST API.
 * @see https://experienceleague.adobe.com/en/docs/marketo-developer/marketo/rest/lead-database/activities
 */
export interface CustomActivityTypeProps {
  /**
   * API name of the type: letters and digits, at least one letter, at most 255 characters. It is
   * the type's identity in Marketo: changing it declares a different type, it does not rename.
   */
  readonly apiName: string;
  /** Display name shown in Marketo Admin: letters, digits, spaces and underscores. */
  readonly name: string;
  /** Name of the smart-campaign trigger, in the present tense ("Attends Webinar"). Unique per instance. */
  readonly triggerName: string;
  /** Name of the smart-list filter, in the past tense ("Attended Webinar"). Unique per instance. */
  readonly filterName: string;
  /**
   * Shown in Marketo Admin.
   * @default - no description
   */
  readonly description?: string;
  /** The activity's main value. Its `dataType` defaults to `string`, as in Marketo. */
  readonly primaryAttribute: PrimaryAttributeInput;
  /**
   * Secondary attributes ("fields" in Marketo Admin), at most 20. More can be added with `addAttribute()`.
   * @default - none
   */
  readonly attributes?: readonly AttributeInput[];
  /**
   * Allow `apply` to make destructive changes to this type: delete an attribute, change a
   * dataType, or change the primary attribute of a published type. Reviewed in the pull request.
   *
   * @default false - plan flags destructive changes and apply refuses them
   */
  readonly allowDestructiveChanges?: boolean;
}

/**
 * Declares one Marketo custom activity type in a `MarketoInstance`. Synthesizes one Terraform
 * resource whose triggers hold one string per field of the definition, so `cdktf diff` shows the
 * fields that changed, and whose create-time provisioner runs
 * `marketo-activities apply --only <apiName>` against the instance's manifest.
 *
 * @example
 * new CustomActivityType(prod, "webinar", {
 *   apiName: "webinarAttended", name: "Webinar Attended",
 *   triggerName: "Attends Webinar", filterName: "Attended Webinar",
 *   primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
 *   attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" }],
 * });
 */
export class CustomActivityType extends Construct {
  /** True if `x` is a `CustomActivityType` (works across copies of this package). */
  public static isCustomActivityType(x: unknown): x is CustomActivityType {
    return isMarked(x, ACTIVITY_TYPE);
  }

  /** The type's API name, its identity in Marketo. */
  public readonly apiName: string;
  /** The instance this type belongs to. */
  public readonly instance: MarketoInstance;
  /** The Terraform resource standing for this type (`terraform_data` or `null_resource`). */
  public readonly resource: ActivityTypeResource;

  private readonly props: Omit<CustomActivityTypeProps, "attributes">;
  private readonly attributeInputs: AttributeInput[] | unknown;
  /** The validation result, kept until `addAttribute()` changes the definition. */
  private checked: ReturnType<typeof checkActivityType> | undefined;

  constructor(scope: Construct, id: string, props: CustomActivityTypeProps) {
    super(scope, id);
    mark(this, ACTIVITY_TYPE);
    this.instance = MarketoInstance.of(this, `CustomActivityType "${id}"`);
    const { attributes, ...rest } = props;
    this.props = rest;
    // Anything but a list is kept as written, so validation reports it instead of a crash here.
    this.attributeInputs =
      attributes === undefined ? [] : Array.isArray(attributes) ? [...attributes] : attributes;
    this.apiName = typeof props.apiName === "string" ? props.apiName : String(props.apiName);

    this.resource = createResource(this, this.apiName, `${this.instance.instanceId}_${this.apiName}`, () =>
      this.triggers(),
    );
  }

  /**
   * Adds a secondary attribute. Problems (a duplicate apiName, more than 20 attributes) are
   * reported with every other problem when the app is synthesized.
   */
  public addAttribute(attribute: AttributeInput): this {
    if (Array.isArray(this.attributeInputs)) this.attributeInputs.push(attribute);
    this.checked = undefined;
    definitionChanged();
    return this;
  }

  /** The definition as written, attributes added with `addAttribute()` included. */
  public get input(): ActivityTypeInput {
    const attributes = Array.isArray(this.attributeInputs) ? [...this.attributeInputs] : this.attributeInputs;
    return { ...this.props, attributes: attributes as AttributeInput[] };
  }

  /** Every problem with this type's own definition (cross-type rules are checked by the instance). */
  public validateDefinition(): ValidationIssue[] {
    const result = this.check();
    return result.ok ? [] : result.issues;
  }

  private check(): ReturnType<typeof checkActivityType> {
    if (this.checked === undefined) {
      const input = this.input;
      const tokens = tokenIssues(this.instance.cdk.module, input);
      const result = checkActivityType(input);
      const issues = [...tokens, ...(result.ok ? requestSizeIssues(result.definition) : result.issues)];
      this.checked = issues.length === 0 ? result : { ok: false, issues };
    }
    return this.checked;
  }

  /** The validated definition with defaults filled. Throws a `DefinitionError` when invalid. */
  public get definition(): ActivityTypeDefinition {
    const result = this.check();
    if (!result.ok)
      throw new DefinitionError(`activity type "${this.apiName}" (at ${this.node.path})`, result.issues);
    return result.definition;
  }

  /** Trigger and filter names as written, for the instance's uniqueness checks. */
  public get declaredNames(): { readonly triggerName: unknown; readonly filterName: unknown } {
    return { triggerName: this.props.triggerName, filterName: this.props.filterName };
  }

  private triggers(): Record<string, string> {
    const result = this.check();
    // The resource of an invalid definition is never rendered (resources.ts); this only keeps a direct call safe.
    const leaves = result.ok
      ? definitionLeaves(result.definition)
      : { apiName: this.apiName, invalid: "true" };
    return { ...leaves, ...instanceTriggers(this.instance) };
  }
}

/** The instance settings that change what `apply` does, as triggers. */
export function instanceTriggers(instance: MarketoInstance): Record<string, string> {
  return { "instance.approve": String(instance.approve), "instance.envPrefix": instance.envPrefix };
}

/**
 * The Terraform resource standing for an activity type or a tombstone: `terraform_data` or
 * `null_resource`, made with the CDK (cdktf or cdktn) of the app's stack.
 */
export interface ActivityTypeResource extends IConstruct {
  /** `terraform_data` or `null_resource`. */
  readonly terraformResourceType: string;
  /** The resource's name in Terraform (`prod_webinarAttended`). */
  readonly friendlyUniqueId: string;
  /** Adds a raw override to the synthesized resource, e.g. `addOverride("lifecycle.prevent_destroy", true)`. */
  addOverride(path: string, value: unknown): void;
}

/**
 * Creates the resource for a type or a tombstone: the instance's resource kind, a stable logical
 * id from instance id and apiName (never the construct path, so moving code does not replace it),
 * field-level triggers, `create_before_destroy` so a change never runs a destroy step, and a
 * create-time `local-exec` provisioner that runs, from the stack directory,
 * `<command> apply --manifest <manifest> --only <apiName> --auto-approve` (launcher.ts: each value
 * quoted for the shell; resources.ts: written as a Terraform literal, and only for a valid instance).
 */
export function createResource(
  owner: Construct,
  apiName: string,
  logicalId: string,
  triggers: () => Record<string, string>,
): ActivityTypeResource {
  const instance = MarketoInstance.of(owner);
  const command = applyCommand(instance.command, instance.manifestFileName, apiName);
  // The variable tells the CLI that Terraform runs it, so its messages name what can be changed in code.
  const provisioners: LocalExecProvisioner[] = [
    { type: "local-exec", command, environment: { [PROVISIONER_ENV]: "1" } },
  ];
  const classes = resourceClasses(instance.cdk);
  let resource: TerraformResource;
  if (instance.resourceKind === "terraform_data") {
    resource = classes.createTerraformData(owner, "Resource", { triggers, provisioners });
  } else {
    ensureNullProvider(instance.stack, classes);
    resource = classes.createNullResource(owner, "Resource", { triggers, provisioners });
  }
  resource.overrideLogicalId(terraformName(logicalId));
  return resource;
}

/** The string leaves of `value` with their paths as a user writes them (`attributes[2].name`). */
function stringLeaves(value: unknown, path = ""): { path: string; value: string }[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      stringLeaves(item, path === "" ? key : `${path}.${key}`),
    );
  }
  return [];
}

/** A number as JavaScript writes a large one into a string: cdktf encodes number tokens so. */
const NUMBER_IN_TEXT = /-?\d+(?:\.\d+)?e[+-]?\d+/gi;

/**
 * Whether the CDK would read a token in `value`: a string, list or map token's marker
 * (`${TfToken[...]}`, `#{TfToken[...]}`, `&{TfToken[...]}`), or a number token written into the text. The CDK would replace it with a Terraform expression in
 * the triggers, while the manifest holds the text as it is (docs/cdktf.md section 8).
 */
function hasToken(cdk: Cdk, value: string): boolean {
  // `{TfToken[` is in each marker; the CDK's own test (`Token.isUnresolved`) is the string one.
  if (value.includes("{TfToken[")) return true;
  return [...value.matchAll(NUMBER_IN_TEXT)].some((match) => cdk.Token.isUnresolved(Number(match[0])));
}

/** A value of the definition that is a cdktf token: known only when Terraform runs, not at synth. */
function tokenIssues(cdk: Cdk, input: unknown): ValidationIssue[] {
  return stringLeaves(input)
    .filter((leaf) => hasToken(cdk, leaf.value))
    .map((leaf) => ({
      path: leaf.path,
      message:
        "is a cdktf token, a value Terraform knows only when it runs (an attribute of another resource, a variable); a definition must be known at synth, where its manifest is written",
      fix: "write the value itself as text",
    }));
}
