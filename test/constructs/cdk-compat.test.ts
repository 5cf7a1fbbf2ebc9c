/**
 * One package for cdktf and cdktn apps: every construct uses the CDK its stack was made with, so
 * both CDKs can even be loaded in one process (as here) without mixing. The installed-app side of
 * this (an app on each CDK, from the packed tarball) is test/e2e/install.test.ts.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cdktf from "cdktf";
import * as cdktn from "cdktn";
import { Construct } from "constructs";
import { afterAll, describe, expect, it } from "vitest";
import { CustomActivityType, MarketoInstance, type ResourceKind } from "../../src/constructs/index.js";
import { webinar } from "../helpers/constructs.js";

type Cdk = typeof cdktf | typeof cdktn;

function synth(either: Cdk, resourceKind: ResourceKind) {
  // The two modules have one API; their classes differ only nominally (private members).
  const cdk = either as typeof cdktf;
  const app = cdk.Testing.app();
  const stack = new cdk.TerraformStack(app, "stack");
  const prod = new MarketoInstance(stack, "prod", { resourceKind });
  const type = new CustomActivityType(prod, "webinar", webinar);
  return { stack, type, json: JSON.parse(cdk.Testing.synth(stack, true)) as Record<string, unknown> };
}

describe("either CDK", () => {
  it("synthesizes the same terraform_data on cdktn as on cdktf", () => {
    const onCdktf = synth(cdktf, "terraform_data");
    const onCdktn = synth(cdktn, "terraform_data");
    expect(onCdktn.json).toStrictEqual(onCdktf.json);
    expect(Object.keys(onCdktn.json["resource"] as object)).toStrictEqual(["terraform_data"]);
  });

  it("synthesizes null_resource on cdktn exactly as @cdktf/provider-null does on cdktf", () => {
    const onCdktf = synth(cdktf, "null_resource");
    const onCdktn = synth(cdktn, "null_resource");
    // cdktf uses the app's @cdktf/provider-null (a devDependency here); cdktn, which has none, our own binding.
    expect(onCdktf.type.resource.constructor.name).toBe("LateTriggersNullResource");
    expect(onCdktn.json).toStrictEqual(onCdktf.json);
    expect(onCdktn.json).toMatchObject({
      provider: { null: [{}] },
      terraform: { required_providers: { null: { source: "null", version: "3.2.4" } } },
    });
  });

  it("makes each stack's resources with that stack's CDK, with both CDKs loaded in one process", () => {
    for (const [cdk, other] of [
      [cdktf, cdktn],
      [cdktn, cdktf],
    ] as const) {
      const { type } = synth(cdk, "terraform_data");
      expect(type.resource).toBeInstanceOf(cdk.TerraformResource);
      expect(type.resource).not.toBeInstanceOf(other.TerraformResource);
    }
  });

  it("writes the manifest and the provisioners' launcher in a full cdktn synth", () => {
    const { stack } = synth(cdktn, "terraform_data");
    const outdir = cdktn.Testing.fullSynth(stack as unknown as cdktn.TerraformStack);
    expect(readdirSync(join(outdir, "stacks", "stack")).sort()).toStrictEqual([
      "cdk.tf.json",
      "marketo-activities.mjs",
      "marketo-activities.prod.json",
    ]);
  });
});

describe("copies that do not belong together fail with one clear message", () => {
  const temp = mkdtempSync(join(tmpdir(), "mka-copies-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it("a stack from a CDK copy this package cannot find", () => {
    // A stack-marked construct that no loaded cdktf or cdktn made: what a bundled or unresolvable copy looks like.
    const app = new Construct(undefined as unknown as Construct, "");
    const stack = new Construct(app, "marketing");
    Object.defineProperty(stack, Symbol.for("cdktf/TerraformStack"), { value: true });
    expect(() => new MarketoInstance(stack, "prod")).toThrow(
      /MarketoInstance "prod" \(at marketing\) has 1 problem:\n {2}- the stack "marketing" was made with a copy of cdktf or cdktn that this package cannot find \(it found: cdktf at .*node_modules[/\\]cdktf; cdktn at .*node_modules[/\\]cdktn\)\. Fix: install cdktf \(or cdktn\) once/,
    );
  });

  it("a scope made with a second copy of constructs names both copies", () => {
    const copy = join(temp, "node_modules", "constructs");
    cpSync(
      createRequire(import.meta.url)
        .resolve("constructs/package.json")
        .replace(/package\.json$/, ""),
      copy,
      {
        recursive: true,
      },
    );
    const other = createRequire(join(temp, "app.js"))("constructs") as typeof import("constructs");
    expect(other.Construct).not.toBe(Construct);
    const root = new other.Construct(undefined as unknown as Construct, "");
    const stack = new other.Construct(root, "marketing");
    let message = "";
    try {
      new MarketoInstance(stack as unknown as Construct, "prod");
    } catch (error) {
      message = String(error);
    }
    expect(message).toContain('its scope was made with another copy of the "constructs" package');
    expect(message).toContain(join("node_modules", "constructs"));
    expect(message).toContain(copy);
    expect(message).toContain("`npm ls constructs` must list one version");
    expect(message).not.toContain("TypeError");
  });
});
