import { Construct } from "constructs";
import { apiNameSchema, toIssues, type ValidationIssue } from "../schema/index.js";
import { type ActivityTypeResource, createResource, instanceTriggers } from "./custom-activity-type.js";
import { MarketoInstance } from "./marketo-instance.js";
import { isMarked, mark, RETIRED_TYPE } from "./private/markers.js";

/** Properties of a `RetiredActivityType`. */
export interface RetiredActivityTypeProps {
  /** API name of the type to delete from Marketo. */
  readonly apiName: string;
}

/**
 * A tombstone: declares that an activity type must be deleted from the instance. Removing a
 * `CustomActivityType` from code only forgets the type (it stays in Marketo with its history);
 * deleting one is this explicit, reviewed change. `apply` deletes the type if it exists.
 *
 * @example
 * new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
 */
export class RetiredActivityType extends Construct {
  /** True if `x` is a `RetiredActivityType` (works across copies of this package). */
  public static isRetiredActivityType(x: unknown): x is RetiredActivityType {
    return isMarked(x, RETIRED_TYPE);
  }

  /** API name of the type to delete. */
  public readonly apiName: string;
  /** The instance this tombstone belongs to. */
  public readonly instance: MarketoInstance;
  /** The Terraform resource whose creation runs the delete. */
  public readonly resource: ActivityTypeResource;

  private readonly issues: ValidationIssue[];

  constructor(scope: Construct, id: string, props: RetiredActivityTypeProps) {
    super(scope, id);
    mark(this, RETIRED_TYPE);
    const parsed = apiNameSchema("apiName", '"oldSignup"').safeParse(props.apiName);
    this.issues = parsed.success ? [] : toIssues(parsed.error, props.apiName, ["apiName"]);
    this.apiName = String(props.apiName);
    this.instance = MarketoInstance.of(this, `RetiredActivityType "${id}"`);
    this.resource = createResource(
      this,
      this.apiName,
      `${this.instance.instanceId}_retired_${this.apiName}`,
      () => ({
        apiName: this.apiName,
        retired: "true",
        ...instanceTriggers(this.instance),
      }),
    );
  }

  /** Problems with this tombstone's props; empty when valid. */
  public validateDefinition(): ValidationIssue[] {
    return this.issues;
  }
}
