import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { buildManifest, parseActivityType, serializeManifest } from "../../src/schema/index.js";
import { SOURCES_FILE_NAME, writeSourcesRecord } from "../../src/sources/index.js";
import { type CliRun, cli, THREE_TYPES, workspace } from "../helpers/cli.js";
import { tempDir } from "../helpers/tools.js";

const SYNTHESIZED = new Date("2026-12-01T14:20:05Z");
const MANIFEST = "cdktf.out/stacks/marketing/marketo-activities.prod.json";

/**
 * A cdktf app directory as `cdktf synth` leaves it: main.ts, cdktf.json, cdktf.out/manifest.json and
 * stack "marketing" with one manifest per instance and the sources record.
 */
function synthesizedApp(
  instances: { id: string; envPrefix: string }[] = [{ id: "prod", envPrefix: "MARKETO" }],
) {
  const dir = tempDir("adoption");
  writeFileSync(join(dir, "main.ts"), "// the app\nnew MarketoInstance(stack, 'prod');\n");
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "activities.ts"), "export const types = [];\n");
  writeFileSync(
    join(dir, "cdktf.json"),
    `${JSON.stringify({ language: "typescript", app: "npx tsx main.ts" })}\n`,
  );
  const stackDir = join(dir, "cdktf.out", "stacks", "marketing");
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(
    join(dir, "cdktf.out", "manifest.json"),
    JSON.stringify({ stacks: { marketing: { workingDirectory: "stacks/marketing" } } }),
  );
  for (const instance of instances) {
    const manifest = buildManifest({
      instance: { ...instance, maxActivityTypes: 10, approve: true },
      types: THREE_TYPES.map((t) => parseActivityType(t)),
      retired: [],
    });
    writeFileSync(join(stackDir, `marketo-activities.${instance.id}.json`), serializeManifest(manifest));
  }
  writeSourcesRecord(stackDir, dir, SYNTHESIZED);
  return { dir, stackDir };
}

let emulator: Emulator;
let env: Record<string, string>;
beforeEach(async () => {
  emulator = await startEmulator();
  env = {
    MARKETO_BASE_URL: emulator.url,
    MARKETO_CLIENT_ID: emulator.clientId,
    MARKETO_CLIENT_SECRET: emulator.clientSecret,
  };
});
afterEach(async () => {
  await emulator.close();
});

const expectNoStackTrace = (run: CliRun) => expect(run.stderr).not.toMatch(/\n\s+at /);

