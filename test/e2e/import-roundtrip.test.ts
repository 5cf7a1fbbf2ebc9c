/**
 * Adopting an existing instance, as a user does it (README, "Adopting an existing instance"): the
 * built CLI imports the fixture instance (test/fixtures/import/instance.json: every hard case) into a
 * cdktf app, which declares every imported definition on one instance with the README's loop; the app
 * type-checks, `cdktf synth` writes the stack, `terraform validate` accepts it, and
 * `marketo-activities plan` shows no change for every approved type without a draft, the draft as
 * foreign and an approve of the type never approved, as import said. The remedy import gave for the
 * draft then leaves nothing to change.
 */
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, type EmulatorSeed, startEmulator } from "../../src/emulator/index.js";
import { writeApp } from "../helpers/app.js";
import { cli } from "../helpers/cli.js";
import { repoRoot, run, terraformTestsEnabled, toolEnv } from "../helpers/tools.js";

const enabled = terraformTestsEnabled("import round trip (terraform validate of the imported stack)");
const FIXTURES = join(repoRoot, "test", "fixtures", "import");
const SEED = JSON.parse(readFileSync(join(FIXTURES, "instance.json"), "utf8")) as EmulatorSeed;

/** The app of the README: every imported definition declared on one instance, with the loop. */
const MAIN_TS = `import { App, LocalBackend, TerraformStack } from "cdktf";
import { CustomActivityType, MarketoInstance } from "cdktf-marketo-activities";
import { activityTypes } from "./activity-types.js";

const app = new App();
const stack = new TerraformStack(app, "marketing");
new LocalBackend(stack, { path: "terraform.tfstate" });
const prod = new MarketoInstance(stack, "prod");
for (const definition of activityTypes) {
  new CustomActivityType(prod, definition.apiName, definition);
}
app.synth();
`;

/** The app's type-check: strict, as the cdktf template's tsconfig is, resolving the package as published. */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  },
  files: ["main.ts"],
};

/** Runs a command; resolves with its exit code, stdout and stderr, whatever the code. */
function exec(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { ...options, encoding: "utf8", timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.runIf(enabled)("import, synth, terraform validate, plan: the fixture instance", () => {
  let emulator: Emulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: SEED });
    dir = writeApp("import-roundtrip", MAIN_TS);
    writeFileSync(join(dir, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    env = toolEnv(emulator.env());
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("writes the golden module with the built CLI, and the app declaring it all type-checks", async () => {
    const imported = await exec(
      process.execPath,
      [join(repoRoot, "dist", "cli", "bin.js"), "import", "--out", "activity-types.ts"],
      { cwd: dir, env },
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toBe("");
    expect(readFileSync(join(dir, "activity-types.ts"), "utf8")).toBe(
      readFileSync(join(FIXTURES, "activity-types.ts"), "utf8"),
    );
    expect(imported.stderr).toContain("Note: trialStarted was never approved");
    expect(imported.stderr).toContain("Note: webinarRegistered has a draft in Marketo");

    const tsc = await exec(process.execPath, [join(repoRoot, "node_modules", "typescript", "bin", "tsc")], {
      cwd: dir,
      env,
    });
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
  });

  it("synthesizes a stack that terraform validate accepts", async () => {
    const synth = await run("npx", ["--no-install", "cdktf", "synth"], { cwd: dir, env, timeout: 120_000 });
    expect(synth).toContain("Generated Terraform code for the stacks: marketing");
    const stack = join(dir, "cdktf.out", "stacks", "marketing");
    await run("terraform", ["init", "-input=false", "-no-color"], { cwd: stack, env });
    expect(await run("terraform", ["validate", "-no-color"], { cwd: stack, env })).toContain(
      "Success! The configuration is valid.",
    );
  });

  it("plans no change for every approved type without a draft; the draft is foreign and the type never approved is approved", async () => {
    const plan = await cli(["plan", "--format", "json"], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    const types = (JSON.parse(plan.stdout) as { types: { apiName: string; action: string }[] }).types;
    expect(types.map((t) => [t.apiName, t.action])).toStrictEqual([
      ["2024Signup", "noop"],
      ["activityTypes", "noop"],
      ["checkDeposited", "noop"],
      ["delete", "noop"],
      ["partnerWebinarAttendedWithExtendedFollowUpSurveyAndCertificate", "noop"],
      ["trialStarted", "approve"],
      ["webinarAttended", "noop"],
      ["webinarRegistered", "update"],
    ]);
    const text = await cli(["plan", "--fail-on-refusal"], { cwd: dir, env });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("    webinarAttended is up to date\n");
    expect(text.stdout).toContain("  ^ trialStarted will be approved (publishes a draft)\n");
    expect(text.stdout).toContain(
      "  ~ webinarRegistered will be updated\n      ! conflict: the draft in Marketo has edits that are neither live nor in your code",
    );
    expect(text.stdout).toContain("discard the draft with --discard-foreign-drafts");
  });

  it("after the remedy import gave for the draft, plan shows no changes", async () => {
    const apply = await cli(["apply", "--auto-approve", "--discard-foreign-drafts"], { cwd: dir, env });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const plan = await cli(["plan", "--detailed-exitcode"], { cwd: dir, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes. The instance matches the code.");
  });
});
