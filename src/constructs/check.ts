/**
 * The deploy check of a `MarketoInstance`: one resource per instance, replaced on every deploy, that
 * runs after the resources of all the instance's types and tombstones and applies the whole instance.
 *
 * Why: Terraform records a resource in its state before the resource's create-time provisioner has
 * finished (docs/cdktf.md section 4). A deploy killed while a provisioner runs (a CI runner cancelled
 * or lost) leaves state claiming a type that was never created, approved or updated, and without the
 * check every later deploy would print "No changes" and exit 0. The check reads the instance on every
 * deploy (one list, one describe per type, no write when nothing is missing), finishes what is
 * missing, and fails the deploy when it cannot, so no deploy exits 0 while the instance differs from
 * the code (docs/design.md decision 15).
 */
import { BUDGET_SHARE_VARIABLE_SUFFIX, PROVISIONER_ENV } from "../schema/index.js";
import type { LocalExecProvisioner, TerraformResource } from "./cdk.js";
import { applyCommand } from "./launcher.js";
import type { MarketoInstance } from "./marketo-instance.js";
import { terraformName } from "./private/markers.js";
import { addProvisionerEnvironment, ensureNullProvider, resourceClasses } from "./resources.js";

/** The check's construct id inside its instance (its path in `cdktf diff`: `<stack>/<instance>/DeployCheck`). */
export const DEPLOY_CHECK_ID = "DeployCheck";

/**
 * The check's Terraform name: `<instanceId>_deploy-check`. A type's name is `<instanceId>_<apiName>`
 * and a tombstone's `<instanceId>_retired_<apiName>`, and an apiName has no hyphen, so no type of any
 * instance can take it.
 */
export function deployCheckName(instanceId: string): string {
  return terraformName(`${instanceId}_deploy-check`);
}

/**
 * Replaces the check on every plan. `timestamp()` is unknown until apply, so every plan replaces it;
 * `plantimestamp()` would not (it has whole seconds: two deploys in one second would skip the check),
 * and needs Terraform 1.5. Written as a raw override, so it reaches Terraform unescaped.
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform expression, not a JavaScript template
const ALWAYS = "${timestamp()}";

/**
 * The command the check runs from the stack directory: the whole instance, every apiName it declares
 * or retires, the same `apply` as each type's provisioner without `--only`.
 */
export function deployCheckCommand(instance: MarketoInstance): string {
  return applyCommand(instance.command, instance.manifestFileName);
}

/**
 * Creates the instance's check: a resource of the instance's resource kind whose trigger changes on
 * every plan, with `create_before_destroy` like the types' (a replacement never runs a destroy step; it
 * has no destroy-time provisioner, so `cdktf destroy` deletes nothing in Marketo) and a create-time
 * provisioner that runs `deployCheckCommand`. Its `depends_on` and budget share are set at synth
 * (`completeDeployCheck`), once every type of the instance is known.
 */
export function createDeployCheck(instance: MarketoInstance): TerraformResource {
  const provisioners: LocalExecProvisioner[] = [
    {
      type: "local-exec",
      command: deployCheckCommand(instance),
      environment: { [PROVISIONER_ENV]: "1" },
    },
  ];
  const classes = resourceClasses(instance.cdk);
  let check: TerraformResource;
  if (instance.resourceKind === "terraform_data") {
    check = classes.createTerraformData(instance, DEPLOY_CHECK_ID, { triggers: () => ({}), provisioners });
    check.addOverride("triggers_replace", ALWAYS);
  } else {
    ensureNullProvider(instance.stack, classes);
    check = classes.createNullResource(instance, DEPLOY_CHECK_ID, { triggers: () => ({}), provisioners });
    check.addOverride("triggers", { checkedAt: ALWAYS });
  }
  check.overrideLogicalId(deployCheckName(instance.instanceId));
  return check;
}

/**
 * Makes the check wait for `resources` (every type and tombstone of its instance) and gives it the
 * instance's whole `budgetShare`: it runs alone, after all of them, so it need not split it.
 */
export function completeDeployCheck(
  check: TerraformResource,
  resources: readonly TerraformResource[],
  instance: Pick<MarketoInstance, "envPrefix" | "budgetShare">,
): void {
  // Plain addresses: Terraform takes no `${...}` here, and `fqn` resolves to one in depends_on.
  check.dependsOn = resources.map(
    (resource) => `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
  );
  if (instance.budgetShare < 1) {
    addProvisionerEnvironment(check, {
      [`${instance.envPrefix}${BUDGET_SHARE_VARIABLE_SUFFIX}`]: String(instance.budgetShare),
    });
  }
}
