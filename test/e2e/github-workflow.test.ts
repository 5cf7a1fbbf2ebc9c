import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { writeApp } from "../helpers/app.js";
import { cli } from "../helpers/cli.js";
import { repoRoot, toolEnv } from "../helpers/tools.js";

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly env: Record<string, string>;
  readonly jobs: Record<
    string,
    { if?: string; steps: Step[]; concurrency?: { group: string }; permissions?: object }
  >;
}

const workflowPath = join(repoRoot, "examples", "github-actions", "marketo-activities.yml");
const source = readFileSync(workflowPath, "utf8");
const workflow = parse(source) as Workflow;

describe("the GitHub Actions workflow (examples/github-actions)", () => {
  it("parses, runs plan on pull requests, deploy on pushes and a scheduled drift check", () => {
    expect(Object.keys(workflow.on).sort()).toStrictEqual([
      "pull_request",
      "push",
      "schedule",
      "workflow_dispatch",
    ]);
    expect(Object.keys(workflow.jobs)).toStrictEqual(["plan", "deploy", "drift"]);
    expect(workflow.jobs["plan"]!.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs["deploy"]!.if).toBe("github.event_name == 'push'");
    expect(workflow.jobs["deploy"]!.concurrency?.group).toBe(workflow.jobs["drift"]!.concurrency?.group);
    expect(workflow.jobs["plan"]!.permissions).toStrictEqual({ contents: "read", "pull-requests": "write" });
  });

  it("pins every action to a commit SHA with its version in a comment", () => {
    const uses = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.flatMap((s) => (s.uses === undefined ? [] : [s.uses])),
    );
    expect(uses.length).toBeGreaterThan(5);
    for (const use of uses) {
      expect(use).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      expect(source).toMatch(new RegExp(`${use.replace(/[/.]/g, "\\$&")} # v\\d+\\.\\d+\\.\\d+`));
    }
  });

  it("takes credentials only from secrets, per instance env prefix", () => {
    const credentials = Object.entries(workflow.env).filter(([key]) =>
      /^MARKETO_.*_(BASE_URL|CLIENT_ID|CLIENT_SECRET)$/.test(key),
    );
    expect(credentials.length).toBe(6);
    for (const [key, value] of credentials) expect(value).toBe(`\${{ secrets.${key} }}`);
  });

  it("uses in run steps only commands that exist here or in the workflow's setup, with options they accept", async () => {
    const allowed = new Set(["npm", "npx", "set", "code=$?", "cat", "if", "fi", "then", "echo", "exit", "{"]);
    const runs = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.flatMap((s) => (s.run === undefined ? [] : [s.run])),
    );
    const commands = runs.flatMap((run) =>
      run
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean),
    );
    for (const command of commands) {
      const [first] = command.split(/\s+/);
      expect(allowed.has(first!), `unexpected command: ${command}`).toBe(true);
    }
    const npx = commands.filter((c) => c.startsWith("npx "));
    for (const command of npx) {
      // A bare `npx marketo-activities` would download whatever package has that name when ours is missing.
      const words = command.split(/\s+/);
      if (words[1] !== "cdktf") expect(words[1], command).toBe("--no-install");
      const [tool, subcommand, ...rest] = words.slice(words[1] === "--no-install" ? 2 : 1);
      expect(["cdktf", "marketo-activities"]).toContain(tool);
      if (tool === "cdktf") {
        expect(["synth", "deploy"]).toContain(subcommand);
        continue;
      }
      const help = await cli([subcommand!, "--help"], { cwd: repoRoot });
      expect(help.code).toBe(0);
      for (const flag of rest.filter((t) => t.startsWith("--")))
        expect(help.stdout, `${subcommand} ${flag}`).toContain(flag);
    }
    expect(npx.some((c) => c.startsWith("npx cdktf deploy '*' --auto-approve"))).toBe(true);
    expect(npx.some((c) => c.includes("plan --format markdown --detailed-exitcode"))).toBe(true);
  });
});

/** Runs the pull-request job's `run:` steps in `dir` (install excluded: the repository is installed). */
async function runPlanJob(dir: string, env: NodeJS.ProcessEnv, comments: FakeComments) {
  const outcomes: { name: string; code: number | null }[] = [];
  for (const step of workflow.jobs["plan"]!.steps) {
    if (step.id === "install") continue;
    if (step.uses?.startsWith("actions/github-script@")) {
      await comments.run(String(step.with?.["script"]), dir);
      continue;
    }
    if (step.run === undefined) continue; // checkout, setup-node, upload-artifact
    const code = await new Promise<number | null>((done) => {
      const child = spawn("bash", ["-e", "-c", step.run!], { cwd: dir, env, stdio: "ignore" });
      child.on("close", done);
    });
    outcomes.push({ name: step.name ?? step.run, code });
  }
  return outcomes;
}

/** Stands in for GitHub's API in the comment step: records comments, as GitHub keeps them. */
class FakeComments {
  public readonly comments: { id: number; body: string; user: { type: string } }[] = [];
  public readonly calls: string[] = [];

