import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { webinarApp, writeApp } from "../helpers/app.js";
import { cli } from "../helpers/cli.js";
import { repoRoot, run, terraformTestsEnabled, toolEnv } from "../helpers/tools.js";

const enabled = terraformTestsEnabled("cdktf deploy end-to-end test");

describe.runIf(enabled)("cdktf deploy with terraform_data against the emulator", () => {
  let emulator: Emulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cdktf = (...args: string[]) =>
    run("npx", ["--no-install", "cdktf", ...args], { cwd: dir, env, timeout: 180_000 });
  const mutations = (from: number) =>
    emulator.requests
      .slice(from)
      .filter(
        (r) => !["identity", "listCustomActivityTypes", "describeCustomActivityType"].includes(r.operation),
      );

  beforeAll(async () => {
    emulator = await startEmulator();
    dir = writeApp("e2e-deploy", webinarApp("Minutes Watched"));
    env = toolEnv(emulator.env());
  });
  afterAll(async () => {
    await emulator?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("creates and approves the types on the first deploy", async () => {
    const output = await cdktf("deploy", "--auto-approve");
    // One resource per type, and the instance's deploy check.
    expect(output).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/);
    const state = emulator.state().activityTypes;
    expect(state.map((t) => [t.apiName, t.status]).sort()).toStrictEqual([
      ["trialStarted", "approved"],
      ["webinarAttended", "approved"],
    ]);
  }, 180_000);

  it("shows exactly the changed field in `cdktf diff`, and a second deploy updates it", async () => {
    writeFileSync(join(dir, "main.ts"), webinarApp("Minutes Viewed"));
    const diff = await cdktf("diff");
    expect(diff).toContain('~ "attributes.minutesWatched.name"');
    expect(diff).toContain('"Minutes Watched" -> "Minutes Viewed"');
    // The changed type and the deploy check, which every deploy replaces.
    expect(diff).toMatch(/Plan: 2 to add, 0 to change, 2 to destroy/);

    const from = emulator.requests.length;
    const output = await cdktf("deploy", "--auto-approve");
    expect(output).toMatch(/Apply complete! Resources: 2 added, 0 changed, 2 destroyed/);
    expect(mutations(from).map((r) => r.operation)).toStrictEqual([
      "updateCustomActivityTypeAttributes",
      "approveCustomActivityType",
    ]);
    const webinar = emulator.state().activityTypes.find((t) => t.apiName === "webinarAttended");
    expect(JSON.stringify(webinar)).toContain("Minutes Viewed");
  }, 180_000);

  it("on a third deploy with nothing changed, replaces only the deploy check, which reads the instance and writes nothing", async () => {
    const diff = await cdktf("diff");
    expect([...diff.matchAll(/# (\S+) \(\S+\) must be replaced/g)].map((m) => m[1])).toStrictEqual([
      "terraform_data.prod_deploy-check",
    ]);
    expect(diff).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy/);

    const from = emulator.requests.length;
    const before = JSON.stringify(emulator.state().activityTypes);
    const output = await cdktf("deploy", "--auto-approve");
    expect(output).toMatch(/Apply complete! Resources: 1 added, 0 changed, 1 destroyed/);
    // The check: one list and one describe per type, no write.
    expect(
      emulator.requests
        .slice(from)
        .map((r) => r.operation)
        .filter((operation) => operation !== "identity"),
    ).toStrictEqual(["listCustomActivityTypes", "describeCustomActivityType", "describeCustomActivityType"]);
    expect(JSON.stringify(emulator.state().activityTypes)).toBe(before);
  }, 180_000);

  it("says when the code changed after the last synth, and apply refuses until it is synthesized again", async () => {
    writeFileSync(join(dir, "main.ts"), webinarApp("Minutes Seen"));
    const plan = await cli(["plan"], { cwd: dir, env });
    expect(plan.stderr).toMatch(
      /Manifest cdktf\.out\/stacks\/\S+\/marketo-activities\.\w+\.json, synthesized \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    );
    expect(plan.stderr).toContain("Warning: the app's code changed after");
    expect(plan.stderr).toContain("changed: main.ts");
    expect(plan.stderr).toContain("run `npx cdktf synth`");
    const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("Nothing was applied");
    expect(apply.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("forgets the types on `cdktf destroy`, deleting nothing in Marketo", async () => {
    const from = emulator.requests.length;
    const before = JSON.stringify(emulator.state().activityTypes);
    expect(await cdktf("destroy", "--auto-approve")).toMatch(/Destroy complete! Resources: 3 destroyed/);
    expect(emulator.requests.slice(from)).toStrictEqual([]);
    expect(JSON.stringify(emulator.state().activityTypes)).toBe(before);
  }, 180_000);
});

describe.runIf(enabled)("the repository root is a cdktf app (examples/basic)", () => {
  let emulator: Emulator;
  let out: string;
  let env: NodeJS.ProcessEnv;
  // --output keeps the synthesized stacks and their state out of the working tree.
  const cdktf = (...args: string[]) =>
    run("npx", ["--no-install", "cdktf", ...args, "--output", out], { cwd: repoRoot, env, timeout: 180_000 });

  beforeAll(async () => {
    emulator = await startEmulator();
    // Inside the app, as cdktf.out is: the launcher finds the package from there.
    mkdirSync(join(repoRoot, ".tmp"), { recursive: true });
    out = mkdtempSync(join(repoRoot, ".tmp", "root-app-"));
    env = toolEnv(emulator.env());
  });
  afterAll(async () => {
    await emulator?.close();
    if (out !== undefined) rmSync(out, { recursive: true, force: true });
  });

  it("synthesizes, diffs and deploys with `npx cdktf` at the root", async () => {
    expect(await cdktf("synth")).toContain("Generated Terraform code for the stacks: marketing");
    // Three types, a tombstone and the instance's deploy check.
    expect(await cdktf("diff")).toMatch(/Plan: 5 to add, 0 to change, 0 to destroy/);
    expect(await cdktf("deploy", "--auto-approve")).toMatch(/Apply complete! Resources: 5 added/);
    expect(
      emulator
        .state()
        .activityTypes.map((t) => [t.apiName, t.status])
        .sort(),
    ).toStrictEqual([
      ["checkDeposited", "approved"],
      ["trialStarted", "approved"],
      ["webinarAttended", "approved"],
    ]);
  }, 240_000);
});
