/**
 * A synth that fails, as a user runs it: the app itself (`npx tsx main.ts`, `app.synth()`) and the
 * cdktf CLI (`cdktf synth`, which tells the app to go on after error annotations and prints them
 * itself). Either way the output names every problem and no stack trace follows it, and the manifest
 * of the synth before is gone, so the CLI plans nothing from it.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webinarApp, writeApp } from "../helpers/app.js";
import { cli } from "../helpers/cli.js";
import { run, toolEnv } from "../helpers/tools.js";

/** The webinar app with the first type's apiName replaced by `apiName`. */
const appWith = (apiName: string) => webinarApp("Minutes Watched").replace('"webinarAttended"', apiName);
const INJECTED = JSON.stringify("x; touch PWNED #");
const PROBLEM =
  '  - apiName: got "x; touch PWNED #"; apiName may contain only letters and digits (A-Z, a-z, 0-9), with at least one letter. Fix: remove spaces, underscores and punctuation, e.g. "webinarAttended"';

/** Runs a command; resolves with its exit code, stdout and stderr whatever the code. */
function attempt(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd, env, encoding: "utf8", timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({
        code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
        stdout,
        stderr,
      }),
    );
  });
}

describe("a synth that fails on an invalid definition", () => {
  let dir: string;
  const env = toolEnv();
  const stackDir = () => join(dir, "cdktf.out", "stacks", "marketing");

  beforeAll(() => {
    dir = writeApp("e2e-synth-errors", webinarApp("Minutes Watched"));
  });
  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("run as the app itself, ends with the problem and prints no stack trace", async () => {
    await run("npx", ["--no-install", "tsx", "main.ts"], { cwd: dir, env });
    expect(readdirSync(stackDir())).toContain("marketo-activities.prod.json");

    writeFileSync(join(dir, "main.ts"), appWith(INJECTED));
    const { code, stderr } = await attempt("npx", ["--no-install", "tsx", "main.ts"], dir, env);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `MarketoActivitiesError: stack "marketing" has 1 error; nothing of it was written:\nERROR [marketing/prod/webinar]: activity type "x; touch PWNED #" has 1 problem:\n${PROBLEM}`,
    );
    // Node closes a frameless error with "]" and prints its version; nothing else comes after the problem.
    const after = stderr.slice(stderr.indexOf(PROBLEM) + PROBLEM.length);
    expect(after.trim()).toMatch(/^\]\s+Node\.js v\d+\.\d+\.\d+$/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS");

    expect(readdirSync(stackDir())).not.toContain("marketo-activities.prod.json");
    const plan = await cli(["plan"], { cwd: dir });
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toContain("no Marketo manifests in cdktf.out");
  }, 180_000);

  it("run by `cdktf synth`, prints the problem and cdktf's one-line summary, no stack trace, and writes no resource", async () => {
    writeFileSync(join(dir, "main.ts"), webinarApp("Minutes Watched"));
    await run("npx", ["--no-install", "cdktf", "synth"], { cwd: dir, env, timeout: 180_000 });
    expect(readdirSync(stackDir())).toContain("marketo-activities.prod.json");

    writeFileSync(join(dir, "main.ts"), appWith(INJECTED));
    const result = await attempt("npx", ["--no-install", "cdktf", "synth"], dir, env);
    expect(result.code).toBe(1);
    const output = `${result.stdout}\n${result.stderr}`;
    expect(output).toContain(
      `ERROR [marketing/prod/webinar]: activity type "x; touch PWNED #" has 1 problem:\n${PROBLEM}`,
    );
    expect(output).toContain(
      "Error: While synthesizing one or more error annotations have been encountered. Please check the log output above.",
    );
    expect(output).not.toMatch(/\n\s+at /);

    // cdktf went on and wrote cdk.tf.json: without the instance's resources, and without its old manifest.
    const written = readFileSync(join(stackDir(), "cdk.tf.json"), "utf8");
    expect(written).not.toContain("PWNED");
    expect(written).not.toContain("local-exec");
    expect(existsSync(join(stackDir(), "marketo-activities.prod.json"))).toBe(false);
    const plan = await cli(["plan"], { cwd: dir });
    expect(plan.code).not.toBe(0);
    expect(plan.stderr).toContain("no Marketo manifests in cdktf.out");
  }, 180_000);
});
