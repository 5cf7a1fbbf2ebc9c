/**
 * The launcher synth writes for the provisioners: it runs the installed CLI, also when the output
 * directory is outside the app, and fails with a clear message (never a download, never a stack
 * trace) where the package is not installed.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LAUNCHER_FILE_NAME, launcherSource } from "../../src/constructs/launcher.js";
import { repoRoot } from "../helpers/tools.js";

const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;

describe("the provisioners' launcher", () => {
  const temp = mkdtempSync(join(tmpdir(), "mka-launcher-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  const launch = (stackDir: string, appDir: string | undefined) => {
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(join(stackDir, LAUNCHER_FILE_NAME), launcherSource(appDir));
    return spawnSync(process.execPath, [LAUNCHER_FILE_NAME, "--version"], {
      cwd: stackDir,
      encoding: "utf8",
    });
  };

  it("runs the CLI of the app synth ran in, found through the relative app directory", () => {
    const stackDir = join(temp, "out", "stacks", "marketing");
    const result = launch(stackDir, relative(stackDir, repoRoot));
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(version);
    expect(result.status).toBe(0);
  });

  it("says the package is not installed, and how to fix it, where it is not", () => {
    const stackDir = join(temp, "elsewhere", "stacks", "marketing");
    const result = launch(stackDir, undefined);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "Error: cdktf-marketo-activities is not installed in this app, so the provisioner cannot run marketo-activities.\n" +
        "Hint: run `npm ci` (or `npm install`) in the cdktf app directory before `cdktf deploy`, and keep cdktf's output directory inside the app.\n",
    );
  });
});