describe("plan and apply never silently use a stale synth", () => {
  it("says when each manifest was synthesized, and warns of nothing when the code is unchanged", async () => {
    const { dir } = synthesizedApp();
    const plan = await cli(["plan"], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toBe(`Manifest ${MANIFEST}, synthesized 2026-12-01 14:20 UTC\n`);
    expect(plan.stdout).toContain("Plan: 3 to create.");
  });

  it("plan warns, naming the changed, added and removed files and the fix, in text, markdown and json", async () => {
    const { dir } = synthesizedApp();
    writeFileSync(join(dir, "main.ts"), "// the app, edited after synth\n");
    writeFileSync(join(dir, "src", "retired.ts"), "export {};\n");
    rmSync(join(dir, "src", "activities.ts"));

    const text = await cli(["plan"], { cwd: dir, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).toBe(
      `Manifest ${MANIFEST}, synthesized 2026-12-01 14:20 UTC\n` +
        `Warning: the app's code changed after ${MANIFEST} was synthesized (2026-12-01 14:20 UTC): changed: main.ts; added: src/retired.ts; removed: src/activities.ts.\n` +
        "  The plan below is the code as it was then, not as it is now. To fix: run `npx cdktf synth` (or `cdktf deploy`, which synthesizes) and plan again.\n",
    );

    const markdown = await cli(["plan", "--format", "markdown"], { cwd: dir, env });
    expect(markdown.stdout.startsWith("> [!WARNING]\n> **Stale synth:**")).toBe(true);
    expect(markdown.stdout).toContain(
      "changed: `main.ts`; added: `src/retired.ts`; removed: `src/activities.ts`",
    );
    expect(markdown.stdout).toContain("To fix: run `npx cdktf synth`");
    expect(markdown.stdout).toContain("### Marketo activity types: Plan: 3 to create.");

    const json = await cli(["plan", "--format", "json"], { cwd: dir, env });
    expect(JSON.parse(json.stdout).types).toHaveLength(3);
    expect(json.stderr).toContain("Warning: the app's code changed after");
  });

  it("names at most five files, then how many more", async () => {
    const { dir } = synthesizedApp();
    for (let i = 0; i < 7; i++) writeFileSync(join(dir, "src", `t${i}.ts`), "export {};\n");
    const plan = await cli(["plan"], { cwd: dir, env });
    expect(plan.stderr).toContain(
      "added: src/t0.ts, src/t1.ts, src/t2.ts, src/t3.ts, src/t4.ts (and 2 more).",
    );
  });

  it("apply refuses a stale synth before any call, with the fix", async () => {
    const { dir } = synthesizedApp();
    writeFileSync(join(dir, "main.ts"), "// edited\n");
    const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toBe(
      `Error: the app's code changed after ${MANIFEST} was synthesized (2026-12-01 14:20 UTC): changed: main.ts; apply would write the code as it was then. Nothing was applied\n` +
        "Hint: run `npx cdktf synth` (or `cdktf deploy`, which synthesizes) and apply again\n",
    );
    expect(emulator.requests).toStrictEqual([]);
  });

  it("apply inside a provisioner only warns: cdktf deploy synthesized just before", async () => {
    const { dir, stackDir } = synthesizedApp();
    writeFileSync(join(dir, "main.ts"), "// edited\n");
    // As the provisioner runs it: from the stack directory, with --manifest and --only.
    const apply = await cli(
      ["apply", "--manifest", "marketo-activities.prod.json", "--only", "trialStarted", "--auto-approve"],
      { cwd: stackDir, env: { ...env, MARKETO_ACTIVITIES_PROVISIONER: "1" } },
    );
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toContain(
      "Warning: the app's code changed after marketo-activities.prod.json was synthesized (2026-12-01 14:20 UTC): changed: main.ts.",
    );
    expect(emulator.state().activityTypes.map((t) => t.apiName)).toStrictEqual(["trialStarted"]);
  });

  it("apply goes ahead when the synth is fresh", async () => {
    const { dir } = synthesizedApp();
    const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).not.toContain("Warning");
    expect(emulator.state().activityTypes).toHaveLength(3);
  });

  it("plan works without a sources file and says the synthesis time is unknown", async () => {
    const { dir, stackDir } = synthesizedApp();
    rmSync(join(stackDir, SOURCES_FILE_NAME));
    writeFileSync(join(dir, "main.ts"), "// edited\n");
    const plan = await cli(["plan"], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toBe(
      `Manifest ${MANIFEST}: synthesis time unknown, not checked against the app's code (no ${SOURCES_FILE_NAME} next to the manifest (synthesized by an older version, or the manifest is not in the stack directory cdktf wrote))\n`,
    );
    const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(apply.code, apply.stderr).toBe(0);
    expectNoStackTrace(apply);
  });
});

describe("refusals fit where they appear: a terminal or a cdktf provisioner", () => {
  const PROVISIONER = { MARKETO_ACTIVITIES_PROVISIONER: "1" };
  /** A flag such as --allow-destructive anywhere in the output. */
  const FLAG = /(^|[\s`(])--[a-z]/m;

  async function deployed() {
    const ws = await workspace();
    const manifest = ws.manifest(THREE_TYPES);
    expect((await ws.run("apply", "--manifest", manifest, "--auto-approve")).code).toBe(0);
    return ws;
  }
  const withoutAttendedLive = () => [
    { ...THREE_TYPES[0]!, attributes: [THREE_TYPES[0]!.attributes![0]!] },
    ...THREE_TYPES.slice(1),
  ];

  it("a destructive change: in a provisioner, names allowDestructiveChanges and no flag; on a terminal, offers the flag", async () => {
    const ws = await deployed();
    try {
      const manifest = ws.manifest(withoutAttendedLive());
      const inProvisioner = await cli(["apply", "--manifest", manifest, "--auto-approve"], {
        cwd: ws.dir,
        env: { ...ws.env, ...PROVISIONER },
      });
      expect(inProvisioner.code).toBe(1);
      expect(inProvisioner.stderr).toContain(
        "webinarAttended: destructive changes (attributes.attendedLive) are not allowed; set allowDestructiveChanges: true on the type (reviewed in the pull request), then deploy again",
      );
      expect(inProvisioner.stdout).toContain(
        "! destructive changes are not allowed: set allowDestructiveChanges: true on the type (reviewed in the pull request), then deploy again",
      );
      expect(inProvisioner.stdout + inProvisioner.stderr).not.toMatch(FLAG);

      const onTerminal = await ws.run("apply", "--manifest", manifest, "--auto-approve");
      expect(onTerminal.code).toBe(1);
      expect(onTerminal.stderr).toContain("allowDestructiveChanges: true");
      expect(onTerminal.stderr).toContain("or pass --allow-destructive");
    } finally {
      await ws.close();
    }
  });

  it("a foreign draft: in a provisioner, says to resolve it in Marketo Admin or outside Terraform", async () => {
    const ws = await deployed();
    try {
      const manifest = ws.manifest(THREE_TYPES);
      const { MarketoClient } = await import("../../src/marketo/client.js");
      await new MarketoClient({
        baseUrl: ws.emulator.url,
        clientId: ws.emulator.clientId,
        clientSecret: ws.emulator.clientSecret,
      }).updateCustomActivityType("webinarAttended", { name: "Webinar Attended Edited In Admin" });

      const inProvisioner = await cli(["apply", "--manifest", manifest, "--auto-approve"], {
        cwd: ws.dir,
        env: { ...ws.env, ...PROVISIONER },
      });
      expect(inProvisioner.code).toBe(1);
      const remedy =
        "Fold their change into the code, or approve or discard the draft in Marketo Admin, or run `marketo-activities apply --discard-foreign-drafts` outside Terraform; then deploy again";
      expect(inProvisioner.stderr).toContain(`(name = "Webinar Attended Edited In Admin")`);
      expect(inProvisioner.stderr).toContain(remedy);
      expect(inProvisioner.stdout).toContain(remedy);
      // The only flag named is in the command to run outside Terraform.
      expect((inProvisioner.stdout + inProvisioner.stderr).replaceAll(remedy, "")).not.toMatch(FLAG);

      const onTerminal = await ws.run("apply", "--manifest", manifest, "--auto-approve");
      expect(onTerminal.stderr).toContain("or discard the draft with --discard-foreign-drafts");

      const markdown = await cli(["plan", "--manifest", manifest, "--format", "markdown"], {
        cwd: ws.dir,
        env: { ...ws.env, ...PROVISIONER },
      });
      expect(markdown.stdout).toContain(`${remedy}. Apply will refuse until then.`);
    } finally {
      await ws.close();
    }
  });

  it("confirmation: in a provisioner, the hint is about the synthesized command, not a flag to add", async () => {
    const ws = await workspace();
    try {
      const manifest = ws.manifest(THREE_TYPES);
      const run = await cli(["apply", "--manifest", manifest], {
        cwd: ws.dir,
        env: { ...ws.env, ...PROVISIONER },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        "Hint: this provisioner's command asks for a confirmation a provisioner cannot give (it was synthesized by another version): synthesize again",
      );
      expect(run.stdout + run.stderr).not.toMatch(FLAG);
      const terminal = await ws.run("apply", "--manifest", manifest);
      expect(terminal.stderr).toContain("Hint: review the plan above, then run again with --auto-approve");
    } finally {
      await ws.close();
    }
  });
});
