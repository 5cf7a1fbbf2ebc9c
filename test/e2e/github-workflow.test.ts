import { spawn } from "node:child_process";
import * as fs from "node:fs";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
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
  readonly env?: Record<string, string>;
  readonly "working-directory"?: string;
}
interface Job {
  readonly name?: string;
  readonly if?: string;
  readonly steps: Step[];
  readonly env?: Record<string, string>;
  readonly concurrency?: { group: string };
  readonly permissions?: object;
}
interface Workflow {
  readonly name: string;
  readonly on: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly permissions?: object;
  readonly jobs: Record<string, Job>;
}

const examples = join(repoRoot, "examples", "github-actions");
const load = (file: string) => {
  const source = readFileSync(join(examples, file), "utf8");
  return { source, workflow: parse(source) as Workflow };
};
/** Synthesizes pull requests (no secrets), deploys on push, checks drift. */
const main = load("marketo-activities.yml");
/** Plans a synthesized pull request with the secrets (workflow_run), comments and sets its status. */
const planFlow = load("marketo-activities-plan.yml");
const workflows = [main, planFlow];

const CREDENTIAL = /^MARKETO_.*_(BASE_URL|CLIENT_ID|CLIENT_SECRET)$/;
const credentialsIn = (env: Record<string, string> | undefined) =>
  Object.entries(env ?? {}).filter(([key]) => CREDENTIAL.test(key));

describe("the GitHub Actions workflows (examples/github-actions)", () => {
  it("synthesize pull requests without secrets, plan them in a workflow_run job, deploy on pushes and check drift on a schedule", () => {
    const { workflow } = main;
    expect(Object.keys(workflow.on).sort()).toStrictEqual([
      "pull_request",
      "push",
      "schedule",
      "workflow_dispatch",
    ]);
    expect(Object.keys(workflow.jobs)).toStrictEqual(["synth", "deploy", "drift"]);
    expect(workflow.jobs["synth"]!.if).toBe("github.event_name == 'pull_request'");
    expect(workflow.jobs["synth"]!.permissions).toStrictEqual({ contents: "read" });
    expect(workflow.jobs["deploy"]!.if).toBe("github.event_name == 'push'");
    expect(workflow.jobs["deploy"]!.concurrency?.group).toBe(workflow.jobs["drift"]!.concurrency?.group);

    const plan = planFlow.workflow;
    expect(plan.on).toStrictEqual({ workflow_run: { workflows: [workflow.name], types: ["completed"] } });
    expect(plan.permissions).toStrictEqual({});
    expect(Object.keys(plan.jobs)).toStrictEqual(["plan"]);
    expect(plan.jobs["plan"]!.if).toBe(
      "github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion == 'success'",
    );
    expect(plan.jobs["plan"]!.permissions).toStrictEqual({
      actions: "read",
      contents: "read",
      "pull-requests": "write",
      statuses: "write",
    });
  });

  it("pin every action to a commit SHA with its version in a comment", () => {
    for (const { workflow, source } of workflows) {
      const uses = Object.values(workflow.jobs).flatMap((job) =>
        job.steps.flatMap((s) => (s.uses === undefined ? [] : [s.uses])),
      );
      expect(uses.length).toBeGreaterThan(4);
      for (const use of uses) {
        expect(use).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
        expect(source).toMatch(new RegExp(`${use.replace(/[/.]/g, "\\$&")} # v\\d+\\.\\d+\\.\\d+`));
      }
    }
  });

  it("take credentials only from secrets, per instance env prefix, and only where no pull request's code runs", () => {
    // Never for the whole workflow, never for the job that runs the pull request's code.
    expect(credentialsIn(main.workflow.env)).toStrictEqual([]);
    expect(JSON.stringify(main.workflow.jobs["synth"])).not.toContain("secrets.");
    const deployed = [main.workflow.jobs["deploy"]!.env, main.workflow.jobs["drift"]!.env];
    // In the plan workflow, for the one step that reads the instances.
    const plan = planFlow.workflow.jobs["plan"]!;
    const withSecrets = plan.steps.filter((s) => JSON.stringify(s).includes("secrets."));
    expect(withSecrets.map((s) => s.name)).toStrictEqual(["Plan"]);
    expect(plan.env).toBeUndefined();
    expect(planFlow.workflow.env ?? {}).not.toHaveProperty("MARKETO_PROD_CLIENT_SECRET");
    for (const env of [...deployed, withSecrets[0]!.env]) {
      const credentials = credentialsIn(env);
      expect(credentials.length).toBe(6);
      for (const [key, value] of credentials) expect(value).toBe(`\${{ secrets.${key} }}`);
    }
    // The plan workflow checks out its own (default-branch) commit, never the pull request's.
    const checkouts = plan.steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.map((s) => s.with)).toStrictEqual([{ "persist-credentials": false }]);
    expect(planFlow.source).not.toMatch(/head_branch|head\.ref|pull_request\.head/);
  });

  it("use in run steps only commands that exist here or in the workflow's setup, with options they accept", async () => {
    const allowed = new Set([
      "npm",
      "npx",
      "set",
      "code=$?",
      "cat",
      "if",
      "else",
      "fi",
      "then",
      "echo",
      "exit",
      "{",
    ]);
    const commands = workflows.flatMap(({ workflow }) =>
      Object.values(workflow.jobs).flatMap((job) =>
        job.steps.flatMap((s) =>
          (s.run ?? "")
            .split("\n")
            .map((line) => line.trim())
            .filter(Boolean),
        ),
      ),
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
    expect(npx.some((c) => c.includes("plan --out plan.json --fail-on-refusal"))).toBe(true);
    expect(npx.some((c) => c.includes("show plan.json --format markdown"))).toBe(true);
  });
});

