/**
 * Terraform reads what synth wrote as exactly the values in code. Every field that takes free text
 * holds quotes, backslashes, line breaks, backticks, Terraform's template syntax (`${`, `%{`, already
 * escaped `$${` and `%%{`), text in other scripts and emoji. For the stack synthesized as JSON and as
 * HCL (`cdktf synth --hcl`), in its own directory:
 * - `terraform init` (terraform_data is built in: no download) and `terraform validate` pass;
 * - the plan holds each type's triggers as the values in code, evaluated by Terraform;
 * - `terraform apply` runs each provisioner's command through the shell, which hands the command's own
 *   words and the values synth added to it to the program as they were written, with the environment
 *   synth gave it;
 * - the manifest, which the reconciler reads (not Terraform), holds every value as it is.
 * And an app whose definition is invalid, synthesized with cdktf told to go on after errors, applies
 * without running anything of the invalid instance.
 */
/** biome-ignore-all lint/suspicious/noTemplateCurlyInString: Terraform's template syntax is the subject here */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CustomActivityType,
  type CustomActivityTypeProps,
  MarketoInstance,
  RetiredActivityType,
} from "../../src/constructs/index.js";
import { canonicalize, definitionLeaves, parseActivityType, parseManifest } from "../../src/schema/index.js";
import { run, terraformTestsEnabled, toolEnv } from "../helpers/tools.js";

const enabled = terraformTestsEnabled("terraform validate of synthesized stacks");

/** Every kind of character a value of a definition may hold, tagged so that each value differs. */
const nasty = (tag: string) =>
  [
    `${tag} "double" 'single' \`backtick\` back\\slash \\n`,
    'costs ${price} ${file("/etc/passwd")} %{ if true }yes%{ endif } $${kept} %%{kept} \\${x} ${ %{ $ %',
    "日本語 Ünïcødé Ελληνικά العربية 🎉 👩‍💻\tTab\u0007bell",
    "second line\r\nthird line ends with $",
  ].join("\n");

const webinar: CustomActivityTypeProps = {
  apiName: "webinarAttended",
  name: "Вебинар 視聴 Ünïcode_1",
  triggerName: nasty("trigger"),
  filterName: nasty("filter"),
  description: `${nasty("description")} and a trailing backslash \\`,
  primaryAttribute: {
    apiName: "webinarName",
    name: nasty("primary"),
    description: nasty("primary description"),
  },
  attributes: [
    { apiName: "host", name: nasty("host"), dataType: "string", description: "%{" },
    { apiName: "minutes", name: "${", dataType: "integer", description: nasty("minutes") },
  ],
};
const trial: CustomActivityTypeProps = {
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial ${now}",
  filterName: "Started Trial %{x}",
  primaryAttribute: { apiName: "productName", name: "Product $${Name}" },
};

/** Words of the instance's own command with shell quoting and template syntax in them. */
const COMMAND_WORD = 'costs ${price} %{ x } "q" `t` $HOME';
/** The program the provisioners run: it records its arguments and the variables synth set. */
const RECORDER = `import { mkdirSync, writeFileSync } from "node:fs";
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : "instance";
mkdirSync("ran", { recursive: true });
writeFileSync(\`ran/\${only}.json\`, JSON.stringify({
  args,
  provisioner: process.env.MARKETO_ACTIVITIES_PROVISIONER,
  budgetShare: process.env.MARKETO_BUDGET_SHARE,
}));
`;

/** Synthesizes the app into `outdir`, as JSON or HCL; returns the stack directory. */
function synthesize(outdir: string, hcl: boolean): string {
  const saved = process.env["SYNTH_HCL_OUTPUT"];
  process.env["SYNTH_HCL_OUTPUT"] = String(hcl);
  try {
    const app = new App({ outdir });
    // The CDK reads SYNTH_HCL_OUTPUT when the stack is made.
    const stack = new TerraformStack(app, "marketing");
    new LocalBackend(stack, { path: "terraform.tfstate" });
    const prod = new MarketoInstance(stack, "prod", {
      command: `node recorder.mjs '${COMMAND_WORD}'`,
      budgetShare: 0.5,
    });
    new CustomActivityType(prod, "webinar", webinar);
    new CustomActivityType(prod, "trial", trial);
    new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
    app.synth();
  } finally {
    if (saved === undefined) delete process.env["SYNTH_HCL_OUTPUT"];
    else process.env["SYNTH_HCL_OUTPUT"] = saved;
  }
  const dir = join(outdir, "stacks", "marketing");
  writeFileSync(join(dir, "recorder.mjs"), RECORDER);
  return dir;
}

interface PlannedResource {
  readonly address: string;
  readonly change: { readonly after: { readonly triggers_replace?: unknown } };
}

