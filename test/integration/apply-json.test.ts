/**
 * `apply --format json`: one JSON document on stdout (docs/apply-result.md), checked against the
 * JSON Schema the package ships, for each way an apply ends; progress stays on stderr.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PUBLISHED_SCHEMAS } from "../../src/cli/commands/schema.js";
import type { ApplyResultDocument } from "../../src/cli/report.js";
import { startEmulator } from "../../src/emulator/index.js";
import { buildManifest, parseActivityType, serializeManifest } from "../../src/schema/index.js";
import { type CliRun, cli, THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

const validate: ValidateFunction = new Ajv2020({
  allErrors: true,
  strict: true,
  formats: { date: true, "date-time": true },
}).compile(PUBLISHED_SCHEMAS["apply-result"]());

/** The run's stdout as one apply result, checked against the published schema and the exit code. */
function result(run: CliRun): ApplyResultDocument {
  const document: unknown = JSON.parse(run.stdout);
  expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
  const parsed = document as ApplyResultDocument;
  expect(parsed.exitCode).toBe(run.code);
  return parsed;
}

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

const applyJson = (...args: string[]) => ws.run("apply", ...args, "--format", "json", "--auto-approve");
const webinar = THREE_TYPES[0]!;

describe("apply --format json", () => {
  it("writes one document for an apply that succeeds: per type the action, outcome, steps and calls; totals; exit 0", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const run = await applyJson("--manifest", manifest);
    expect(run.code, run.stderr).toBe(0);
    const document = result(run);
    expect(document).toMatchObject({
      formatVersion: 1,
      outcome: "applied",
      exitCode: 0,
      meaning: "every change was applied: the instances are as the code declares",
    });
    const [instance] = document.results;
    expect(instance?.outcome).toBe("applied");
    expect(instance?.types.map((t) => [t.apiName, t.action, t.outcome, t.steps, t.stepsDone])).toStrictEqual([
      ["checkDeposited", "create", "applied", 3, 3],
      ["trialStarted", "create", "applied", 2, 2],
      ["webinarAttended", "create", "applied", 3, 3],
    ]);
    // Every call apply made is a type's, and each type made at least its steps.
    expect(instance!.types.reduce((n, t) => n + t.calls, 0)).toBe(instance!.calls);
    for (const type of instance!.types) expect(type.calls).toBeGreaterThanOrEqual(type.steps);
    expect(document.totals).toStrictEqual({
      calls: document.totals.readCalls + instance!.calls,
      readCalls: 4,
      types: { applied: 3, unchanged: 0, failed: 0, notStarted: 0 },
    });
    // The plans as the plan file holds them, and progress on stderr only.
    expect(document.plans).toHaveLength(1);
    expect(document.plans[0]).toMatchObject({ formatVersion: 2, instance: { id: "prod" } });
    expect(run.stderr).toContain("  webinarAttended: creating (3 calls)...\n");
    expect(run.stderr).toMatch(/API calls used: \d+ \(4 to read\)\.\n$/);
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("}");
  });

  it("holds exactly the saved plan it applied, as the plan file holds it", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    expect((await ws.run("plan", "--manifest", manifest, "--out", "plan.json")).code).toBe(0);
    const run = await applyJson("plan.json", "--manifest", manifest);
    expect(run.code, run.stderr).toBe(0);
    const saved: unknown = JSON.parse(readFileSync(join(ws.dir, "plan.json"), "utf8"));
    expect(result(run).plans).toStrictEqual([saved]);
  });

  it("says nothing to apply, exit 0, when the instance is as declared", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    expect((await applyJson("--manifest", manifest)).code).toBe(0);
    const run = await applyJson("--manifest", manifest);
    const document = result(run);
    expect(document).toMatchObject({ outcome: "nothingToApply", exitCode: 0, results: [] });
    expect(document.totals.calls).toBe(document.totals.readCalls);
    expect(run.stderr).toContain("Nothing to apply. API calls used: 4.\n");
  });

  it("fails with the failed type's error, steps done and calls, and exit 1, when a type fails", async () => {
    const manifest = ws.manifest([webinar]);
    ws.emulator.addFault({ operation: "approveCustomActivityType", times: 10, respond: { code: "603" } });
    const run = await applyJson("--manifest", manifest);
    expect(run.code).toBe(1);
    const document = result(run);
    expect(document).toMatchObject({ outcome: "failed", exitCode: 1 });
    const [type] = document.results[0]!.types;
    expect(type).toMatchObject({
      apiName: "webinarAttended",
      action: "create",
      outcome: "failed",
      steps: 3,
      stepsDone: 2,
      error: { code: "MarketoApi", retryable: false, message: expect.stringContaining("603") },
    });
    expect(type!.calls).toBeGreaterThanOrEqual(3);
    expect(document.totals.types).toStrictEqual({ applied: 0, unchanged: 0, failed: 1, notStarted: 0 });
    expect(run.stderr).toContain('Apply stopped for instance "prod"');
  });

  it("lists the instances an earlier failure stopped as not started", async () => {
    const production = await startEmulator();
    try {
      const manifests = ["sandbox", "production"].map((id) => {
        const path = join(ws.dir, `marketo-activities.${id}.json`);
        const envPrefix = id === "sandbox" ? "MARKETO_SANDBOX" : "MARKETO_PROD";
        const manifest = buildManifest({
          instance: { id, envPrefix, maxActivityTypes: 10, approve: true },
          types: [parseActivityType(webinar)],
          retired: [],
        });
        writeFileSync(path, serializeManifest(manifest));
        return path;
      });
      ws.emulator.addFault({ operation: "createCustomActivityType", times: 10, respond: { code: "603" } });
      const run = await cli(
        ["apply", ...manifests.flatMap((m) => ["--manifest", m]), "--format", "json", "--auto-approve"],
        { cwd: ws.dir, env: { ...ws.emulator.env("MARKETO_SANDBOX"), ...production.env("MARKETO_PROD") } },
      );
      const document = result(run);
      expect(document.outcome).toBe("failed");
      expect(document.results.map((r) => [r.instance, r.outcome])).toStrictEqual([
        ["sandbox", "failed"],
        ["production", "not started"],
      ]);
      expect(document.results[1]!.types).toStrictEqual([
        {
          apiName: "webinarAttended",
          action: "create",
          outcome: "not started",
          steps: 3,
          stepsDone: 0,
          calls: 0,
        },
      ]);
      expect(document.totals.types).toStrictEqual({ applied: 0, unchanged: 0, failed: 1, notStarted: 1 });
    } finally {
      await production.close();
    }
  });

  it("says refused, with the reasons and the plans, and no result, when apply refuses the plan", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    expect((await applyJson("--manifest", manifest)).code).toBe(0);
    const run = await applyJson(
      "--manifest",
      ws.manifest([{ ...webinar, attributes: [] }, ...THREE_TYPES.slice(1)]),
    );
    expect(run.code).toBe(1);
    const document = result(run);
    expect(document).toMatchObject({
      outcome: "refused",
      exitCode: 1,
      meaning: "apply refused the plan before any write (see error): nothing was written",
      results: [],
      error: { code: "ApplyRefused", message: expect.stringContaining("destructive changes") },
    });
    expect(document.plans).toHaveLength(1);
    expect(run.stderr).toContain('Error: apply refused for instance "prod"');
  });

  it("says refused for a saved plan the code no longer makes, before any call", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    expect((await ws.run("plan", "--manifest", manifest, "--out", "plan.json")).code).toBe(0);
    const changed = ws.manifest([{ ...webinar, name: "Webinar Joined" }, ...THREE_TYPES.slice(1)]);
    const mark = ws.emulator.requests.length;
    const document = result(await applyJson("plan.json", "--manifest", changed));
    expect(document).toMatchObject({ outcome: "refused", plans: [], error: { code: "PlanNotFromCode" } });
    expect(ws.emulator.requests.length).toBe(mark);
  });

  it("says error, with the error, when apply stops before planning (no credentials)", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const run = await cli(["apply", "--manifest", manifest, "--format", "json", "--auto-approve"], {
      cwd: ws.dir,
      env: {},
    });
    const document = result(run);
    expect(document).toMatchObject({
      outcome: "error",
      exitCode: 1,
      plans: [],
      results: [],
      totals: { calls: 0, readCalls: 0 },
      error: { code: "MissingCredentials", hint: expect.any(String) },
    });
    expect(run.stderr).toContain("Error: ");
  });

  it("writes nothing to stdout in text and markdown beyond what they always printed", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const markdown = await ws.run("apply", "--manifest", manifest, "--format", "markdown", "--auto-approve");
    expect(markdown.code).toBe(0);
    expect(markdown.stdout.startsWith("### Marketo activity types: Plan: 3 to create.")).toBe(true);
    expect(markdown.stdout).not.toContain('"formatVersion": 1');
    expect(markdown.stderr).toContain('Apply complete for instance "prod"');
  });
});
