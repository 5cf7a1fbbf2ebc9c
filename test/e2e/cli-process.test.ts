import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeApp } from "../helpers/app.js";
import { repoRoot, toolEnv } from "../helpers/tools.js";

const bin = join(repoRoot, "dist", "cli", "bin.js");

/** Runs a process to its end; resolves with exit code and output. */
function runProcess(command: string, args: string[], cwd: string, env = toolEnv()) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the built CLI as a process", () => {
  it("`marketo-activities emulator` prints what to export, serves, and stops cleanly on Ctrl-C", async () => {
    const child = spawn(process.execPath, [bin, "emulator", "--port", "0"], {
      cwd: repoRoot,
      env: toolEnv(),
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        const match =
          /export MARKETO_BASE_URL=(\S+) MARKETO_CLIENT_ID=(\S+) MARKETO_CLIENT_SECRET=(\S+)/.exec(stdout);
        if (match !== null && stdout.includes("Ctrl-C")) resolve(match[1]!);
      });
      child.on("close", () => reject(new Error(`emulator exited early: ${stdout}${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const id = /MARKETO_CLIENT_ID=(\S+)/.exec(stdout)![1]!;
    const secret = /MARKETO_CLIENT_SECRET=(\S+)/.exec(stdout)![1]!;
    const token = await fetch(
      `${url}/identity/oauth/token?grant_type=client_credentials&client_id=${id}&client_secret=${secret}`,
    );
    expect(((await token.json()) as { access_token?: string }).access_token).toMatch(/:/);

    const exit = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGINT");
    expect(await exit).toBe(0);
    expect(stderr).toContain("Marketo emulator stopped.");
  });

  it("fails `cdktf synth` of an invalid app with every problem and no stack trace of ours", async () => {
    const dir = writeApp(
      "invalid-synth",
      `import { App, TerraformStack } from "cdktf";
import { CustomActivityType, MarketoInstance } from "cdktf-marketo-activities";
const app = new App();
const stack = new TerraformStack(app, "marketing");
const prod = new MarketoInstance(stack, "prod", { resourceKind: "terraform_data" });
new CustomActivityType(prod, "webinar", {
  apiName: "webinar attended", name: "Webinar", triggerName: "Attends", filterName: "Attended",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
  attributes: [{ apiName: "minutes", name: "Minutes", dataType: "number" as "integer" }],
});
new CustomActivityType(prod, "trial", {
  apiName: "trialStarted", name: "Trial", triggerName: "Attends", filterName: "Started",
  primaryAttribute: { apiName: "product", name: "Product" },
});
app.synth();
`,
    );
    try {
      const result = await runProcess("npx", ["--no-install", "cdktf", "synth"], dir);
      const output = result.stdout + result.stderr;
      expect(result.code).not.toBe(0);
      expect(output).toContain(
        'ERROR [marketing/prod/webinar]: activity type "webinar attended" has 2 problems:',
      );
      expect(output).toContain('- attributes[0].dataType: got "number"; dataType must be one of');
      expect(output).toContain('- triggerName: got "Attends"; is declared by 2 activity types');
      expect(output).not.toMatch(/\n\s+at .*(marketo-instance|custom-activity-type)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
