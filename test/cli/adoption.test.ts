import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { buildManifest, parseActivityType, serializeManifest } from "../../src/schema/index.js";
import { SOURCES_FILE_NAME, writeSourcesRecord } from "../../src/sources/index.js";
import { type CliRun, cli, startCommand, THREE_TYPES, workspace } from "../helpers/cli.js";
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
    ...emulator.env(),
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
      `Manifest ${MANIFEST}: synthesis time unknown (no ${SOURCES_FILE_NAME} next to it: synthesized by an older version, or copied out of its stack directory); not checked against the app's code\n`,
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
      const { MarketoClient } = await import("../../src/marketo/index.js");
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

describe("retries are visible on stderr as they happen", () => {
  /** Runs `main()` with a fake sleep that records the waits, and a fixed jitter (half the ceiling). */
  async function runWithFakeSleep(args: string[], cwd: string, runEnv: Record<string, string>) {
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    const run = await cli(args, { cwd, env: runEnv, clientSettings: { sleep, random: () => 0.5 } });
    return { ...run, waits };
  }

  it("shows each wait for a busy instance (606) with Marketo's text, the wait and the attempt, then succeeds", async () => {
    const ws = await workspace();
    try {
      const manifest = ws.manifest(THREE_TYPES);
      ws.emulator.addFault({ operation: "listCustomActivityTypes", times: 2, respond: { code: "606" } });
      const run = await runWithFakeSleep(["plan", "--manifest", manifest], ws.dir, ws.env);
      expect(run.code, run.stderr).toBe(0);
      const retries = run.stderr.split("\n").filter((l) => l.includes("Marketo is busy"));
      expect(retries).toStrictEqual([
        `instance "prod": Marketo is busy (606 Max rate limit '100' exceeded with in '20' secs): waiting 750 ms before retrying listCustomActivityTypes (attempt 2; giving up in 120 s)`,
        `instance "prod": Marketo is busy (606 Max rate limit '100' exceeded with in '20' secs): waiting 1.5 s before retrying listCustomActivityTypes (attempt 3; giving up in 120 s)`,
      ]);
      expect(run.waits).toStrictEqual([750, 1500]);
      expect(run.stderr).not.toContain(ws.emulator.clientSecret);
    } finally {
      await ws.close();
    }
  });

  it("shows each refused connection, then ends with a hint about the emulator and the BASE_URL variable", async () => {
    const ws = await workspace();
    const manifest = ws.manifest(THREE_TYPES);
    const url = ws.emulator.url;
    await ws.close(); // nothing listens there any more
    const run = await runWithFakeSleep(["plan", "--manifest", manifest], ws.dir, ws.env);
    expect(run.code).toBe(1);
    const host = new URL(url).host;
    const retries = run.stderr.split("\n").filter((l) => l.includes("retrying in"));
    expect(retries).toStrictEqual(
      ["250 ms", "500 ms", "1 s", "2 s", "4 s"].map(
        (wait, i) =>
          `instance "prod": authentication (identity): could not connect to ${host} (ECONNREFUSED) (attempt ${i + 1} of 6); retrying in ${wait}`,
      ),
    );
    expect(run.stderr).toContain(
      `Error: identity failed: could not connect to ${host} (ECONNREFUSED) (after 6 attempts)\n` +
        `Hint: nothing answers at ${url} on this machine. If it is the emulator, is it running? Start it with \`marketo-activities emulator\` and export what it prints; otherwise check MARKETO_BASE_URL\n`,
    );
    expect(run.stderr).not.toContain(ws.env.MARKETO_CLIENT_SECRET);
  });

  it("for a remote host, the hint names the BASE_URL variable and its value, not the emulator", async () => {
    const fetchRefused = async () => {
      throw Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      });
    };
    const ws = await workspace();
    try {
      const manifest = ws.manifest(THREE_TYPES);
      const env = { ...ws.env, MARKETO_BASE_URL: "https://123-ABC-456.mktorest.com" };
      let stderr = "";
      const code = await main(
        ["plan", "--manifest", manifest],
        {
          stdout: () => {},
          stderr: (text) => {
            stderr += text;
          },
          env,
          cwd: ws.dir,
          isTTY: false,
          prompt: async () => "no",
          waitForInterrupt: () => Promise.resolve(),
        },
        { clientSettings: { fetch: fetchRefused, sleep: async () => {}, random: () => 0 } },
      );
      expect(code).toBe(1);
      expect(stderr).toContain("(attempt 5 of 6); retrying in 0 ms");
      expect(stderr).toContain(
        "Hint: check that MARKETO_BASE_URL (https://123-abc-456.mktorest.com) is right and that this machine can reach it (network, proxy, firewall)\n",
      );
      expect(stderr).not.toContain("emulator");
    } finally {
      await ws.close();
    }
  });
});

