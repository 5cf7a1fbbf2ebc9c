/**
 * A synth that fails publishes nothing: no resource or provisioner for an invalid definition, however
 * cdktf is told to go on; no manifest of an earlier synth left beside the new `cdk.tf.json` for the CLI
 * to plan or apply; and the error names the problems without a stack trace after them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findManifests } from "../../src/cli/manifests.js";
import { CustomActivityType, MarketoInstance, RetiredActivityType } from "../../src/constructs/index.js";
import { MarketoActivitiesError } from "../../src/schema/index.js";
import { SOURCES_FILE_NAME } from "../../src/sources/index.js";
import { webinar } from "../helpers/constructs.js";

const CONTINUE = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS";
const injected = { ...webinar, apiName: "x; touch PWNED #" };
const trial = {
  ...webinar,
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
};

let dir: string;
let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  dir = mkdtempSync(join(tmpdir(), "mka-failed-synth-"));
});
afterEach(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

const outdir = () => join(dir, "cdktf.out");
const stackDir = (stack = "marketing") => join(outdir(), "stacks", stack);
const filesOf = (stack = "marketing") =>
  existsSync(stackDir(stack)) ? readdirSync(stackDir(stack)).sort() : [];

/** An app with one stack per entry of `stacks`, each with an instance "prod" and the given types. */
function synth(
  stacks: Record<string, (prod: MarketoInstance) => void>,
  options: { skipValidation?: boolean } = {},
): void {
  const app = new App({ outdir: outdir(), skipValidation: options.skipValidation ?? false });
  for (const [name, build] of Object.entries(stacks)) {
    build(new MarketoInstance(new TerraformStack(app, name), "prod"));
  }
  app.synth();
}

const valid = (prod: MarketoInstance) => {
  new CustomActivityType(prod, "webinar", webinar);
};
const invalid = (prod: MarketoInstance) => {
  new CustomActivityType(prod, "webinar", injected);
  new CustomActivityType(prod, "trial", trial);
  new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
};

describe("an invalid definition", () => {
  it.each([
    ["cdktf is told to go on after error annotations (as the cdktf CLI does)", { [CONTINUE]: "true" }, {}],
    ["validations are skipped, and cdktf goes on", { [CONTINUE]: "1" }, { skipValidation: true }],
  ])(
    "gets no resource and no provisioner when %s, nor does any other type of its instance",
    (_, env, options) => {
      Object.assign(process.env, env);
      synth({ marketing: invalid }, options);
      const written = readFileSync(join(stackDir(), "cdk.tf.json"), "utf8");
      expect(written).not.toContain("PWNED");
      expect(written).not.toContain("local-exec");
      expect(JSON.parse(written).resource).toBeUndefined();
      // Nor a manifest for its provisioners to apply.
      expect(filesOf().filter((f) => f.startsWith("marketo-activities."))).toStrictEqual([
        "marketo-activities.mjs",
      ]);
    },
  );

  it("leaves the resources of a valid instance in the same stack", () => {
    process.env[CONTINUE] = "true";
    const app = new App({ outdir: outdir() });
    const stack = new TerraformStack(app, "marketing");
    invalid(new MarketoInstance(stack, "prod"));
    valid(new MarketoInstance(stack, "sandbox"));
    app.synth();
    const json = JSON.parse(readFileSync(join(stackDir(), "cdk.tf.json"), "utf8"));
    const names = Object.keys(json.resource.terraform_data);
    expect(names).toContain("sandbox_webinarAttended");
    expect(names.filter((name) => name.startsWith("prod_"))).toStrictEqual([]);
    expect(filesOf()).toContain("marketo-activities.sandbox.json");
    expect(filesOf()).not.toContain("marketo-activities.prod.json");
  });
});

describe("what is written follows the definitions as they are at each synth", () => {
  const names = (stack: TerraformStack) =>
    Object.keys(
      (JSON.parse(Testing.synth(stack)) as { resource?: { terraform_data?: object } }).resource
        ?.terraform_data ?? {},
    ).filter((name) => !name.endsWith("_deploy-check"));

  it("drops the resources once addAttribute() makes a definition invalid", () => {
    const stack = new TerraformStack(Testing.app(), "marketing");
    const prod = new MarketoInstance(stack, "prod");
    const type = new CustomActivityType(prod, "webinar", webinar);
    expect(names(stack)).toStrictEqual(["prod_webinarAttended"]);
    type.addAttribute({ apiName: "minutesWatched", name: "Twice", dataType: "integer" });
    expect(names(stack)).toStrictEqual([]);
  });

  it("drops them once a type makes the instance exceed its limit", () => {
    const stack = new TerraformStack(Testing.app(), "marketing");
    const prod = new MarketoInstance(stack, "prod", { maxActivityTypes: 1 });
    new CustomActivityType(prod, "webinar", webinar);
    expect(names(stack)).toStrictEqual(["prod_webinarAttended"]);
    new CustomActivityType(prod, "trial", trial);
    expect(names(stack)).toStrictEqual([]);
  });

  it("drops them once a second instance with the same id joins the stack", () => {
    const stack = new TerraformStack(Testing.app(), "marketing");
    new CustomActivityType(new MarketoInstance(stack, "prod"), "webinar", webinar);
    expect(names(stack)).toStrictEqual(["prod_webinarAttended"]);
    new MarketoInstance(new Construct(stack, "elsewhere"), "prod");
    expect(names(stack)).toStrictEqual([]);
  });
});