/** What a job's steps may refer to in `${{ }}`: the secrets, and the few event fields the workflows use. */
interface Expressions {
  readonly secrets: Record<string, string>;
  readonly pullRequest?: number;
}

/** `${{ secrets.X }}`, `${{ vars.X }}` (unset), the pull request's number; anything else is a test failure. */
function evaluate(value: string, expressions: Expressions): string {
  return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    const secret = /^secrets\.(\w+)$/.exec(expression);
    if (secret !== null) return expressions.secrets[secret[1]!] ?? "";
    if (expression.startsWith("vars.")) return "";
    if (expression === "github.event.pull_request.number" && expressions.pullRequest !== undefined)
      return String(expressions.pullRequest);
    throw new Error(`the test's runner does not evaluate \${{ ${expression} }}`);
  });
}

const evaluated = (env: Record<string, string> | undefined, expressions: Expressions) =>
  Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, evaluate(v, expressions)]));

/** The files a path pattern of upload-artifact matches (`*` within one segment), under `dir`. */
function matches(dir: string, pattern: string): string[] {
  const segments = pattern.split("/");
  const walk = (at: string, index: number): string[] => {
    const segment = segments[index]!;
    const regex = new RegExp(`^${segment.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`);
    const names = existsSync(at) ? readdirSync(at).filter((name) => regex.test(name)) : [];
    return names.flatMap((name) =>
      index === segments.length - 1 ? [join(at, name)] : walk(join(at, name), index + 1),
    );
  };
  return walk(dir, 0);
}

/**
 * The artifact's root: the deepest folder every pattern's search path shares (the part before any
 * wildcard), as upload-artifact takes it; paths in the artifact are relative to it.
 */
function artifactRoot(patterns: readonly string[]): string[] {
  const searchPaths = patterns.map((pattern) => {
    const folders = pattern.split("/").slice(0, -1);
    const wildcard = folders.findIndex((s) => s.includes("*"));
    return wildcard === -1 ? folders : folders.slice(0, wildcard);
  });
  return searchPaths.reduce((a, b) => {
    const differ = a.findIndex((segment, i) => segment !== b[i]);
    return differ === -1 ? a.slice(0, Math.min(a.length, b.length)) : a.slice(0, differ);
  });
}