describe("marketo-activities emulator in an app directory", () => {
  /** `export A=1 B=2` lines -> { A: "1", B: "2" }. */
  const exported = (printed: string) =>
    Object.fromEntries(
      printed
        .split("\n")
        .filter((l) => l.startsWith("export "))
        .flatMap((l) => l.slice("export ".length).split(" "))
        .map((pair) => pair.split("=") as [string, string]),
    );

  it("serves one emulator per envPrefix on its own port, prints the exports of each, and plan works against them", async () => {
    const { dir } = synthesizedApp([
      { id: "sandbox", envPrefix: "MARKETO_SANDBOX" },
      { id: "prod", envPrefix: "MARKETO_PROD" },
    ]);
    const command = startCommand(["emulator", "--port", "0"], dir);
    const printed = await command.listening;
    try {
      const vars = exported(printed);
      expect(Object.keys(vars).sort()).toStrictEqual([
        "MARKETO_PROD_BASE_URL",
        "MARKETO_PROD_CLIENT_ID",
        "MARKETO_PROD_CLIENT_SECRET",
        "MARKETO_SANDBOX_BASE_URL",
        "MARKETO_SANDBOX_CLIENT_ID",
        "MARKETO_SANDBOX_CLIENT_SECRET",
      ]);
      expect(vars["MARKETO_PROD_BASE_URL"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(vars["MARKETO_SANDBOX_BASE_URL"]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(vars["MARKETO_PROD_BASE_URL"]).not.toBe(vars["MARKETO_SANDBOX_BASE_URL"]);
      expect(printed).toContain(
        `Marketo emulator for "sandbox" (MARKETO_SANDBOX_*) listening on ${vars["MARKETO_SANDBOX_BASE_URL"]}`,
      );
      expect(printed).toContain(
        `Marketo emulator for "prod" (MARKETO_PROD_*) listening on ${vars["MARKETO_PROD_BASE_URL"]}`,
      );

      const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env: vars });
      expect(apply.code, apply.stderr).toBe(0);
      expect(apply.stdout).toContain('Apply complete for instance "sandbox"');
      expect(apply.stdout).toContain('Apply complete for instance "prod"');
    } finally {
      command.stop();
    }
    expect((await command.done).code).toBe(0);
  });

  it("with consecutive ports from --port, and --env-prefix serves only that prefix", async () => {
    const { dir } = synthesizedApp([
      { id: "sandbox", envPrefix: "MARKETO_SANDBOX" },
      { id: "prod", envPrefix: "MARKETO_PROD" },
    ]);
    const probe = await startEmulator();
    const base = Number(new URL(probe.url).port);
    await probe.close(); // a port that was free a moment ago, and most likely the next one too
    const command = startCommand(["emulator", "--port", String(base)], dir);
    const printed = await command.listening;
    command.stop();
    const result = await command.done;
    if (result.code !== 0) {
      expect(result.stderr).toContain("the port is in use");
    } else {
      const vars = exported(printed);
      // Stacks in dependency order, then manifests by file name: prod takes --port, sandbox the next one.
      const ports = [vars["MARKETO_PROD_BASE_URL"], vars["MARKETO_SANDBOX_BASE_URL"]].map((u) =>
        Number(new URL(u!).port),
      );
      expect(ports).toStrictEqual([base, base + 1]);
    }

    const only = startCommand(["emulator", "--port", "0", "--env-prefix", "MARKETO_PROD"], dir);
    const onlyPrinted = await only.listening;
    only.stop();
    await only.done;
    expect(Object.keys(exported(onlyPrinted)).sort()).toStrictEqual([
      "MARKETO_PROD_BASE_URL",
      "MARKETO_PROD_CLIENT_ID",
      "MARKETO_PROD_CLIENT_SECRET",
    ]);
  });

  it("with --data, keeps one state file per envPrefix, and the synth stays fresh", async () => {
    const { dir } = synthesizedApp([
      { id: "sandbox", envPrefix: "MARKETO_SANDBOX" },
      { id: "prod", envPrefix: "MARKETO_PROD" },
    ]);
    const command = startCommand(["emulator", "--port", "0", "--data", "emulator.json"], dir);
    const printed = await command.listening;
    try {
      expect(printed).toContain(`State is saved to ${join(dir, "emulator.marketo_prod.json")}.`);
      expect(printed).toContain(`State is saved to ${join(dir, "emulator.marketo_sandbox.json")}.`);
      expect(existsSync(join(dir, "emulator.marketo_prod.json"))).toBe(true);
      expect(existsSync(join(dir, "emulator.marketo_sandbox.json"))).toBe(true);
      // State files in the app directory are not the app's code: apply still finds the synth fresh.
      const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env: exported(printed) });
      expect(apply.code, apply.stderr).toBe(0);
    } finally {
      command.stop();
    }
    await command.done;
  });

  it("outside an app directory, serves MARKETO as before", async () => {
    const command = startCommand(["emulator", "--port", "0"], tempDir("no-app"));
    const printed = await command.listening;
    command.stop();
    expect((await command.done).code).toBe(0);
    expect(Object.keys(exported(printed)).sort()).toStrictEqual([
      "MARKETO_BASE_URL",
      "MARKETO_CLIENT_ID",
      "MARKETO_CLIENT_SECRET",
    ]);
    expect(printed).toContain("Marketo emulator listening on http://127.0.0.1:");
  });

  it("missing credentials name the prefix, the exact variables, and the emulator command that prints them", async () => {
    const { dir } = synthesizedApp([
      { id: "sandbox", envPrefix: "MARKETO_SANDBOX" },
      { id: "prod", envPrefix: "MARKETO_PROD" },
    ]);
    const one = await cli(["plan", "--stack", "marketing", "--only", "trialStarted"], {
      cwd: dir,
      env: {
        MARKETO_SANDBOX_BASE_URL: "http://127.0.0.1:1",
        MARKETO_SANDBOX_CLIENT_ID: "x",
        MARKETO_SANDBOX_CLIENT_SECRET: "y",
      },
    });
    expect(one.code).toBe(1);
    expect(one.stderr).toContain(
      "Error: Marketo connection settings for envPrefix MARKETO_PROD are missing: MARKETO_PROD_BASE_URL (or MARKETO_PROD_MUNCHKIN_ID), MARKETO_PROD_CLIENT_ID, MARKETO_PROD_CLIENT_SECRET are not set.",
    );
    expect(one.stderr).toContain(
      "Hint: export the variables above, or try it locally: `marketo-activities emulator` in the app directory (or `marketo-activities emulator --env-prefix MARKETO_PROD` anywhere) prints `export MARKETO_PROD_BASE_URL=... MARKETO_PROD_CLIENT_ID=... MARKETO_PROD_CLIENT_SECRET=...` for a local emulator\n",
    );
    expect(one.stderr).not.toContain("y\n");

    const both = await cli(["plan"], { cwd: dir, env: {} });
    expect(both.stderr).toContain("for envPrefix MARKETO_SANDBOX are missing");
    expect(both.stderr).toContain("for envPrefix MARKETO_PROD are missing");
    expect(both.stderr).toContain("starts an emulator for each of MARKETO_PROD, MARKETO_SANDBOX");
  });
});
