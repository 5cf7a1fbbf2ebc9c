/**
 * `npm start`: the main job on the embedded default, for a new user with no Marketo account.
 * Synthesizes examples/basic and explains what the plan artifacts are.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import { manifestSchema } from "../src/schema/index.js";

const root = resolve(fileURLToPath(import.meta.url), "..", "..");
const example = join(root, "examples", "basic");
const outdir = join(example, "cdktf.out");

console.log(pc.bold("cdktf-marketo-activities: synthesizing examples/basic"));
execFileSync("npx", ["--no-install", "tsx", "main.ts"], {
  cwd: example,
  stdio: "inherit",
  env: { ...process.env, CDKTF_OUTDIR: outdir },
});

const cdktf = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
  stacks: Record<string, { workingDirectory: string }>;
};
for (const [stackName, stack] of Object.entries(cdktf.stacks)) {
  const dir = join(outdir, stack.workingDirectory);
  const tf = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, unknown>> };
  console.log(`\nstack ${pc.cyan(stackName)} in ${relative(process.cwd(), dir)}/`);
  for (const [kind, byId] of Object.entries(tf.resource)) {
    console.log(`  cdk.tf.json: ${Object.keys(byId).length} ${kind} resources (${Object.keys(byId).join(", ")})`);
  }
  for (const file of require_manifests(dir)) {
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(dir, file), "utf8")));
    console.log(`  ${file}: desired state of instance "${manifest.instance.id}" (env ${manifest.instance.envPrefix}_*)`);
    for (const type of manifest.types) {
      console.log(`    + ${type.apiName} (${type.name}): primary ${type.primaryAttribute.apiName}, ${type.attributes.length} attributes`);
    }
    for (const apiName of manifest.retired) console.log(`    - ${apiName} (retired: apply deletes it)`);
  }
}
console.log(`\nNext: ${pc.bold("npx cdktf diff")} in examples/basic shows the plan field by field.`);

function require_manifests(dir: string): string[] {
  return execFileSync("ls", [dir], { encoding: "utf8" })
    .split("\n")
    .filter((f) => /^marketo-activities\..+\.json$/.test(f));
}
