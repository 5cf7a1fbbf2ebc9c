import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { afterEach, describe, expect, it } from "vitest";
import { CustomActivityType, MarketoInstance, RetiredActivityType } from "../../src/constructs/index.js";
import { manifestSchema } from "../../src/schema/index.js";
import { synthInstance, webinar } from "../helpers/constructs.js";

type Resources = Record<string, Record<string, Record<string, unknown>>>;
const resources = (json: { resource?: Resources }): Resources => json.resource ?? {};

describe("CustomActivityType synthesis", () => {
  it("synthesizes one terraform_data per type by default, with field-level triggers, create_before_destroy and a portable apply command", () => {
    const { json, errors } = synthInstance((prod) => new CustomActivityType(prod, "webinar", webinar), {});
    expect(errors).toStrictEqual([]);
    const data = resources(json)["terraform_data"]!;
    expect(Object.keys(data)).toStrictEqual(["prod_deploy-check", "prod_webinarAttended"]);
    expect(data["prod_webinarAttended"]).toStrictEqual({
      lifecycle: { create_before_destroy: true },
      provisioner: [
        {
          "local-exec": {
            command:
              "node marketo-activities.mjs apply --manifest marketo-activities.prod.json --only webinarAttended --auto-approve",
            environment: { MARKETO_ACTIVITIES_PROVISIONER: "1" },
          },
        },
      ],
      triggers_replace: {
        allowDestructiveChanges: "false",
        apiName: "webinarAttended",
        "attributes.minutesWatched.dataType": "integer",
        "attributes.minutesWatched.name": "Minutes Watched",
        filterName: "Attended Webinar",
        "instance.approve": "true",
        "instance.envPrefix": "MARKETO",
        name: "Webinar Attended",
        "primaryAttribute.apiName": "webinarName",
        "primaryAttribute.dataType": "string",
        "primaryAttribute.name": "Webinar Name",
        triggerName: "Attends Webinar",
      },
    });
    // terraform_data is built in: no provider to configure or download.
    expect(json["provider"]).toBeUndefined();
    expect(JSON.stringify(json["terraform"] ?? {})).not.toContain("required_providers");
  });

  it("uses null_resource and configures the null provider when resourceKind says so", () => {
    const { json } = synthInstance((prod) => new CustomActivityType(prod, "webinar", webinar), {
      resourceKind: "null_resource",
    });
    const nulls = resources(json)["null_resource"]!;
    expect(nulls["prod_webinarAttended"]).toMatchObject({
      lifecycle: { create_before_destroy: true },
      triggers: { "primaryAttribute.dataType": "string", "attributes.minutesWatched.dataType": "integer" },
    });
    expect(json["provider"]).toStrictEqual({ null: [{}] });
    expect(json["terraform"]).toMatchObject({
      required_providers: { null: { source: "null", version: "3.2.4" } },
    });
    expect(resources(json)["terraform_data"]).toBeUndefined();
  });

  it("takes the resource kind from the cdktf context, and props win over context", () => {
    const context = { "marketo-activities:resourceKind": "null_resource" };
    const fromContext = synthInstance((prod) => new CustomActivityType(prod, "w", webinar), {}, context);
    expect(Object.keys(resources(fromContext.json))).toStrictEqual(["null_resource"]);
    const fromProps = synthInstance(
      (prod) => new CustomActivityType(prod, "w", webinar),
      { resourceKind: "terraform_data" },
      context,
    );
    expect(Object.keys(resources(fromProps.json))).toStrictEqual(["terraform_data"]);
  });

  it("takes the provisioner command from props or the cdktf context", () => {
    const context = { "marketo-activities:command": "node ../../bin/cli.js" };
    const { json } = synthInstance(
      (prod) => new CustomActivityType(prod, "w", webinar),
      { resourceKind: "terraform_data" },
      context,
    );
    const command = JSON.stringify(
      resources(json)["terraform_data"]!["prod_webinarAttended"]!["provisioner"],
    );
    expect(command).toContain(
      "node ../../bin/cli.js apply --manifest marketo-activities.prod.json --only webinarAttended",
    );
  });

  it("configures one null provider for several instances in one stack", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "stack");
    new CustomActivityType(
      new MarketoInstance(stack, "dev", { resourceKind: "null_resource" }),
      "w",
      webinar,
    );
    new CustomActivityType(
      new MarketoInstance(stack, "prod", { resourceKind: "null_resource" }),
      "w",
      webinar,
    );
    const json = JSON.parse(Testing.synth(stack, true));
    expect(json.provider.null).toHaveLength(1);
    expect(Object.keys(json.resource.null_resource).sort()).toStrictEqual([
      "dev_deploy-check",
      "dev_webinarAttended",
      "prod_deploy-check",
      "prod_webinarAttended",
    ]);
  });

  it("keeps logical ids when a type moves to another construct in code", () => {
    const flat = synthInstance((prod) => new CustomActivityType(prod, "webinar", webinar));
    const nested = synthInstance(
      (prod) => new CustomActivityType(new Construct(prod, "marketing"), "renamed", webinar),
    );
    expect(Object.keys(resources(nested.json)["terraform_data"]!)).toStrictEqual(
      Object.keys(resources(flat.json)["terraform_data"]!),
    );
  });

  it("counts attributes added with addAttribute()", () => {
    const { json, instance } = synthInstance((prod) =>
      new CustomActivityType(prod, "w", webinar).addAttribute({
        apiName: "host",
        name: "Host",
        dataType: "string",
      }),
    );
    const triggers = resources(json)["terraform_data"]!["prod_webinarAttended"]!["triggers_replace"];
    expect(triggers).toMatchObject({ "attributes.host.dataType": "string", "attributes.host.name": "Host" });
    expect(instance.toManifest().types[0]!.attributes.map((a) => a.apiName)).toStrictEqual([
      "host",
      "minutesWatched",
    ]);
  });

  it("synthesizes a tombstone resource for a RetiredActivityType", () => {
    const { json, instance } = synthInstance(
      (prod) => new RetiredActivityType(prod, "old", { apiName: "oldSignup" }),
    );
    const tombstone = resources(json)["terraform_data"]!["prod_retired_oldSignup"]!;
    expect(tombstone["triggers_replace"]).toStrictEqual({
      apiName: "oldSignup",
      "instance.approve": "true",
      "instance.envPrefix": "MARKETO",
      retired: "true",
    });
    expect(JSON.stringify(tombstone["provisioner"])).toContain("--only oldSignup");
    expect(instance.toManifest().retired).toStrictEqual(["oldSignup"]);
  });

  it("changing one attribute's dataType changes exactly one trigger key", () => {
    const triggersOf = (dataType: "integer" | "float") =>
      resources(
        synthInstance(
          (prod) =>
            new CustomActivityType(prod, "w", {
              ...webinar,
              attributes: [{ apiName: "minutesWatched", name: "Minutes Watched", dataType }],
            }),
        ).json,
      )["terraform_data"]!["prod_webinarAttended"]!["triggers_replace"] as Record<string, string>;
    const before = triggersOf("integer");
    const after = triggersOf("float");
    const changed = Object.keys({ ...before, ...after }).filter((key) => before[key] !== after[key]);
    expect(changed).toStrictEqual(["attributes.minutesWatched.dataType"]);
  });

  it("fails when a type is not declared inside a MarketoInstance, saying how to fix it", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    expect(() => new CustomActivityType(stack, "w", webinar)).toThrowErrorMatchingInlineSnapshot(`
      [DefinitionError: CustomActivityType "w" (at stack/w) has 1 problem:
        - must be declared inside a MarketoInstance. Fix: create the instance first and pass it as the scope: const prod = new MarketoInstance(stack, "prod"); new CustomActivityType(prod, "webinar", {...})]
    `);
  });
});

