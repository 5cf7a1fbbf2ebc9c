/**
 * The file Terraform's provisioners run. Synth writes it into each stack directory (Terraform's
 * working directory for local-exec), so the command is short, portable between the machine that
 * synthesizes and the one that deploys, starts the CLI installed in the app's node_modules
 * without npx's start-up cost, and never downloads anything.
 */

/** The launcher's file name in the stack directory. */
export const LAUNCHER_FILE_NAME = "marketo-activities.mjs";

/** The command the provisioners run by default, followed by `apply ...`. */
export const DEFAULT_COMMAND = `node ${LAUNCHER_FILE_NAME}`;

/**
 * Characters that neither POSIX `sh` nor Windows `cmd` treats specially, the shells Terraform's
 * local-exec runs a command with by default (`/bin/sh -c` on Linux and macOS, `cmd /C` on Windows).
 */
const SHELL_SAFE = /^[A-Za-z0-9_@+:./-]+$/;

/**
 * One argument of a provisioner command, quoted for `sh`: as it is when made only of characters
 * no shell reads (every apiName and manifest file name of a valid definition), else in single
 * quotes, with each `'` written as `'\''`. `cmd` does not read single quotes, so a value that needs
 * them is not for Windows; no valid definition has one, and no resource is written for an invalid one.
 */
export function shellArgument(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The command a provisioner runs from the stack directory: `<command> apply --manifest <file>`,
 * with `--only <apiName>` for one type or tombstone, then `--auto-approve`. `command` is the
 * instance's, shell text the app wrote; every value added to it is quoted (`shellArgument`).
 */
export function applyCommand(command: string, manifestFileName: string, only?: string): string {
  const selection = only === undefined ? "" : ` --only ${shellArgument(only)}`;
  return `${command} apply --manifest ${shellArgument(manifestFileName)}${selection} --auto-approve`;
}

/**
 * The launcher's source. It resolves the package from the stack directory upwards (the app's
 * node_modules), then from the app directory synth ran in (`appDir`, relative to the stack
 * directory, when the stack directory is inside the app), runs the `marketo-activities` bin the
 * package declares, and fails with a clear message when the package is installed in neither.
 */
export function launcherSource(appDir: string | undefined): string {
  const from = appDir === undefined ? "here" : `here, join(here, ${JSON.stringify(appDir)})`;
  return `// Written by cdktf-marketo-activities at synth; Terraform's local-exec provisioners run it.
// It starts the marketo-activities CLI installed in this app's node_modules and never downloads.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
let packageJson;
for (const from of [${from}]) {
  try {
    packageJson = createRequire(join(from, "launcher.js")).resolve("cdktf-marketo-activities/package.json");
    break;
  } catch {
    // not installed there
  }
}
if (packageJson === undefined) {
  process.stderr.write(
    "Error: cdktf-marketo-activities is not installed in this app, so the provisioner cannot run marketo-activities.\\n" +
      "Hint: run \`npm ci\` (or \`npm install\`) in the cdktf app directory before \`cdktf deploy\`, and keep cdktf's output directory inside the app.\\n",
  );
  process.exit(1);
}
const bin = JSON.parse(readFileSync(packageJson, "utf8")).bin["marketo-activities"];
await import(pathToFileURL(join(dirname(packageJson), bin)).href);
`;
}
