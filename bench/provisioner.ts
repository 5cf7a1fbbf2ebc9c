/**
 * Start cost of the command each Terraform provisioner runs, against `node -e 0` (target: within
 * 3x). Synthesizes examples/basic, then times, from its stack directory and through `sh -c` as
 * Terraform's local-exec does, the real provisioner command up to its first call to Marketo (it
 * stops there: no credentials are set, so it loads the whole apply path, reads the manifest and
 * exits 1 on the missing credentials). 20 cold runs each, alternated; medians and ratios printed.
 * The old `npx --no-install marketo-activities` command is timed too, for comparison.
 *
 *   npm run bench:provisioner      (builds first)
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const RUNS = 20;
const root = resolve(import.meta.dirname, "..");
// A small app, as users have: examples/basic copied inside the repository, so it finds the package
// the way an app finds it in node_modules (the repository root itself is a large app directory, and
// the stale-synth check digests the app's sources on every start).
const appDir = join(root, ".tmp", "bench-provisioner");
rmSync(appDir, { recursive: true, force: true });
mkdirSync(appDir, { recursive: true });
copyFileSync(join(root, "examples", "basic", "main.ts"), join(appDir, "main.ts"));
copyFileSync(join(root, "examples", "basic", "cdktf.json"), join(appDir, "cdktf.json"));

const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("MARKETO")));
const synth = spawnSync("npx", ["--no-install", "tsx", "main.ts"], { cwd: appDir, env, encoding: "utf8" });
if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
const stackDir = join(appDir, "cdktf.out", "stacks", "marketing");
const synthesized = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
const provisioner = synthesized.resource.terraform_data.prod_webinarAttended.provisioner[0]["local-exec"];
const command: string = provisioner.command;

const commands = {
  "node -e 0": "node -e 0",
  provisioner: command,
  "npx --no-install (before)": command.replace(
    "node marketo-activities.mjs",
    "npx --no-install marketo-activities",
  ),
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, line] of Object.entries(commands)) {
    const t0 = performance.now();
    const result = spawnSync("sh", ["-c", line], {
      cwd: stackDir,
      env: { ...env, ...provisioner.environment },
      encoding: "utf8",
    });
    const ms = performance.now() - t0;
    if (name !== "node -e 0" && !/MARKETO_BASE_URL|credentials/i.test(result.stderr)) {
      throw new Error(`${line} did not reach the credentials check:\n${result.stdout}${result.stderr}`);
    }
    samples[name]!.push(ms);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const base = median(samples["node -e 0"]!);
console.log(`Provisioner command, from the stack directory through sh -c, median of ${RUNS} cold runs`);
console.log(`  ${command}`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(`${name.padEnd(28)} ${m.toFixed(0).padStart(5)} ms   ${(m / base).toFixed(2)}x node -e 0`);
}
console.log("target: provisioner <= 3x");
rmSync(appDir, { recursive: true, force: true });
