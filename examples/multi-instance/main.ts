/**
 * One stack per Marketo instance: `marketo-sandbox` and `marketo-production`, each with its own
 * credentials (env prefix) and its own Terraform state. Production depends on sandbox, so
 * `cdktf deploy '*'` always deploys the sandbox first.
 *
 * State: with MARKETO_STATE_BUCKET set, each stack keeps its state in S3 under its own key (with
 * locking); without it, next to the stack (fine for trying it out, not for a team).
 */
import { App, LocalBackend, S3Backend, TerraformStack } from "cdktf";
import { CustomActivityType, MarketoInstance, type MarketoInstanceProps } from "cdktf-marketo-activities";
import type { Construct } from "constructs";
import { allTypes } from "./activity-types.js";

class MarketoStack extends TerraformStack {
  constructor(scope: Construct, id: string, instance: string, props: MarketoInstanceProps) {
    super(scope, id);
    const bucket = process.env["MARKETO_STATE_BUCKET"];
    if (bucket !== undefined && bucket !== "") {
      new S3Backend(this, {
        bucket,
        key: `marketo-activities/${id}.tfstate`,
        region: process.env["AWS_REGION"] ?? "us-east-1",
        encrypt: true,
        dynamodbTable: process.env["MARKETO_STATE_LOCK_TABLE"] ?? "terraform-locks",
      });
    } else {
      new LocalBackend(this, { path: "terraform.tfstate" });
    }
    const marketo = new MarketoInstance(this, instance, props);
    for (const definition of allTypes) new CustomActivityType(marketo, definition.apiName, definition);
  }
}

const app = new App();
const sandbox = new MarketoStack(app, "marketo-sandbox", "sandbox", { envPrefix: "MARKETO_SANDBOX" });
const production = new MarketoStack(app, "marketo-production", "production", {
  envPrefix: "MARKETO_PROD",
  // Production is a paid subscription with room for more types.
  maxActivityTypes: 25,
});
production.addDependency(sandbox);
app.synth();