/** Artifacts by name: files by path from the artifact's root, as upload-artifact stores them. */
type Artifacts = Map<string, Map<string, Buffer>>;

/**
 * Runs a job's steps in `dir` as the runner would: `run` steps in bash with the workflow's, the job's
 * and the step's env evaluated; artifacts uploaded and downloaded through `artifacts`; github-script
 * against `github`. Install and the setup actions are skipped (the repository is installed).
 */
async function runJob(
  { workflow }: { workflow: Workflow },
  jobName: string,
  dir: string,
  options: { expressions: Expressions; artifacts: Artifacts; github?: FakeGitHub },
) {
  const job = workflow.jobs[jobName]!;
  const outcomes: { name: string; code: number | null }[] = [];
  for (const step of job.steps) {
    if (step.id === "install") continue;
    const uses = step.uses?.split("@")[0];
    if (uses === "actions/upload-artifact") {
      const patterns = String(step.with?.["path"]).trim().split("\n");
      const root = join(dir, ...artifactRoot(patterns));
      const files = new Map<string, Buffer>();
      for (const file of patterns.flatMap((p) => matches(dir, p)))
        files.set(relative(root, file), readFileSync(file));
      options.artifacts.set(String(step.with?.["name"]), files);
      continue;
    }
    if (uses === "actions/download-artifact") {
      const files = options.artifacts.get(String(step.with?.["name"]));
      if (files === undefined) throw new Error(`no artifact ${String(step.with?.["name"])}`);
      for (const [path, content] of files) {
        const target = join(dir, String(step.with?.["path"]), path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
      continue;
    }
    if (uses === "actions/github-script") {
      await options.github!.run(String(step.with?.["script"]), dir);
      continue;
    }
    if (step.run === undefined) continue; // checkout, setup-node, setup-terraform
    const env = {
      ...toolEnv(),
      ...evaluated(workflow.env, options.expressions),
      ...evaluated(job.env, options.expressions),
      ...evaluated(step.env, options.expressions),
    };
    const cwd = join(dir, step["working-directory"] ?? "");
    const code = await new Promise<number | null>((done) => {
      const child = spawn("bash", ["-e", "-o", "pipefail", "-c", step.run!], { cwd, env, stdio: "ignore" });
      child.on("close", done);
    });
    outcomes.push({ name: step.name ?? step.run, code });
  }
  return outcomes;
}

/** Stands in for GitHub in the github-script step: pull requests, comments and commit statuses. */
class FakeGitHub {
  public readonly comments: { id: number; body: string; user: { type: string } }[] = [];
  public readonly statuses: { sha: string; state: string; context: string }[] = [];
  public readonly notices: string[] = [];
  public readonly calls: string[] = [];
  /** The head commit of each open pull request. */
  public readonly heads = new Map<number, string>();
  /** The commit the pull request's run synthesized. */
  public synthesized = "";

  async run(script: string, dir: string) {
    const github = {
      paginate: async (fn: (args: object) => Promise<{ data: unknown[] }>, args: object) =>
        (await fn(args)).data,
      rest: {
        pulls: {
          get: async ({ pull_number }: { pull_number: number }) => {
            this.calls.push(`pulls.get ${pull_number}`);
            const sha = this.heads.get(pull_number);
            if (sha === undefined) throw new Error("Not Found");
            return { data: { number: pull_number, head: { sha } } };
          },
        },
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
        repos: {
          createCommitStatus: async (status: { sha: string; state: string; context: string }) => {
            this.calls.push("createCommitStatus");
            this.statuses.push({ sha: status.sha, state: status.state, context: status.context });
          },
        },
      },
    };
    const context = {
      repo: { owner: "acme", repo: "marketing" },
      payload: { workflow_run: { id: 41, event: "pull_request", head_sha: this.synthesized } },
      runId: 42,
      serverUrl: "https://github.com",
    };
    const core = { notice: (message: string) => this.notices.push(message) };
    // The script reads its files relative to the job's working directory.
    const requireInDir = (name: string) =>
      name === "fs"
        ? { ...fs, readFileSync: (p: string, e: BufferEncoding) => fs.readFileSync(resolve(dir, p), e) }
        : undefined;
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    await new AsyncFunction("require", "github", "context", "core", script)(
      requireInDir,
      github,
      context,
      core,
    );
  }
}

describe("a pull request, synthesized without secrets and planned by the workflow_run job, against two emulated instances", () => {
  let sandbox: Emulator;
  let production: Emulator;
  /** The pull request's checkout, where its code runs. */
  let app: string;
  /** The plan workflow's checkout: the default branch, with no app code, where the CLI is installed. */
  let base: string;
  let secrets: Record<string, string>;
  const github = new FakeGitHub();
  const typesFile = () => join(app, "activity-types.ts");
  const pullRequest = 7;

  /** Pushes to the pull request: synthesizes it (no secrets), then runs the plan workflow on its artifact. */
  async function push(sha: string) {
    const artifacts: Artifacts = new Map();
    const synth = await runJob(main, "synth", app, { expressions: { secrets: {}, pullRequest }, artifacts });
    expect(synth.map((s) => s.code)).toStrictEqual([0, 0]);
    github.heads.set(pullRequest, sha);
    github.synthesized = sha;
    rmSync(base, { recursive: true, force: true });
    mkdirSync(base, { recursive: true });
    const plan = await runJob(planFlow, "plan", base, { expressions: { secrets }, artifacts, github });
    return { artifacts, plan };
  }

  beforeAll(async () => {
    sandbox = await startEmulator();
    production = await startEmulator();
    app = writeApp("workflow", readFileSync(join(repoRoot, "examples", "multi-instance", "main.ts"), "utf8"));
    base = join(repoRoot, ".tmp", `workflow-base-${process.pid}-${Date.now()}`);
    copyFileSync(join(repoRoot, "examples", "multi-instance", "activity-types.ts"), typesFile());
    secrets = { ...sandbox.env("MARKETO_SANDBOX"), ...production.env("MARKETO_PROD") };
    // The main branch, already deployed to both instances.
    const synth = await runJob(main, "synth", app, {
      expressions: { secrets: {}, pullRequest },
      artifacts: new Map(),
    });
    expect(synth.map((s) => s.code)).toStrictEqual([0, 0]);
    const apply = await cli(["apply", "--auto-approve"], { cwd: app, env: secrets });
    expect(apply.code, apply.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await sandbox?.close();
    await production?.close();
    for (const dir of [app, base])
      if (dir !== undefined && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it("comments a safe change for both instances, rendered with show, and sets a passing status", async () => {
    // GIVEN a pull request that adds an attribute to the webinar type
    writeFileSync(
      typesFile(),
      readFileSync(typesFile(), "utf8").replace(
        '{ apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },',
        '{ apiName: "attendedLive", name: "Attended Live", dataType: "boolean" },\n    { apiName: "host", name: "Host", dataType: "string" },',
      ),
    );
    // WHEN it is synthesized and planned
    const { artifacts, plan } = await push("a".repeat(40));
    // THEN the artifact holds the manifests and the number only: data, no code
    expect([...artifacts.get("marketo-manifests")!.keys()].sort()).toStrictEqual([
      "manifest.json",
      "pull-request-number",
      "stacks/marketo-production/marketo-activities.production.json",
      "stacks/marketo-sandbox/marketo-activities.sandbox.json",
    ]);
    expect(readdirSync(base).sort()).toStrictEqual(["pull-request"]);
    // AND the check passes with one comment showing the change in each instance, and a status
    expect(plan.map((o) => o.code)).toStrictEqual([0, 0, 0]);
    expect(github.calls).toStrictEqual([
      `pulls.get ${pullRequest}`,
      "listComments",
      "createComment",
      "createCommitStatus",
    ]);
    const body = github.comments[0]!.body;
    expect(
      body.startsWith("<!-- marketo-activities-plan -->\n### Marketo activity types: Plan: 2 to update."),
    ).toBe(true);
    expect(body).toContain("#### Instance `sandbox`");
    expect(body).toContain("#### Instance `production`");
    expect(body).toContain("| `attributes.host` | _(none)_ | `Host (string)` |  |");
    expect(body).not.toContain("Needs attention");
    expect(body).not.toContain("Stale synth");
    // The comment is `show`'s rendering of the plan the job saved.
    const shown = await cli(["show", "plan.json", "--format", "markdown"], {
      cwd: join(base, "pull-request"),
    });
    expect(body).toBe(`<!-- marketo-activities-plan -->\n${shown.stdout}`);
    expect(JSON.parse(readFileSync(join(base, "pull-request", "plan.json"), "utf8")).plans).toHaveLength(2);
    expect(github.statuses).toStrictEqual([
      { sha: "a".repeat(40), state: "success", context: "Marketo plan" },
    ]);
  }, 120_000);

  it("updates the same comment for a destructive change, sets a failing status and fails the check", async () => {
    // GIVEN a new push that also removes an attribute, without allowDestructiveChanges
    writeFileSync(
      typesFile(),
      readFileSync(typesFile(), "utf8").replace(
        '{ apiName: "seats", name: "Seats", dataType: "integer" },\n',
        "",
      ),
    );
    const mark = [sandbox.requests.length, production.requests.length] as const;
    const { plan } = await push("b".repeat(40));
    // THEN the plan step records the refusal, the comment is updated, and the last step fails
    expect(readFileSync(join(base, "pull-request", "plan.exitcode"), "utf8").trim()).toBe("1");
    expect(plan.at(-1)).toStrictEqual({ name: "Fail on changes apply would refuse", code: 1 });
    expect(github.comments).toHaveLength(1);
    expect(github.calls.slice(4)).toStrictEqual([
      `pulls.get ${pullRequest}`,
      "listComments",
      "updateComment",
      "createCommitStatus",
    ]);
    const body = github.comments[0]!.body;
    expect(body).toContain("**Needs attention**");
    expect(body).toContain(
      "🛑 **sandbox / trialStarted**: destructive change (`attributes.seats`) not allowed. Apply will refuse. If it is intended, set `allowDestructiveChanges: true` on the type in this pull request.",
    );
    expect(body.indexOf("Needs attention")).toBeLessThan(body.indexOf("| Type | Action | Risk | Changes |"));
    expect(github.statuses.at(-1)).toStrictEqual({
      sha: "b".repeat(40),
      state: "failure",
      context: "Marketo plan",
    });
    // The plan only read the instances.
    for (const [emulator, since] of [
      [sandbox, mark[0]],
      [production, mark[1]],
    ] as const) {
      expect(new Set(emulator.requests.slice(since).map((r) => r.operation))).toStrictEqual(
        new Set(["identity", "listCustomActivityTypes", "describeCustomActivityType"]),
      );
    }
  }, 120_000);

  it("posts nothing when the pull request moved on since the synthesized commit (its newer run posts)", async () => {
    const before = { comments: JSON.stringify(github.comments), statuses: github.statuses.length };
    github.heads.set(pullRequest, "c".repeat(40));
    github.synthesized = "d".repeat(40);
    await github.run(
      String(
        planFlow.workflow.jobs["plan"]!.steps.find((s) => s.uses?.includes("github-script"))!.with!["script"],
      ),
      base,
    );
    expect(github.notices.at(-1)).toContain(`pull request #${pullRequest} is at ${"c".repeat(40)}`);
    expect(JSON.stringify(github.comments)).toBe(before.comments);
    expect(github.statuses).toHaveLength(before.statuses);
  });

  it("refuses a pull-request number that is not a number, before any call", async () => {
    writeFileSync(join(base, "pull-request", "cdktf.out", "pull-request-number"), "7 && echo pwned\n");
    const calls = github.calls.length;
    const script = String(
      planFlow.workflow.jobs["plan"]!.steps.find((s) => s.uses?.includes("github-script"))!.with!["script"],
    );
    await expect(github.run(script, base)).rejects.toThrow(
      "the pull request number uploaded is not a number",
    );
    expect(github.calls.length).toBe(calls);
  });
});