describe.runIf(enabled).each([
  ["JSON", false],
  ["HCL", true],
])("a stack synthesized as %s with every kind of character in every field", (_, hcl) => {
  let root: string;
  let dir: string;
  const env = toolEnv();
  const terraform = (...args: string[]) => run("terraform", args, { cwd: dir, env, timeout: 120_000 });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "mka-tf-validate-"));
    dir = synthesize(join(root, "cdktf.out"), hcl);
    expect(readdirSync(dir)).toContain(hcl ? "cdk.tf" : "cdk.tf.json");
    await terraform("init", "-input=false", "-no-color");
  }, 120_000);
  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("passes terraform validate", async () => {
    const result = JSON.parse(await terraform("validate", "-json", "-no-color")) as {
      valid: boolean;
      diagnostics: { severity: string; summary: string }[];
    };
    expect(result.valid).toBe(true);
    // cdktf's HCL output quotes the references of `depends_on` (the instance's deploy check), which
    // Terraform accepts with a warning; nothing else may be reported.
    const allowed = hcl ? ["Quoted references are deprecated"] : [];
    expect(result.diagnostics.filter((d) => !allowed.includes(d.summary))).toStrictEqual([]);
  }, 120_000);

  it("plans each type's triggers as the values in code", async () => {
    await terraform("plan", "-input=false", "-no-color", "-out=tfplan");
    const plan = JSON.parse(await terraform("show", "-json", "-no-color", "tfplan")) as {
      resource_changes: PlannedResource[];
    };
    const triggers = (address: string) =>
      plan.resource_changes.find((r) => r.address === address)?.change.after.triggers_replace;
    const instance = { "instance.approve": "true", "instance.envPrefix": "MARKETO" };
    for (const type of [webinar, trial]) {
      expect(triggers(`terraform_data.prod_${type.apiName}`)).toStrictEqual({
        ...definitionLeaves(parseActivityType(type)),
        ...instance,
      });
    }
    expect(triggers("terraform_data.prod_retired_oldSignup")).toStrictEqual({
      apiName: "oldSignup",
      retired: "true",
      ...instance,
    });
  }, 120_000);

  it("runs each provisioner with the command's words and the values synth added, as written", async () => {
    await terraform("apply", "-input=false", "-no-color", "-auto-approve");
    const ran = (name: string) =>
      JSON.parse(readFileSync(join(dir, "ran", `${name}.json`), "utf8")) as Record<string, unknown>;
    for (const apiName of ["webinarAttended", "trialStarted", "oldSignup"]) {
      expect(ran(apiName)).toStrictEqual({
        args: [
          COMMAND_WORD,
          "apply",
          "--manifest",
          "marketo-activities.prod.json",
          "--only",
          apiName,
          "--auto-approve",
        ],
        provisioner: "1",
        budgetShare: "0.1666",
      });
    }
  }, 120_000);

  it("writes the manifest with every value as it is", () => {
    const manifest = parseManifest(
      JSON.parse(readFileSync(join(dir, "marketo-activities.prod.json"), "utf8")),
      "marketo-activities.prod.json",
    );
    expect(manifest.types).toStrictEqual([trial, webinar].map((t) => canonicalize(parseActivityType(t))));
    const written = manifest.types.find((t) => t.apiName === "webinarAttended")!;
    expect(written.description).toBe(webinar.description);
    expect(written.triggerName).toBe(webinar.triggerName);
    expect(written.primaryAttribute.name).toBe(webinar.primaryAttribute.name);
    expect(written.attributes.find((a) => a.apiName === "minutes")?.name).toBe("${");
    expect(manifest.retired).toStrictEqual(["oldSignup"]);
  });
});

describe.runIf(enabled)("an invalid definition, synthesized with cdktf told to go on after errors", () => {
  let root: string;

  afterAll(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("applies without running anything of its instance", async () => {
    root = mkdtempSync(join(tmpdir(), "mka-tf-injected-"));
    const saved = process.env["CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"];
    process.env["CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"] = "true";
    try {
      const app = new App({ outdir: join(root, "cdktf.out") });
      const stack = new TerraformStack(app, "marketing");
      new LocalBackend(stack, { path: "terraform.tfstate" });
      const prod = new MarketoInstance(stack, "prod", { command: "node recorder.mjs" });
      new CustomActivityType(prod, "bad", { ...trial, apiName: "x; touch PWNED #" });
      new CustomActivityType(prod, "good", webinar);
      app.synth();
    } finally {
      if (saved === undefined) delete process.env["CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"];
      else process.env["CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"] = saved;
    }
    const dir = join(root, "cdktf.out", "stacks", "marketing");
    writeFileSync(join(dir, "recorder.mjs"), RECORDER);
    mkdirSync(join(dir, "ran"));
    const env = toolEnv();
    await run("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env });
    const output = await run("terraform", ["apply", "-input=false", "-no-color", "-auto-approve"], {
      cwd: dir,
      env,
    });
    expect(output).toMatch(/Apply complete! Resources: 0 added/);
    expect(existsSync(join(dir, "PWNED"))).toBe(false);
    expect(readdirSync(join(dir, "ran"))).toStrictEqual([]);
    expect(
      readdirSync(dir).filter((f) => f.startsWith("marketo-activities.") && f.endsWith(".json")),
    ).toStrictEqual([]);
  }, 120_000);
});
