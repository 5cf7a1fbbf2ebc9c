/**
 * The layers of src/ and who may import whom (docs/architecture.md), written once. Biome enforces
 * them with one `noRestrictedImports` override per layer; this script writes those overrides into
 * biome.json from the table below, and test/layers.test.ts fails when biome.json differs from it.
 *
 *   npm run layers      (after changing the table)
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The folders under src/ that are layers. */
export const FOLDERS = [
  "schema",
  "sources",
  "marketo",
  "activities",
  "reconcile",
  "codegen",
  "emulator",
  "probe",
  "constructs",
  "cli",
] as const;
type Folder = (typeof FOLDERS)[number];

/** Packages only some layers may load. */
const PACKAGES = {
  cdktf:
    "Only src/constructs/cdk.ts refers to cdktf, for types: the CDK (cdktf or cdktn) is found at run time from the user's stack; this layer must not load it.",
  cdktn:
    "Only src/constructs/cdk.ts finds cdktn, at run time from the user's stack; this layer must not load it.",
  "@cdktf/provider-null": "Only src/constructs/cdk.ts refers to the null provider, found at run time.",
  constructs: "Only src/constructs may use constructs.",
} as const;
type Package = keyof typeof PACKAGES;

interface Layer {
  /** Files the rule applies to (globs under src/). */
  readonly includes: readonly string[];
  /** The layers it may import. */
  readonly may: readonly Folder[];
  /** The restricted packages it may import. */
  readonly packages?: readonly Package[];
  /** Why, as the lint message. */
  readonly why: string;
}

export const LAYERS: readonly Layer[] = [
  { includes: ["src/schema/**"], may: [], why: "src/schema is pure: it may import only zod." },
  {
    includes: ["src/sources/**"],
    may: ["schema"],
    why: "src/sources may import only src/schema and node builtins: the constructs load it at synth and the CLI on the plan/apply path.",
  },
  {
    includes: ["src/marketo/**"],
    may: ["schema"],
    why: "src/marketo may import only src/schema: the client must work without cdktf and never depends on the emulator.",
  },
  {
    includes: ["src/reconcile/**", "src/activities/**", "src/codegen/**"],
    may: ["schema", "marketo"],
    why: "reconcile, activities and codegen may import only src/schema and src/marketo; plan/apply never load cdktf.",
  },
  {
    includes: ["src/emulator/**"],
    may: ["schema", "marketo"],
    why: "src/emulator may import only src/schema and src/marketo (wire schemas, the endpoint table, Marketo's facts).",
  },
  {
    includes: ["src/probe/**"],
    may: ["schema", "marketo"],
    why: "src/probe may import only src/schema and src/marketo: it talks to a real instance through the client, never the emulator.",
  },
  {
    includes: ["src/constructs/**", "!src/constructs/cdk.ts"],
    may: ["schema", "sources"],
    packages: ["constructs"],
    why: "src/constructs may import only src/schema, src/sources, constructs and the CDK (through src/constructs/cdk.ts).",
  },
  {
    includes: ["src/constructs/cdk.ts"],
    may: ["schema", "sources"],
    packages: ["constructs", "cdktf", "@cdktf/provider-null"],
    why: "src/constructs may import only src/schema, src/sources, constructs and the CDK (through src/constructs/cdk.ts).",
  },
  {
    includes: ["src/cli/**"],
    may: ["schema", "sources", "marketo", "activities", "reconcile", "codegen", "emulator", "probe"],
    why: "The CLI's plan/apply path never loads cdktf or the constructs.",
  },
  {
    includes: ["src/index.ts"],
    may: ["schema", "constructs"],
    why: "The package's main entry exports the constructs and the schema; the client is ./client, the emulator ./emulator.",
  },
  {
    includes: ["src/client.ts"],
    may: ["schema", "marketo", "activities"],
    why: "The ./client entry loads no cdktf, no constructs and no emulator (that is ./emulator).",
  },
];

/** The biome.json `overrides` that enforce `LAYERS`. */
export function biomeOverrides(): unknown[] {
  return LAYERS.map((layer) => {
    const banned = FOLDERS.filter(
      (folder) => !layer.may.includes(folder) && !layer.includes.some((g) => g.startsWith(`src/${folder}/`)),
    );
    const paths = Object.fromEntries(
      (Object.keys(PACKAGES) as Package[])
        .filter((name) => !(layer.packages ?? []).includes(name))
        .map((name) => [name, PACKAGES[name]]),
    );
    return {
      includes: [...layer.includes],
      linter: {
        rules: {
          style: {
            noRestrictedImports: {
              level: "error",
              options: {
                paths,
                patterns: [
                  {
                    group: [
                      ...banned.map((f) => `**/${f}/**`),
                      ...banned.map((f) => `../${f}`),
                      ...banned.map((f) => `./${f}/**`),
                    ],
                    message: layer.why,
                  },
                ],
              },
            },
          },
        },
      },
    };
  });
}

const root = resolve(fileURLToPath(import.meta.url), "..", "..");

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const path = join(root, "biome.json");
  const config = JSON.parse(readFileSync(path, "utf8")) as { overrides?: unknown[] };
  config.overrides = biomeOverrides();
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  execFileSync("npx", ["--no-install", "biome", "format", "--write", path], { cwd: root, stdio: "inherit" });
  console.log(`biome.json: ${LAYERS.length} layer overrides written`);
}
