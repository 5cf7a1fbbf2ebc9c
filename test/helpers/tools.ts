import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A fresh temporary directory. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mka-${prefix}-`));
}

/**
 * Environment for running cdktf and Terraform in tests: a Terraform CLI config file of our own
 * (the machine's default points at a missing file), no telemetry, non-interactive output.
 */
export function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dir = tempDir("tfrc");
  const config = join(dir, "terraformrc");
  writeFileSync(config, "disable_checkpoint = true\n");
  return {
    ...process.env,
    TF_CLI_CONFIG_FILE: config,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    CI: "1",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ...extra,
  };
}

let terraformVersion: string | null | undefined;

/** Terraform's version if the binary is on PATH, else null. */
export function terraformAvailable(): string | null {
  if (terraformVersion === undefined) {
    const result = spawnSync("terraform", ["version", "-json"], { env: toolEnv(), encoding: "utf8" });
    terraformVersion =
      result.status === 0
        ? (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version
        : null;
  }
  return terraformVersion;
}

/**
 * Whether the Terraform end-to-end tests run. Without Terraform they are skipped with a printed
 * reason, unless REQUIRE_TERRAFORM=1 (as in CI), where a missing binary is a failure.
 */
export function terraformTestsEnabled(what: string): boolean {
  if (terraformAvailable() !== null) return true;
  if (process.env["REQUIRE_TERRAFORM"] === "1") {
    throw new Error(
      `REQUIRE_TERRAFORM=1 but terraform is not on PATH; ${what} cannot run. Install Terraform >= 1.4.`,
    );
  }
  console.warn(
    `[skipped] ${what}: terraform is not on PATH (set REQUIRE_TERRAFORM=1 to make this a failure)`,
  );
  return false;
}

/**
 * Runs a command and resolves with stdout; rejects with stdout and stderr on a non-zero exit.
 * Asynchronous, so that servers in the test process (the emulator) keep answering meanwhile.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number },
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: options.env ?? toolEnv(),
        encoding: "utf8",
        timeout: options.timeout ?? 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error === null) resolvePromise(stdout);
        else
          reject(
            new Error(
              `${command} ${args.join(" ")} failed in ${options.cwd}: ${error.message}\n${stdout}\n${stderr}`,
            ),
          );
      },
    );
  });
}