describe("a failed synth never leaves a manifest that the CLI will use", () => {
  const plan = () => () => findManifests({ cwd: dir });

  it("removes the earlier manifest when the new synth stops on errors", () => {
    synth({ marketing: valid });
    expect(filesOf()).toStrictEqual([
      "cdk.tf.json",
      "marketo-activities.mjs",
      "marketo-activities.prod.json",
    ]);
    expect(() => synth({ marketing: invalid })).toThrow(MarketoActivitiesError);
    expect(filesOf()).toStrictEqual(["cdk.tf.json", "marketo-activities.mjs"]);
    expect(plan()).toThrow(/no Marketo manifests in cdktf\.out/);
  });

  it("removes the earlier manifest when cdktf goes on and writes the new cdk.tf.json", () => {
    synth({ marketing: valid });
    const before = readFileSync(join(stackDir(), "cdk.tf.json"), "utf8");
    process.env[CONTINUE] = "true";
    synth({ marketing: invalid });
    expect(readFileSync(join(stackDir(), "cdk.tf.json"), "utf8")).not.toBe(before);
    expect(filesOf()).toStrictEqual(["cdk.tf.json", "marketo-activities.mjs"]);
    expect(plan()).toThrow(/no Marketo manifests in cdktf\.out/);
  });

  it("removes the sources record with it", () => {
    synth({ marketing: valid });
    // Synth writes the record only when its output directory is inside the app directory (the working
    // directory), which this temporary one is not: it stands for one here.
    writeFileSync(join(stackDir(), SOURCES_FILE_NAME), "{}");
    expect(() => synth({ marketing: invalid })).toThrow();
    expect(filesOf()).not.toContain(SOURCES_FILE_NAME);
  });

  it("removes the manifests of the stacks that come after the stack that failed", () => {
    synth({ a: valid, b: valid });
    expect(filesOf("b")).toContain("marketo-activities.prod.json");
    expect(() => synth({ a: invalid, b: valid })).toThrow(/stack "a" has 1 error/);
    // cdktf stopped at stack "a": "b" kept its cdk.tf.json from the earlier synth, not its manifest.
    expect(filesOf("b")).toStrictEqual(["cdk.tf.json", "marketo-activities.mjs"]);
    expect(plan()).toThrow(/no Marketo manifests/);
  });

  it("removes the manifests of a stack the app no longer has, which cdktf's manifest.json still lists after a failure", () => {
    synth({ a: valid, old: valid });
    expect(() => synth({ a: invalid })).toThrow();
    expect(filesOf("old")).toStrictEqual(["cdk.tf.json", "marketo-activities.mjs"]);
    expect(plan()).toThrow(/no Marketo manifests/);
  });

  it("removes the manifest of an instance the code no longer declares, on a synth that succeeds", () => {
    const app = new App({ outdir: outdir() });
    const stack = new TerraformStack(app, "marketing");
    valid(new MarketoInstance(stack, "prod"));
    valid(new MarketoInstance(stack, "sandbox"));
    app.synth();
    expect(filesOf()).toContain("marketo-activities.sandbox.json");
    synth({ marketing: valid });
    expect(filesOf()).toStrictEqual([
      "cdk.tf.json",
      "marketo-activities.mjs",
      "marketo-activities.prod.json",
    ]);
    expect(findManifests({ cwd: dir }).map((f) => f.manifest.instance.id)).toStrictEqual(["prod"]);
  });
});

describe("the error of a failed synth", () => {
  const failure = (): Error => {
    try {
      synth({ marketing: invalid });
    } catch (error) {
      return error as Error;
    }
    throw new Error("synth did not fail");
  };

  it("lists every error annotation as `cdktf synth` prints them, and ends with the last", () => {
    const error = failure();
    expect(error).toBeInstanceOf(MarketoActivitiesError);
    expect(error.message).toMatchInlineSnapshot(`
      "stack "marketing" has 1 error; nothing of it was written:
      ERROR [marketing/prod/webinar]: activity type "x; touch PWNED #" has 1 problem:
        - apiName: got "x; touch PWNED #"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended""
    `);
    // cdktf's advice to ignore the errors is not passed on.
    expect(error.message).not.toContain(CONTINUE);
  });

  it("has no stack trace, no cause and no fields that Node would print after the message", () => {
    const error = failure();
    expect(error.stack).toBe(`MarketoActivitiesError: ${error.message}`);
    expect(error.cause).toBeUndefined();
    expect(Object.keys(error)).toStrictEqual([]);
    expect((error as MarketoActivitiesError).code).toBe("SynthFailed");
  });
});