describe("the manifest", () => {
  const secret = "super-secret-value-6f1d2c";
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const build = () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "marketing");
    const prod = new MarketoInstance(stack, "prod", {
      envPrefix: "MARKETO_PROD",
      resourceKind: "terraform_data",
    });
    new CustomActivityType(prod, "w", { ...webinar, description: "Watched a webinar" });
    new CustomActivityType(prod, "t", {
      ...webinar,
      apiName: "trialStarted",
      name: "Trial Started",
      triggerName: "Starts Trial",
      filterName: "Started Trial",
    });
    new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
    return { stack, prod, outdir: Testing.fullSynth(stack) };
  };
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });

  it("is written next to cdk.tf.json, valid against the manifest schema, with types and tombstones sorted", () => {
    const { outdir } = build();
    const stackDir = join(outdir, "stacks", "marketing");
    expect(readdirSync(stackDir).sort()).toStrictEqual([
      "cdk.tf.json",
      "marketo-activities.mjs",
      "marketo-activities.prod.json",
    ]);
    const manifest = manifestSchema.parse(
      JSON.parse(readFileSync(join(stackDir, "marketo-activities.prod.json"), "utf8")),
    );
    expect(manifest.instance).toStrictEqual({
      id: "prod",
      envPrefix: "MARKETO_PROD",
      maxActivityTypes: 10,
      approve: true,
    });
    expect(manifest.types.map((t) => t.apiName)).toStrictEqual(["trialStarted", "webinarAttended"]);
    expect(manifest.retired).toStrictEqual(["oldSignup"]);
    expect(manifest.formatVersion).toBe(1);
  });

  it("is deterministic: two synths give identical bytes", () => {
    const read = (outdir: string) =>
      ["cdk.tf.json", "marketo-activities.prod.json"].map((f) =>
        readFileSync(join(outdir, "stacks", "marketing", f), "utf8"),
      );
    expect(read(build().outdir)).toStrictEqual(read(build().outdir));
  });

  it("never contains the client secret from the environment, nor an absolute path", () => {
    process.env["MARKETO_CLIENT_SECRET"] = secret;
    process.env["MARKETO_PROD_CLIENT_SECRET"] = secret;
    process.env["MARKETO_PROD_CLIENT_ID"] = `${secret}-id`;
    const { outdir } = build();
    const files = filesUnder(outdir);
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toContain(secret);
      expect(text).not.toContain(outdir);
      expect(text).not.toContain(process.cwd());
    }
  });
});