  async run(script: string, dir: string) {
    const github = {
      paginate: async (fn: (args: object) => Promise<{ data: unknown[] }>, args: object) =>
        (await fn(args)).data,
      rest: {
        issues: {
          listComments: async () => {
            this.calls.push("listComments");
            return { data: this.comments };
          },
          createComment: async ({ body }: { body: string }) => {
            this.calls.push("createComment");
            this.comments.push({ id: this.comments.length + 1, body, user: { type: "Bot" } });
          },
          updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
            this.calls.push("updateComment");
            this.comments.find((c) => c.id === comment_id)!.body = body;
          },
        },
      },
    };
    const context = { repo: { owner: "acme", repo: "marketing" }, payload: { pull_request: { number: 7 } } };
    // The script reads plan.md relative to the job's working directory.
    const requireInDir = (name: string) =>
      name === "fs"
        ? { ...fs, readFileSync: (p: string, e: BufferEncoding) => fs.readFileSync(resolve(dir, p), e) }
        : undefined;
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    await new AsyncFunction("require", "github", "context", script)(requireInDir, github, context);
  }
}

describe("the pull-request job, run against two emulated instances", () => {
  let sandbox: Emulator;
  let production: Emulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const comments = new FakeComments();
  const typesFile = () => join(dir, "activity-types.ts");

  beforeAll(async () => {
    sandbox = await startEmulator();
    production = await startEmulator();
    dir = writeApp("workflow", readFileSync(join(repoRoot, "examples", "multi-instance", "main.ts"), "utf8"));
    copyFileSync(join(repoRoot, "examples", "multi-instance", "activity-types.ts"), typesFile());
    env = toolEnv({
      ...sandbox.env("MARKETO_SANDBOX"),
      ...production.env("MARKETO_PROD"),
    });
    // The main branch, already deployed to both instances.
    const synth = await runPlanJob(dir, env, new FakeComments());
    expect(synth.find((s) => s.name === "Synthesize")?.code).toBe(0);
    const apply = await cli(["apply", "--auto-approve"], { cwd: dir, env: env as Record<string, string> });
    expect(apply.code, apply.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await sandbox?.close();
    await production?.close();
    if (dir !== undefined && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it("comments a safe change for both instances and passes the check", async () => {
    // GIVEN a branch that adds an attribute to the webinar type
    writeFileSync(
      typesFile(),
      readFileSync(typesFile(), "utf8").replace(
        '{ apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },',
        '{ apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },\n    { apiName: "host", name: "Host", dataType: "string" },',
      ),
    );
    // WHEN the pull-request job runs
    const outcomes = await runPlanJob(dir, env, comments);
    // THEN the check passes and one comment shows the change in each instance
    expect(outcomes.map((o) => o.code)).toStrictEqual([0, 0, 0]);
    expect(comments.calls).toStrictEqual(["listComments", "createComment"]);
    const body = comments.comments[0]!.body;
    expect(
      body.startsWith("<!-- marketo-activities-plan -->\n### Marketo activity types: Plan: 2 to update."),
    ).toBe(true);
    expect(body).toContain("#### Instance `sandbox`");
    expect(body).toContain("#### Instance `production`");
    expect(body).toContain("| `attributes.host` | _(none)_ | `Host (string)` |  |");
    expect(body).not.toContain("Needs attention");
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).plans).toHaveLength(2);
  }, 120_000);

  it("updates the same comment for a destructive change and fails the check", async () => {
    // GIVEN a new push that also removes an attribute, without allowDestructiveChanges
    writeFileSync(
      typesFile(),
      readFileSync(typesFile(), "utf8").replace(
        '{ apiName: "seats", name: "Seats", dataType: "integer" },\n',
        "",
      ),
    );
    const outcomes = await runPlanJob(dir, env, comments);
    // THEN the plan step records the refusal, the comment is updated, and the last step fails
    expect(readFileSync(join(dir, "plan.exitcode"), "utf8").trim()).toBe("1");
    expect(outcomes.at(-1)).toStrictEqual({ name: "Fail on changes apply would refuse", code: 1 });
    expect(comments.calls).toStrictEqual(["listComments", "createComment", "listComments", "updateComment"]);
    expect(comments.comments).toHaveLength(1);
    const body = comments.comments[0]!.body;
    expect(body).toContain("**Needs attention**");
    expect(body).toContain(
      "🛑 **sandbox / trialStarted**: destructive change (`attributes.seats`) not allowed. Apply will refuse. If it is intended, set `allowDestructiveChanges: true` on the type in this pull request.",
    );
    expect(body.indexOf("Needs attention")).toBeLessThan(body.indexOf("| Type | Action | Risk | Changes |"));
    // Nothing was written to either instance by the pull-request job.
    for (const emulator of [sandbox, production]) {
      expect(
        emulator.requests
          .filter(
            (r) =>
              !["identity", "listCustomActivityTypes", "describeCustomActivityType"].includes(r.operation),
          )
          .every((r) => r.operation.startsWith("create") || r.operation.startsWith("approve")),
      ).toBe(true);
    }
  }, 120_000);
});
