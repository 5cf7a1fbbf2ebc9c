/**
 * Usage mistakes the CLI answers with one message and a fix, before any call to Marketo: an empty
 * value for a repeatable flag, a manifest given where the saved plan goes, and `import`, which
 * docs/design.md section 4 reserves but this version does not have yet.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

describe("an empty value for a repeatable flag", () => {
  it.each([
    ["plan", ""],
    ["apply", ""],
    ["apply", "  "],
    ["plan", " , "],
  ])("is an error naming --only on %s (value %j), before any call", async (command, value) => {
    const manifest = ws.manifest(THREE_TYPES);
    const mark = ws.emulator.requests.length;
    const extra = command === "apply" ? ["--auto-approve"] : [];
    const result = await ws.run(command, "--manifest", manifest, "--only", value, ...extra);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `Error: --only got an empty value (${JSON.stringify(value)}): it takes an apiName, repeated or comma-separated\n` +
        "Hint: give an apiName, e.g. --only webinarAttended, or leave --only out for every declared activity type; in a script, check that the variable it is set from is not empty\n",
    );
    expect(ws.emulator.requests.length).toBe(mark);
    expect(ws.emulator.state().activityTypes).toStrictEqual([]);
  });

  it("is an error for an empty item among apiNames too, and for --manifest and --stack", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const item = await ws.run("plan", "--manifest", manifest, "--only", "webinarAttended,,trialStarted");
    expect(item.code).toBe(1);
    expect(item.stderr).toMatch(/^Error: --only got an empty item \("webinarAttended,,trialStarted"\)/);
    const noManifest = await ws.run("apply", "--manifest", "", "--auto-approve");
    expect(noManifest.code).toBe(1);
    expect(noManifest.stderr).toMatch(
      /^Error: --manifest got an empty value \(""\): it takes a manifest file/,
    );
    const noStack = await ws.run("validate", "--stack", "");
    expect(noStack.code).toBe(1);
    expect(noStack.stderr).toMatch(/^Error: --stack got an empty value/);
    expect(noStack.stderr).toContain("Hint: give a cdktf stack name, e.g. --stack marketing");
  });
});

describe("a manifest given as apply's plan file", () => {
  it("says it is a manifest and that --manifest takes it, before any call", async () => {
    ws.manifest(THREE_TYPES);
    const mark = ws.emulator.requests.length;
    const result = await ws.run("apply", "marketo-activities.prod.json", "--auto-approve");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Error: marketo-activities.prod.json is a manifest (what `cdktf synth` writes for instance "prod"), not a saved plan: ' +
        "apply's argument is a plan saved with `marketo-activities plan --out <file>`, and a manifest is given with --manifest <file>; nothing was applied\n" +
        "Hint: apply the manifest with `marketo-activities apply --manifest marketo-activities.prod.json`, " +
        "or save a plan to review first with `marketo-activities plan --manifest marketo-activities.prod.json --out plan.json` " +
        "and apply it with `marketo-activities apply plan.json --manifest marketo-activities.prod.json`\n",
    );
    expect(ws.emulator.requests.length).toBe(mark);
  });

  it("still applies a saved plan, and still calls an old plan format an earlier version's", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    expect((await ws.run("plan", "--manifest", manifest, "--out", "plan.json")).code).toBe(0);
    const applied = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expect(applied.code, applied.stderr).toBe(0);
    const file = join(ws.dir, "plan.json");
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), formatVersion: 1 }));
    const old = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^Error: plan\.json is a plan of format 1, made by an earlier version/);
  });
});
