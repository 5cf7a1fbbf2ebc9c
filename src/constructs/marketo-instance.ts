import { writeFileSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { Construct, type IConstruct } from "constructs";
import { z } from "zod";
import {
  BUDGET_SHARE_VARIABLE_SUFFIX,
  buildManifest,
  DEFAULT_ENV_PREFIX,
  DEFAULT_MAX_ACTIVITY_TYPES,
  DefinitionError,
  formatIssues,
  INSTANCE_ID_PATTERN,
  instanceSettingsSchema,
  type Manifest,
  manifestFileName,
  rule,
  serializeManifest,
  TERRAFORM_DEFAULT_PARALLELISM,
  toIssues,
  type ValidationIssue,
} from "../schema/index.js";
import { writeSourcesRecord } from "../sources/index.js";
import {
  cdkOf,
  ERROR_ANNOTATION,
  type FoundCdk,
  type ISynthesisSession,
  synthesizeWith,
  type TerraformResource,
  type TerraformStack,
} from "./cdk.js";
import { completeDeployCheck, createDeployCheck } from "./check.js";
import type { ActivityTypeResource } from "./custom-activity-type.js";
import { checkInstanceRules } from "./instance-rules.js";
import { DEFAULT_COMMAND, LAUNCHER_FILE_NAME, launcherSource } from "./launcher.js";
import {
  ACTIVITY_TYPE,
  claimManifestWriter,
  INSTANCE,
  isMarked,
  mark,
  RETIRED_TYPE,
} from "./private/markers.js";
import { addProvisionerEnvironment } from "./resources.js";

/** Which Terraform resource stands for each activity type. */
export type ResourceKind = "null_resource" | "terraform_data";

/** The cdktf context key that sets the default `resourceKind` (for apps that cannot change code). */
export const RESOURCE_KIND_CONTEXT_KEY = "marketo-activities:resourceKind";

/** The cdktf context key that sets the default `command` run by the provisioners. */
export const COMMAND_CONTEXT_KEY = "marketo-activities:command";

/** Properties of a `MarketoInstance`. */
export interface MarketoInstanceProps {
  /**
   * Prefix of the environment variables with this instance's REST URL and credentials:
   * `<prefix>_BASE_URL` (or `<prefix>_MUNCHKIN_ID`), `<prefix>_CLIENT_ID`, `<prefix>_CLIENT_SECRET`.
   * Secrets are never props: they are read from the environment when `apply` runs.
   *
   * @default "MARKETO"
   */
  readonly envPrefix?: string;

  /**
   * The Terraform resource that stands for each activity type. `terraform_data` is built into
   * Terraform >= 1.4: no provider download, works air-gapped. `null_resource` needs the
   * `hashicorp/null` provider downloaded at `terraform init`.
   *
   * @default the cdktf context value `marketo-activities:resourceKind`, else "terraform_data"
   */
  readonly resourceKind?: ResourceKind;

  /**
   * The subscription's limit on custom activity types. Types that exist in Marketo but are not
   * declared in code count toward it too; `plan` checks that.
   *
   * @default 10
   */
  readonly maxActivityTypes?: number;

  /**
   * Whether `apply` approves (publishes) the drafts it writes. `false` leaves each change as a draft
   * for review in Marketo Admin.
   *
   * @default true
   */
  readonly approve?: boolean;

  /**
   * The command the create-time provisioners run, followed by `apply --manifest ... --only ...`.
   * It runs in the stack's directory, so keep it portable (no absolute paths).
   *
   * @default the cdktf context value `marketo-activities:command`, else "node marketo-activities.mjs":
   * a launcher synth writes into the stack directory, which runs the CLI installed in the app's
   * node_modules (fast, and never downloads)
   */
  readonly command?: string;

  /**
   * The share of the Marketo instance's API budget that `cdktf deploy` may use for this instance, all
   * of its provisioners together: greater than 0 and at most 1.
   *
   * Marketo allows 100 calls per rolling 20 s and 10 concurrent requests per instance, shared by every
   * integration on it; above them it answers 606 or 615. Terraform runs up to `terraformParallelism`
   * provisioners at once, each a process with its own client, so synth divides this share among
   * them: each provisioner gets `budgetShare / min(provisioners of this instance, terraformParallelism)`
   * (rounded down to 4 decimals), in its environment as `<envPrefix>_BUDGET_SHARE`; the deploy check,
   * which runs alone after them, gets the whole `budgetShare`. With the defaults
   * and 10 or more types, each provisioner keeps to 10 calls per 20 s, one at a time, and together they
   * never exceed the instance's limits. Lower it to leave room for other integrations: 0.5 leaves them
   * half. A client still waits out a busy instance (606, 615) for up to 2 minutes per call.
   *
   * @default 1 (the provisioners share the whole budget; one provisioner gets all of it and no variable is written)
   */
  readonly budgetShare?: number;

  /**
   * How many provisioners Terraform runs at once, for dividing `budgetShare`: the `-parallelism` of
   * `terraform apply` (`cdktf deploy --terraform-parallelism`). Set it when you deploy with another
   * value.
   *
   * @default 10 (Terraform's default)
   */
  readonly terraformParallelism?: number;
}

/**
 * The share of the instance's budget each of `provisioners` processes gets when Terraform runs at most
 * `parallelism` of them at once and together they may use `budgetShare`: rounded down to 4 decimals
 * (so that the shares never add up to more), at least 0.0001.
 */
export function provisionerBudgetShare(
  budgetShare: number,
  provisioners: number,
  parallelism: number,
): number {
  const atOnce = Math.max(1, Math.min(provisioners, parallelism));
  return Math.max(0.0001, Math.floor((budgetShare / atOnce) * 10_000 + 1e-9) / 10_000);
}

const instancePropsSchema = z.strictObject({
  envPrefix: instanceSettingsSchema.shape.envPrefix,
  maxActivityTypes: instanceSettingsSchema.shape.maxActivityTypes,
  approve: z.boolean({ error: rule("approve must be true or false", "write true or false") }).default(true),
  resourceKind: z
    .enum(["null_resource", "terraform_data"], {
      error: rule(
        'resourceKind must be "null_resource" or "terraform_data"',
        'use "terraform_data" (the default, built into Terraform) unless you need null_resource',
      ),
    })
    .optional(),
  command: z
    .string()
    .min(1, rule("command must not be empty", `leave it out to use "${DEFAULT_COMMAND}"`))
    .optional(),
  budgetShare: z
    .number({
      error: rule(
        "budgetShare must be a number greater than 0 and at most 1",
        "write the share of the instance's API budget cdktf deploy may use, e.g. 0.5 for half; leave it out for all of it",
      ),
    })
    .gt(
      0,
      rule(
        "budgetShare must be greater than 0",
        "write the share of the instance's API budget cdktf deploy may use, e.g. 0.5 for half; leave it out for all of it",
      ),
    )
    .lte(
      1,
      rule(
        "budgetShare must be at most 1 (the whole budget of the instance)",
        "write a fraction such as 0.5 for half; leave it out for all of it",
      ),
    )
    .optional(),
  terraformParallelism: z
    .number({ error: rule("terraformParallelism must be a number", "write e.g. 10") })
    .int(
      rule("terraformParallelism must be a whole number", "write the -parallelism you deploy with, e.g. 10"),
    )
    .positive(
      rule("terraformParallelism must be at least 1", "write the -parallelism you deploy with, e.g. 10"),
    )
    .optional(),
});

/** Problems of one construct, reported together. */
interface Problem {
  readonly construct: IConstruct;
  readonly heading: string;
  readonly issues: ValidationIssue[];
}

/** What an activity type construct exposes to its instance. */
export interface InstanceMember extends IConstruct {
  readonly apiName: string;
}

/** A declared type, as the instance sees it. */
export interface DeclaredType extends InstanceMember {
  /** Problems with this type alone; empty when valid. */
  validateDefinition(): ValidationIssue[];
  /** The validated definition. Throws `DefinitionError` when invalid. */
  readonly definition: import("../schema/index.js").ActivityTypeDefinition;
  /** Trigger and filter names as written, for cross-type checks. */
  readonly declaredNames: { readonly triggerName: unknown; readonly filterName: unknown };
}

/**
 * One Marketo instance (a subscription such as production or a sandbox). Activity types are
 * declared inside it; at synth it writes the instance's manifest, the desired state that
 * `marketo-activities plan` and `apply` read, next to the stack's `cdk.tf.json`, and a deploy check
 * (`deployCheck`) that applies the whole instance on every deploy, after its types.
 *
 * @example
 * const prod = new MarketoInstance(stack, "prod", { envPrefix: "MARKETO_PROD" });
 */
export class MarketoInstance extends Construct {
  /** True if `x` is a `MarketoInstance` (works across copies of this package). */
  public static isMarketoInstance(x: unknown): x is MarketoInstance {
    return isMarked(x, INSTANCE);
  }

  /** The nearest `MarketoInstance` at or above `scope`, or `undefined`. */
  public static find(scope: IConstruct): MarketoInstance | undefined {
    return scope.node.scopes
      .slice()
      .reverse()
      .find((c): c is MarketoInstance => MarketoInstance.isMarketoInstance(c));
  }

  /** The nearest `MarketoInstance` at or above `scope`; throws a clear error when there is none. */
  public static of(scope: IConstruct, what = "This construct"): MarketoInstance {
    const instance = MarketoInstance.find(scope);
    if (instance === undefined) {
      throw new DefinitionError(`${what} (at ${scope.node.path})`, [
        {
          path: "",
          message: "must be declared inside a MarketoInstance",
          fix: 'create the instance first and pass it as the scope: const prod = new MarketoInstance(stack, "prod"); new CustomActivityType(prod, "webinar", {...})',
        },
      ]);
    }
    return instance;
  }

  /** The instance's id in manifests and Terraform addresses: the construct id. */
  public readonly instanceId: string;
  /** Prefix of the environment variables with this instance's URL and credentials. */
  public readonly envPrefix: string;
  /** The resource kind every activity type of this instance uses. */
  public readonly resourceKind: ResourceKind;
  /** The subscription's limit on custom activity types. */
  public readonly maxActivityTypes: number;
  /** Whether `apply` approves the drafts it writes. */
  public readonly approve: boolean;
  /** The command the provisioners run (followed by `apply ...`). */
  public readonly command: string;
  /** The manifest's file name in the stack directory. */
  public readonly manifestFileName: string;
  /** The share of the instance's API budget this instance's provisioners may use together. */
  public readonly budgetShare: number;
  /** How many provisioners Terraform runs at once, as this instance divides `budgetShare`. */
  public readonly terraformParallelism: number;

  /**
   * The instance's deploy check (`<instanceId>_deploy-check`): replaced on every deploy, it runs after
   * every type's resource and applies the whole instance, so a deploy finishes what an earlier, killed
   * deploy left undone and fails while the instance differs from the code. The only resource that
   * `cdktf diff` lists when nothing changed.
   */
  public readonly deployCheck: ActivityTypeResource;

  private readonly propIssues: ValidationIssue[];
  private readonly check: TerraformResource;
  /** @internal The CDK (cdktf or cdktn) of the stack this instance is in. */
  public readonly cdk: FoundCdk;
  /** @internal */
  public readonly stack: TerraformStack;

  constructor(scope: Construct, id: string, props: MarketoInstanceProps = {}) {
    const { stack, cdk } = cdkOf(scope, `MarketoInstance "${id}"`);
    super(scope, id);
    mark(this, INSTANCE);
    this.cdk = cdk;
    this.stack = stack;

    const parsed = instancePropsSchema.safeParse(props);
    this.propIssues = parsed.success ? [] : toIssues(parsed.error, props);
    if (!INSTANCE_ID_PATTERN.test(id)) {
      this.propIssues.push({
        path: "id",
        received: id,
        message:
          "the instance id may contain only letters, digits, underscores and hyphens, starting with a letter",
        fix: 'use an id such as "prod" or "sandbox"; it names the manifest file and Terraform addresses',
      });
    }
    const settings = parsed.success ? parsed.data : undefined;
    this.instanceId = id;
    this.envPrefix = settings?.envPrefix ?? DEFAULT_ENV_PREFIX;
    this.maxActivityTypes = settings?.maxActivityTypes ?? DEFAULT_MAX_ACTIVITY_TYPES;
    this.approve = settings?.approve ?? true;
    this.resourceKind = settings?.resourceKind ?? this.contextResourceKind();
    this.command = settings?.command ?? this.contextString(COMMAND_CONTEXT_KEY) ?? DEFAULT_COMMAND;
    this.manifestFileName = manifestFileName(id);
    this.budgetShare = settings?.budgetShare ?? 1;
    this.terraformParallelism = settings?.terraformParallelism ?? TERRAFORM_DEFAULT_PARALLELISM;
    this.check = createDeployCheck(this);
    this.deployCheck = this.check;

    // Problems become error annotations at synth (through an aspect, so that types added after
    // this constructor count). `cdktf synth` prints each one as `ERROR [path]: ...` and exits 1,
    // without the stack trace a thrown validation error would print; `app.synth()` throws them.
    // The same aspect gives each provisioner its share of the budget, and makes the deploy check
    // wait for every resource, once every type is known.
    cdk.module.Aspects.of(this).add({
      visit: (node) => {
        if (node !== this) return;
        this.annotateProblems();
        this.shareBudget();
        completeDeployCheck(this.check, this.provisionedResources(), this);
        this.tombstonesFirst();
      },
    });
    installManifestWriter(stack);
  }

  /** The activity types declared in this instance (not in a nested instance). */
  public get activityTypes(): DeclaredType[] {
    return this.members(ACTIVITY_TYPE) as DeclaredType[];
  }

  /** The apiNames retired (to be deleted) in this instance. */
  public get retiredApiNames(): string[] {
    return this.members(RETIRED_TYPE).map((member) => member.apiName);
  }

  /**
   * The desired state of this instance, as written to its manifest at synth.
   * Throws a `DefinitionError` listing every problem when a definition is invalid.
   */
  public toManifest(): Manifest {
    const problems = this.problems();
    if (problems.length > 0) {
      throw new DefinitionError(
        `MarketoInstance "${this.instanceId}" (at ${this.node.path})`,
        problems.flatMap((p) =>
          p.issues.map((issue) => ({ ...issue, path: `${p.construct.node.path}: ${issue.path}` })),
        ),
      );
    }
    return buildManifest({
      instance: {
        id: this.instanceId,
        envPrefix: this.envPrefix,
        maxActivityTypes: this.maxActivityTypes,
        approve: this.approve,
      },
      types: this.activityTypes.map((type) => type.definition),
      retired: this.retiredApiNames,
    });
  }

  /** Every problem of this instance and its types, one message per construct; empty when valid. */
  public validate(): string[] {
    return this.problems().map((p) => formatIssues(`${p.heading} (at ${p.construct.node.path})`, p.issues));
  }

  /**
   * The share of the instance's budget each provisioner gets (`budgetShare` divided among the
   * provisioners Terraform runs at once), as written to `<envPrefix>_BUDGET_SHARE` when below 1.
   */
  public get provisionerBudgetShare(): number {
    return provisionerBudgetShare(
      this.budgetShare,
      this.provisionedResources().length,
      this.terraformParallelism,
    );
  }

  /**
   * Each type's resource waits for the instance's tombstones: a provisioner applies only its own
   * apiName (`--only`), so a type that takes a retired type's slot at the type limit, or its trigger
   * or filter name, must run after the delete (as a whole-instance apply orders deletes first).
   */
  private tombstonesFirst(): void {
    const address = (resource: TerraformResource) =>
      `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
    const tombstones = this.members(RETIRED_TYPE)
      .map((member) => (member as { resource?: TerraformResource }).resource)
      .filter((resource): resource is TerraformResource => resource !== undefined)
      .map(address);
    if (tombstones.length === 0) return;
    for (const member of this.members(ACTIVITY_TYPE)) {
      const resource = (member as { resource?: TerraformResource }).resource;
      if (resource === undefined) continue;
      resource.dependsOn = [...new Set([...(resource.dependsOn ?? []), ...tombstones])];
    }
  }

  /** The resources of this instance's types and tombstones: each runs one provisioner. */
  private provisionedResources(): TerraformResource[] {
    return [...this.members(ACTIVITY_TYPE), ...this.members(RETIRED_TYPE)]
      .map((member) => (member as { resource?: TerraformResource }).resource)
      .filter((resource): resource is TerraformResource => resource !== undefined);
  }

  private budgetShared = false;

  /** Writes each provisioner's share into its environment (nothing when it is the whole budget). */
  private shareBudget(): void {
    if (this.budgetShared) return;
    this.budgetShared = true;
    const share = this.provisionerBudgetShare;
    if (share >= 1) return;
    const variables = { [`${this.envPrefix}${BUDGET_SHARE_VARIABLE_SUFFIX}`]: String(share) };
    for (const resource of this.provisionedResources()) addProvisionerEnvironment(resource, variables);
  }

  private annotated = false;

  private annotateProblems(): void {
    if (this.annotated) return;
    this.annotated = true;
    for (const problem of this.problems()) {
      // On the construct at fault, without a stack trace: the message says what and how to fix it.
      problem.construct.node.addMetadata(ERROR_ANNOTATION, formatIssues(problem.heading, problem.issues), {
        stackTrace: false,
      });
    }
  }

  private members(marker: symbol): InstanceMember[] {
    return this.node
      .findAll()
      .filter((c): c is InstanceMember => isMarked(c, marker) && MarketoInstance.find(c) === this);
  }

  private contextString(key: string): string | undefined {
    const value: unknown = this.node.tryGetContext(key);
    return typeof value === "string" && value !== "" ? value : undefined;
  }

  private contextResourceKind(): ResourceKind {
    const value = this.contextString(RESOURCE_KIND_CONTEXT_KEY);
    if (value === undefined) return "terraform_data";
    if (value === "null_resource" || value === "terraform_data") return value;
    this.propIssues.push({
      path: `context "${RESOURCE_KIND_CONTEXT_KEY}"`,
      received: value,
      message: 'must be "null_resource" or "terraform_data"',
      fix: "correct the context value in cdktf.json",
    });
    return "terraform_data";
  }

  /**
   * Every problem of this instance, one message per construct: its props, each type's definition,
   * and the rules that span types (instance-rules.ts).
   */
  private problems(): Problem[] {
    const problems: Problem[] = [];
    const instanceHeading = `MarketoInstance "${this.instanceId}"`;
    if (this.propIssues.length > 0)
      problems.push({ construct: this, heading: instanceHeading, issues: this.propIssues });
    const types = this.activityTypes;
    for (const retired of this.members(RETIRED_TYPE) as DeclaredType[]) {
      const issues = retired.validateDefinition();
      if (issues.length > 0)
        problems.push({ construct: retired, heading: `RetiredActivityType "${retired.node.id}"`, issues });
    }
    for (const type of types) {
      const issues = type.validateDefinition();
      if (issues.length > 0) problems.push({ construct: type, heading: typeHeading(type), issues });
    }

    const cross = checkInstanceRules({
      instanceId: this.instanceId,
      maxActivityTypes: this.maxActivityTypes,
      types: types.map((type) => ({ construct: type, apiName: type.apiName, ...type.declaredNames })),
      retired: this.retiredApiNames,
      sameIdInStack: this.stack.node
        .findAll()
        .filter(
          (c) => MarketoInstance.isMarketoInstance(c) && c !== this && c.instanceId === this.instanceId,
        ),
    });
    if (cross.length > 0) problems.push({ construct: this, heading: instanceHeading, issues: cross });
    return problems;
  }
}
/** `activity type "webinarAttended"`, or the construct id when the apiName is missing or too long to read. */
function typeHeading(type: DeclaredType): string {
  const apiName = type.apiName;
  if (apiName === "" || apiName === "undefined") return `activity type "${type.node.id}" (no valid apiName)`;
  return `activity type "${apiName.length > 40 ? `${apiName.slice(0, 37)}...` : apiName}"`;
}

/**
 * Wraps the stack's synthesizer once, so that every `MarketoInstance` in the stack writes its
 * manifest next to `cdk.tf.json` (docs/cdktf.md section 5: the public way to add files), and the
 * launcher the provisioners run when an instance uses the default command. `synthesizeWith` removes
 * the manifests of an earlier synth first, so a failed synth leaves none for the CLI (cdk.ts).
 */
function installManifestWriter(stack: TerraformStack): void {
  if (!claimManifestWriter(stack)) return;
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession) {
      synthesizeWith(inner, stack, session);
      const directory = join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      const instances = stack.node.findAll().filter(MarketoInstance.isMarketoInstance);
      const valid = instances.filter((instance) => instance.validate().length === 0);
      // An invalid instance has error annotations already; synth fails on them after this.
      for (const instance of valid) {
        writeFileSync(join(directory, instance.manifestFileName), serializeManifest(instance.toManifest()));
      }
      // cdktf runs the app in the app directory. Only an output directory inside it gives a
      // portable path back to it ("../../.."); elsewhere nothing machine-specific is written.
      const app = process.cwd();
      const down = relative(app, directory);
      const appDir =
        down.startsWith("..") || isAbsolute(down) ? undefined : relative(directory, app).split(sep).join("/");
      if (instances.some((instance) => instance.command === DEFAULT_COMMAND)) {
        writeFileSync(join(directory, LAUNCHER_FILE_NAME), launcherSource(appDir));
      }
      // Content digests of the app's sources, so plan and apply can tell a stale synth.
      if (appDir !== undefined && valid.length > 0) writeSourcesRecord(directory, app);
    },
  };
}
