/**
 * Synth time of N declared activity types against a plain cdktf app with N bare null resources
 * whose triggers have the same size. Prints medians and the ratio. Target: ratio <= 1.5 at 200.
 *
 *   npm run bench:synth
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { resource as nullResource, provider } from "@cdktf/provider-null";
import { App, TerraformStack } from "cdktf";
import { CustomActivityType, MarketoInstance } from "../src/constructs/index.js";
import { definitionLeaves, parseActivityType } from "../src/schema/index.js";

const ROUNDS = 7;

function definition(i: number) {
  return {
    apiName: `activity${i}`,
    name: `Activity ${i}`,
    triggerName: `Does Activity ${i}`,
    filterName: `Did Activity ${i}`,
    description: `Benchmark activity ${i}`,
    primaryAttribute: { apiName: "primaryValue", name: "Primary Value" },
    attributes: Array.from({ length: 5 }, (_, j) => ({
      apiName: `field${j}`,
      name: `Field ${j}`,
      dataType: "string" as const,
    })),
  };
}

function synthOnce(build: (stack: TerraformStack) => void): number {
  const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
  try {
    const start = performance.now();
    const app = new App({ outdir, stackTraces: false });
    build(new TerraformStack(app, "bench"));
    app.synth();
    return performance.now() - start;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function ours(n: number) {
  return (stack: TerraformStack) => {
    const instance = new MarketoInstance(stack, "prod", { maxActivityTypes: Math.max(10, n) });
    for (let i = 0; i < n; i++) new CustomActivityType(instance, `t${i}`, definition(i));
  };
}

function baseline(n: number) {
  return (stack: TerraformStack) => {
    new provider.NullProvider(stack, "null");
    for (let i = 0; i < n; i++) {
      const triggers = {
        ...definitionLeaves(parseActivityType(definition(i))),
        "instance.approve": "true",
        "instance.envPrefix": "MARKETO",
      };
      const resource = new nullResource.Resource(stack, `r${i}`, {
        triggers,
        lifecycle: { createBeforeDestroy: true },
        provisioners: [{ type: "local-exec", command: `echo apply activity${i}` }],
      });
      resource.overrideLogicalId(`prod_activity${i}`);
    }
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(n: number) {
  // Warm up both paths once so module loading and JIT are not counted.
  synthOnce(ours(n));
  synthOnce(baseline(n));
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(synthOnce(ours(n)));
    b.push(synthOnce(baseline(n)));
  }
  return { ours: median(a), baseline: median(b) };
}

console.log(`synth time, median of ${ROUNDS} rounds (ms)`);
console.log("types  ours     plain cdktf  ratio");
for (const n of [10, 200]) {
  const { ours: o, baseline: b } = measure(n);
  console.log(
    `${String(n).padEnd(6)} ${o.toFixed(1).padEnd(8)} ${b.toFixed(1).padEnd(12)} ${(o / b).toFixed(2)}`,
  );
}
console.log("target: ratio <= 1.5 at 200 types");
