import { TerraformStack, Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { CustomActivityType, MarketoInstance, RetiredActivityType } from "../../src/constructs/index.js";
import { synthInstance, webinar } from "../helpers/constructs.js";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** A Terraform expression as it appears in the JSON: `${...}`. */
const tf = (expression: string) => `\${${expression}}`;

const trial = {
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
  primaryAttribute: { apiName: "productName", name: "Product Name" },
};

describe("the deploy check of a MarketoInstance", () => {
  it("is replaced on every deploy, waits for every type and tombstone, and applies the whole instance", () => {
    const { json, errors } = synthInstance((prod) => {
      new CustomActivityType(prod, "webinar", webinar);
      new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
    });
    expect(errors).toStrictEqual([]);
    const data = (json.resource as Resources)["terraform_data"]!;
    expect(data["prod_deploy-check"]).toStrictEqual({
      // Unknown until apply, so every plan replaces it (plantimestamp() has whole seconds).
      triggers_replace: tf("timestamp()"),
      depends_on: ["terraform_data.prod_webinarAttended", "terraform_data.prod_retired_oldSignup"],
      lifecycle: { create_before_destroy: true },
      provisioner: [
        {
          "local-exec": {
            command:
              "node marketo-activities.mjs apply --manifest marketo-activities.prod.json --auto-approve",
            environment: { MARKETO_ACTIVITIES_PROVISIONER: "1" },
          },
        },
      ],
    });
  });

  it("counts types added after the instance, and only those of its own instance", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "stack");
    const dev = new MarketoInstance(stack, "dev");
    const prod = new MarketoInstance(stack, "prod");
    new CustomActivityType(dev, "webinar", webinar);
    new CustomActivityType(prod, "trial", trial);
    new CustomActivityType(prod, "webinar", webinar);
    const data = (JSON.parse(Testing.synth(stack, true)).resource as Resources)["terraform_data"]!;
    expect(data["dev_deploy-check"]!["depends_on"]).toStrictEqual(["terraform_data.dev_webinarAttended"]);
    expect(data["prod_deploy-check"]!["depends_on"]).toStrictEqual([
      "terraform_data.prod_trialStarted",
      "terraform_data.prod_webinarAttended",
    ]);
  });

  it("gets the instance's whole budget share: it runs alone, after the types", () => {
    const { json } = synthInstance(
      (prod) => {
        new CustomActivityType(prod, "webinar", webinar);
        new CustomActivityType(prod, "trial", trial);
      },
      { budgetShare: 0.5 },
    );
    const data = (json.resource as Resources)["terraform_data"]!;
    const environment = (name: string) =>
      (data[name]!["provisioner"] as { "local-exec": { environment: Record<string, string> } }[])[0]![
        "local-exec"
      ].environment;
    expect(environment("prod_webinarAttended")["MARKETO_BUDGET_SHARE"]).toBe("0.25");
    expect(environment("prod_deploy-check")).toStrictEqual({
      MARKETO_ACTIVITIES_PROVISIONER: "1",
      MARKETO_BUDGET_SHARE: "0.5",
    });
  });

  it("uses the instance's resource kind and command", () => {
    const { json } = synthInstance((prod) => new CustomActivityType(prod, "webinar", webinar), {
      resourceKind: "null_resource",
      envPrefix: "MARKETO_PROD",
      command: "npx --no-install marketo-activities",
    });
    const check = (json.resource as Resources)["null_resource"]!["prod_deploy-check"]!;
    expect(check).toMatchObject({
      triggers: { checkedAt: tf("timestamp()") },
      depends_on: ["null_resource.prod_webinarAttended"],
      lifecycle: { create_before_destroy: true },
    });
    expect(JSON.stringify(check["provisioner"])).toContain(
      '"command":"npx --no-install marketo-activities apply --manifest marketo-activities.prod.json --auto-approve"',
    );
    expect((json.resource as Resources)["terraform_data"]).toBeUndefined();
  });

  it("runs nothing at destroy, so cdktf destroy deletes nothing in Marketo", () => {
    const { json } = synthInstance((prod) => new CustomActivityType(prod, "webinar", webinar));
    expect(JSON.stringify(json)).not.toContain('"when"');
  });
});

describe("tombstones before types", () => {
  it("makes every type's resource wait for the instance's tombstones, so a provisioner's --only apply sees the delete done", () => {
    const { json, errors } = synthInstance((prod) => {
      new CustomActivityType(prod, "webinar", webinar);
      new CustomActivityType(prod, "trial", trial);
      new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
    });
    expect(errors).toStrictEqual([]);
    const data = (json.resource as Resources)["terraform_data"]!;
    for (const key of ["prod_webinarAttended", "prod_trialStarted"]) {
      expect(data[key]!["depends_on"]).toStrictEqual(["terraform_data.prod_retired_oldSignup"]);
    }
    expect(data["prod_retired_oldSignup"]!["depends_on"]).toBeUndefined();
  });

  it("adds no depends_on without a tombstone", () => {
    const { json } = synthInstance((prod) => {
      new CustomActivityType(prod, "webinar", webinar);
    });
    const data = (json.resource as Resources)["terraform_data"]!;
    expect(data["prod_webinarAttended"]!["depends_on"]).toBeUndefined();
  });
});
