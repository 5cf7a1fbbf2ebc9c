import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { manifestSchema } from "../src/schema/index.js";
import { repoRoot, run, tempDir, toolEnv } from "./helpers/tools.js";

const examplesDir = join(repoRoot, "examples");
const examples = readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, "main.ts")));

/** Every stack directory of a synthesized app with its manifests, checked against the schema. */
function synthesized(outdir: string) {
  const cdktfManifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { workingDirectory: string }>;
  };
  return Object.entries(cdktfManifest.stacks).map(([name, stack]) => {
    const dir = join(outdir, stack.workingDirectory);
    const files = readdirSync(dir);
    const manifests = files
      .filter((f) => /^marketo-activities\..+\.json$/.test(f))
      .map((f) => manifestSchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8"))));
    return { name, files, manifests, tf: JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8")) };
  });
}

describe("examples", () => {
  it("has examples to check", () => {
    expect(examples).toContain("basic");
  });

  // Runs each example's main.ts as its cdktf.json says (tsx), against the built package.
  it.each(examples)("synthesizes examples/%s with a manifest per instance", async (name) => {
    const outdir = tempDir(`example-${name}`);
    await run("npx", ["--no-install", "tsx", "main.ts"], {
      cwd: join(examplesDir, name),
      env: toolEnv({ CDKTF_OUTDIR: outdir }),
    });
    const stacks = synthesized(outdir);
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) {
      expect(stack.files).toContain("cdk.tf.json");
      expect(stack.manifests.length).toBeGreaterThan(0);
      const declared = stack.manifests.flatMap((m) => [...m.types.map((t) => t.apiName), ...m.retired]);
      const resources = Object.values(stack.tf.resource as Record<string, Record<string, unknown>>).flatMap(
        Object.keys,
      );
      // One resource per declared or retired type, and one deploy check per instance.
      expect(resources).toHaveLength(declared.length + stack.manifests.length);
    }
  });

  it("examples/basic declares three or more types with several dataTypes and one tombstone", async () => {
    const outdir = tempDir("example-basic-shape");
    await run("npx", ["--no-install", "tsx", "main.ts"], {
      cwd: join(examplesDir, "basic"),
      env: toolEnv({ CDKTF_OUTDIR: outdir }),
    });
    const [manifest] = synthesized(outdir)[0]!.manifests;
    expect(manifest!.types.length).toBeGreaterThanOrEqual(3);
    const dataTypes = new Set(
      manifest!.types.flatMap((t) => [t.primaryAttribute, ...t.attributes].map((a) => a.dataType)),
    );
    expect(dataTypes.size).toBeGreaterThanOrEqual(5);
    expect(manifest!.retired).toHaveLength(1);
  });

  it("`cdktf synth` in examples/basic writes cdk.tf.json and the manifest", async () => {
    const outdir = tempDir("cdktf-synth");
    await run("npx", ["--no-install", "cdktf", "synth", "--output", outdir], {
      cwd: join(examplesDir, "basic"),
      timeout: 120_000,
    });
    const [stack] = synthesized(outdir);
    // The output is outside the app here, so there is no sources record (it would need a path back).
    expect(stack!.files.sort()).toStrictEqual([
      "cdk.tf.json",
      "marketo-activities.mjs",
      "marketo-activities.prod.json",
    ]);
  }, 120_000);
});
