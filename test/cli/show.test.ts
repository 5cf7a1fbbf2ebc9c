/**
 * `marketo-activities show <plan.json>`: a saved plan rendered as plan renders it, with no credential
 * set and no call to Marketo.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { buildManifest, parseActivityType, serializeManifest } from "../../src/schema/index.js";
import { cli, THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

/** `show` with no Marketo variable at all in the environment, and a fetch that fails the test if called. */
const show = (...args: string[]) =>
  cli(["show", ...args], {
    cwd: ws.dir,
    env: {},
    clientSettings: {
      fetch: () => {
        throw new Error("show made a call");
      },
    },
  });

describe("marketo-activities show", () => {
  it("renders a saved plan as plan does, in text, markdown and json, with no credential set and no call", async () => {
    // GIVEN a deployed instance and a change planned and saved
    const manifest = ws.manifest(THREE_TYPES);
    expect((await ws.run("apply", "--manifest", manifest, "--auto-approve")).code).toBe(0);
    const changed = ws.manifest([
      { ...THREE_TYPES[0]!, description: "Watched a webinar, live or recorded" },
      ...THREE_TYPES.slice(1),
    ]);
    const planned = {
      text: await ws.run("plan", "--manifest", changed, "--out", "plan.json"),
      markdown: await ws.run("plan", "--manifest", changed, "--format", "markdown"),
    };
    const requests = ws.emulator.requests.length;

    // WHEN it is shown in each format, without credentials
    const text = await show("plan.json");
    const markdown = await show("plan.json", "--format", "markdown");
    const json = await show("plan.json", "--format", "json");

    // THEN each is what plan printed, stderr is empty, and Marketo got no call
    expect([text.code, markdown.code, json.code]).toStrictEqual([0, 0, 0]);
    expect(text.stdout).toBe(planned.text.stdout);
    expect(text.stdout).toContain('"Watched a webinar" -> "Watched a webinar, live or recorded"');
    expect(markdown.stdout).toBe(planned.markdown.stdout);
    expect(json.stdout).toBe(readFileSync(join(ws.dir, "plan.json"), "utf8"));
    expect([text.stderr, markdown.stderr, json.stderr]).toStrictEqual(["", "", ""]);
    expect(ws.emulator.requests.length).toBe(requests);
  });

  it("renders a plan of several instances, each under its own heading", async () => {
    const production = await startEmulator();
    try {
      const env = { ...ws.emulator.env("MARKETO_SANDBOX"), ...production.env("MARKETO_PROD") };
      const manifests = writeInstances(ws.dir);
      const planned = await cli(
        ["plan", ...manifests.flatMap((m) => ["--manifest", m]), "--out", "plan.json"],
        {
          cwd: ws.dir,
          env,
        },
      );
      expect(planned.code, planned.stderr).toBe(0);
      const markdown = await show("plan.json", "--format", "markdown");
      expect(markdown.code).toBe(0);
      expect(markdown.stdout).toContain("### Marketo activity types: Plan: 2 to create.");
      expect(markdown.stdout.indexOf("#### Instance `sandbox`")).toBeLessThan(
        markdown.stdout.indexOf("#### Instance `production`"),
      );
    } finally {
      await production.close();
    }
  });

  it("fails when the file is not a saved plan, saying what it is and what to do", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    writeFileSync(join(ws.dir, "old.json"), JSON.stringify({ formatVersion: 1, types: [] }));
    writeFileSync(join(ws.dir, "broken.json"), "{");
    const cases = {
      missing: await show("nope.json"),
      manifest: await show(manifest),
      old: await show("old.json"),
      broken: await show("broken.json"),
    };
    for (const result of Object.values(cases)) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
    }
    expect(cases.missing.stderr).toContain("Error: cannot read plan file nope.json");
    expect(cases.manifest.stderr).toContain("is a manifest (what `cdktf synth` writes");
    expect(cases.old.stderr).toContain("is a plan of format 1, made by an earlier version");
    expect(cases.broken.stderr).toContain("Error: broken.json is not valid JSON");
  });

  it("needs a plan file", async () => {
    const result = await show();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("missing required argument 'plan-file'");
  });
});

/** Manifests of two instances, sandbox and production, with the webinar type each. */
function writeInstances(dir: string): string[] {
  return [
    ["sandbox", "MARKETO_SANDBOX"],
    ["production", "MARKETO_PROD"],
  ].map(([id, envPrefix]) => {
    const path = join(dir, `marketo-activities.${id}.json`);
    const manifest = buildManifest({
      instance: { id: id!, envPrefix: envPrefix!, maxActivityTypes: 10, approve: true },
      types: [parseActivityType(THREE_TYPES[0]!)],
      retired: [],
    });
    writeFileSync(path, serializeManifest(manifest));
    return path;
  });
}
