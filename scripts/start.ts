/**
 * `npm start`: the main job on the embedded default, for a new user with no Marketo account.
 *
 * Starts the local Marketo emulator (seeded with a type another integration owns and the type the
 * example retires), synthesizes examples/basic, shows the plan, deploys it with a real
 * `cdktf deploy` when Terraform is on PATH (else applies with the CLI, and says so), plans again to
 * show nothing is left to change, and tells what happened and where to look next.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { startEmulator } from "../src/emulator/index.js";
import { manifestSchema } from "../src/schema/index.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const example = join(root, "examples", "basic");
const outdir = join(example, "cdktf.out");
const started = Date.now();
const show = (path: string) => relative(process.cwd(), path) || ".";
const step = (n: number, text: string) => console.log(`\n${pc.bold(pc.cyan(`${n}.`))} ${pc.bold(text)}`);
const indent = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => `   ${line}`)
    .join("\n");

/** Runs a command; resolves with its exit code and output (stdout and stderr together). */
function exec(command: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void) {
  return new Promise<{ code: number; output: string }>((done) => {
    const child = spawn(command, args, { cwd: example, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let pending = "";
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) onLine?.(line);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

/** Stops the run: the message is printed once, after the emulator is closed and temp files removed. */
class StepFailed extends Error {}

function fail(what: string, output: string): never {
  throw new StepFailed(`${pc.red(`\n${what} failed:`)}\n${indent(output)}`);
}

const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
const terraformVersion =
  terraform.status === 0 ? (/Terraform v(\S+)/.exec(terraform.stdout)?.[1] ?? "?") : undefined;

console.log(
  pc.bold("cdktf-marketo-activities: the main job, on the embedded Marketo emulator (no account needed)"),
);

// 1. A local Marketo instance, with what a real one typically already has.
const emulator = await startEmulator({
  seed: {
    activityTypes: [
      {
        apiName: "partnerWebinar",
        name: "Partner Webinar",
        triggerName: "Attends Partner Webinar",
        filterName: "Attended Partner Webinar",
        primaryAttribute: { apiName: "partner", name: "Partner" },
      },
      {
        apiName: "oldNewsletterSignup",
        name: "Old Newsletter Signup",
        triggerName: "Signs Up For Old Newsletter",
        filterName: "Signed Up For Old Newsletter",
        primaryAttribute: { apiName: "newsletter", name: "Newsletter" },
      },
    ],
  },
});
const tfConfigDir = mkdtempSync(join(tmpdir(), "marketo-activities-start-"));
const tfConfig = join(tfConfigDir, "terraformrc");
writeFileSync(tfConfig, "disable_checkpoint = true\n");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...emulator.env(),
  TF_CLI_CONFIG_FILE: tfConfig,
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
  CI: "1",
  FORCE_COLOR: "0",
};
const cli = (...args: string[]) =>
  exec("node", [join(root, "dist", "cli", "bin.js"), ...args], { ...env, NO_COLOR: "1" });

try {
  step(1, `Started a local Marketo emulator at ${emulator.url}`);
  console.log(
    indent(
      "It already holds two custom activity types, as a real instance would:\n" +
        "  partnerWebinar       made by another integration; no code declares it\n" +
        "  oldNewsletterSignup  the example retires it with a RetiredActivityType",
    ),
  );

  step(2, "Synthesized examples/basic with `cdktf synth`");
  rmSync(outdir, { recursive: true, force: true }); // a fresh run: new emulator, new Terraform state
  const synth = await exec("npx", ["--no-install", "cdktf", "synth"], env);
  if (synth.code !== 0) fail("cdktf synth", synth.output);
  const stackDir = join(outdir, "stacks", "marketing");
  const manifestFile = readdirSync(stackDir).find((f) => /^marketo-activities\..+\.json$/.test(f))!;
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(stackDir, manifestFile), "utf8")));
  const tf = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as {
    resource: Record<string, object>;
  };
  console.log(
    indent(
      `${show(stackDir)}/\n` +
        `  cdk.tf.json          ${Object.entries(tf.resource)
          .map(([kind, r]) => `${Object.keys(r).length} ${kind}`)
          .join(", ")} resources: one per type, triggers hold every field\n` +
        `  ${manifestFile}  the desired state: ${manifest.types.map((t) => t.apiName).join(", ")}; retired: ${manifest.retired.join(", ")}`,
    ),
  );

  step(3, "Planned with `marketo-activities plan`: what will change in Marketo");
  const plan = await cli("plan");
  if (plan.code !== 0) fail("marketo-activities plan", plan.output);
  console.log(indent(plan.output));

  if (terraformVersion !== undefined) {
    step(
      4,
      `Deployed with \`cdktf deploy --auto-approve\` (Terraform ${terraformVersion}, terraform_data resources)`,
    );
    console.log(
      indent(
        "Each resource's provisioner runs `marketo-activities apply --only <apiName>` against the manifest:",
      ),
    );
    const deploy = await exec(
      "npx",
      ["--no-install", "cdktf", "deploy", "--auto-approve", "--skip-synth"],
      env,
      (line) => {
        const provisioner = /\(local-exec\): (.*)$/.exec(line);
        // Only the per-type progress lines of `apply` ("webinarAttended: creating (3 calls)...").
        const progress =
          /^\w+: ((creating|updating|deleting|approving) \(|(created|updated|deleted|approved)$|failed: )/;
        if (provisioner !== null && progress.test(provisioner[1]!.trim())) {
          console.log(`     ${provisioner[1]!.trim()}`);
        }
        if (/Apply complete!|Error:/.test(line)) console.log(`   ${line.replace(/^\S+\s+/, "").trim()}`);
      },
    );
    if (deploy.code !== 0) fail("cdktf deploy", deploy.output);
  } else {
    step(
      4,
      "Applied with `marketo-activities apply --auto-approve` (Terraform is not on PATH, so no `cdktf deploy`)",
    );
    console.log(
      indent("With Terraform >= 1.4 installed, `cdktf deploy` runs this same command once per type."),
    );
    const apply = await cli("apply", "--auto-approve");
    if (apply.code !== 0) fail("marketo-activities apply", apply.output);
    console.log(
      indent(
        apply.output
          .split("\n")
          .filter((l) => /^\s{2}\S|Apply complete|API calls/.test(l) && !l.includes("="))
          .join("\n"),
      ),
    );
  }

  step(5, "Planned again with `marketo-activities plan --detailed-exitcode`");
  const again = await cli("plan", "--detailed-exitcode");
  console.log(
    indent(
      again.output
        .split("\n")
        .filter((l) => /No changes|Plan:|Unmanaged|Limit/.test(l))
        .join("\n"),
    ),
  );
  console.log(
    indent(
      `exit code ${again.code} (${again.code === 0 ? "0 = no changes; CI uses this for drift checks" : "changes left!"})`,
    ),
  );
  if (again.code !== 0) fail("the second plan", again.output);

  step(6, "What the emulator holds now");
  const state = emulator.state();
  for (const type of state.activityTypes) {
    const attributes = type.live?.attributes?.length ?? 0;
    console.log(
      indent(
        `${type.apiName.padEnd(20)} ${String(type.status).padEnd(10)} ${type.status === "deleted" ? "" : `${attributes} attributes`}`,
      ),
    );
  }
  const rest = emulator.requests.filter((r) => r.operation !== "identity");
  console.log(
    indent(`${rest.length} REST calls in all (Marketo allows 100 per 20 s and 50,000 a day per instance).`),
  );

  console.log(
    `\n${pc.green(pc.bold(`Done in ${((Date.now() - started) / 1000).toFixed(0)} s.`))} Where to look next:`,
  );
  console.log(
    indent(
      "examples/basic/main.ts                  the declarations: this is what you edit\n" +
        `${show(stackDir)}/  what synth wrote\n` +
        "README.md                               plan in pull requests, deploy from CI, use a real instance\n" +
        "npx --no-install marketo-activities emulator   keep an emulator running to try the CLI by hand",
    ),
  );
} catch (error) {
  if (!(error instanceof StepFailed)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  await emulator.close();
  rmSync(tfConfigDir, { recursive: true, force: true });
}
