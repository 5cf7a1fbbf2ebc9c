/**
 * `marketo-activities import` against the emulator, in-process: the module it writes for the fixture
 * instance (test/fixtures/import/instance.json: every hard case) is the golden file
 * test/fixtures/import/activity-types.ts; it reads with the fewest calls; the definitions it writes,
 * declared as they are, plan no change (but the draft and the never-approved type, as its notes say),
 * and the remedies its notes give work. test/e2e/import-roundtrip.test.ts does the same through the
 * built CLI, cdktf synth and Terraform.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  constantNames,
  definitionOf,
  generateModule,
  type ImportedType,
  importedDefinitions,
  stringLiteral,
} from "../../src/codegen/index.js";
import { mulberry32 } from "../../src/emulator/faults.js";
import {
  type Emulator,
  type EmulatorOptions,
  type EmulatorSeed,
  type SeedActivityType,
  type SeedAttribute,
  startEmulator,
} from "../../src/emulator/index.js";
import type { FetchLike } from "../../src/marketo/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import {
  type ActivityTypeInput,
  buildManifest,
  parseActivityType,
  serializeManifest,
} from "../../src/schema/index.js";
import { type CliRun, cli } from "../helpers/cli.js";
import { repoRoot, tempDir } from "../helpers/tools.js";

const FIXTURES = join(repoRoot, "test", "fixtures", "import");
const SEED = JSON.parse(readFileSync(join(FIXTURES, "instance.json"), "utf8")) as EmulatorSeed;
const STACK = /\n\s+at /;

/** The REST calls a run made, as `list` or `describe <apiName>[ draft]` (identity left out). */
type Calls = string[];

/** Runs the CLI against `emulator`, recording each REST call it makes. */
async function run(
  emulator: Emulator,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Promise<CliRun & { calls: Calls }> {
  const calls: Calls = [];
  const recording: FetchLike = (input, init) => {
    const url = new URL(String(input));
    const describe = /\/type\/([^/]+)\/describe\.json$/.exec(url.pathname);
    if (url.pathname.endsWith("/types.json")) calls.push("list");
    else if (describe !== null)
      calls.push(
        `describe ${decodeURIComponent(describe[1]!)}${url.searchParams.get("draft") === "true" ? " draft" : ""}`,
      );
    else if (!url.pathname.startsWith("/identity")) calls.push(url.pathname);
    return fetch(input, init);
  };
  const result = await cli(args, {
    cwd: options.cwd ?? tempDir("import"),
    env: { ...emulator.env(), ...options.env },
    clientSettings: { fetch: recording },
  });
  return { ...result, calls };
}

/**
 * The module's definitions, as an app gets them: the module written to a file and imported, its
 * import of the package pointed at the package's source (test/e2e imports it as published).
 */
async function loadModule(text: string): Promise<{ activityTypes: ActivityTypeInput[] }> {
  const dir = join(repoRoot, ".tmp", `import-unit-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `activity-types-${Math.random().toString(36).slice(2)}.ts`);
  const source = join(repoRoot, "src", "schema", "index.ts");
  writeFileSync(file, text.replace('from "cdktf-marketo-activities";', `from ${JSON.stringify(source)};`));
  return import(pathToFileURL(file).href);
}
afterAll(() =>
  rmSync(join(repoRoot, ".tmp", `import-unit-${process.pid}`), { recursive: true, force: true }),
);

/** Writes the manifest of instance "prod" declaring `types` in `dir`; returns its path. */
function writeManifest(dir: string, types: readonly ActivityTypeInput[]): string {
  const path = join(dir, "marketo-activities.prod.json");
  const manifest = buildManifest({
    instance: { id: "prod", envPrefix: "MARKETO", maxActivityTypes: 10, approve: true },
    types: types.map((t) => parseActivityType(t)),
    retired: [],
  });
  writeFileSync(path, serializeManifest(manifest));
  return path;
}

/** The apiName and action of each type of a JSON plan. */
function actions(run: CliRun): [string, string][] {
  expect(run.code, run.stderr).toBe(0);
  const plan = JSON.parse(run.stdout) as { types: { apiName: string; action: string }[] };
  return plan.types.map((t) => [t.apiName, t.action]);
}

/** Biome's output for `text` as a formatter with Prettier's defaults (2 spaces, 80 columns) gives it. */
function biomeFormat(text: string): string {
  const result = spawnSync(
    join(repoRoot, "node_modules", ".bin", "biome"),
    ["format", "--indent-style=space", "--line-width=80", "--stdin-file-path=activity-types.ts"],
    { cwd: repoRoot, input: text, encoding: "utf8" },
  );
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe("import of the fixture instance (every hard case)", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ seed: SEED });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it("writes the golden module, reading one list, one describe per type and one more per draft", async () => {
    const result = await run(emulator, ["import"]);
    expect(result.code, result.stderr).toBe(0);
    await expect(result.stdout).toMatchFileSnapshot("../fixtures/import/activity-types.ts");
    // The deleted type is not described; the type never approved has only its draft.
    expect(result.calls.sort()).toStrictEqual(
      [
        "list",
        "describe 2024Signup",
        "describe activityTypes",
        "describe checkDeposited",
        "describe delete",
        "describe partnerWebinarAttendedWithExtendedFollowUpSurveyAndCertificate",
        "describe trialStarted draft",
        "describe webinarAttended",
        "describe webinarRegistered",
        "describe webinarRegistered draft",
      ].sort(),
    );
    expect(result.stderr).toBe(
      [
        "Read 8 activity types from 127.0.0.1 (credentials: MARKETO_*) with 10 API calls.",
        "Note: trialStarted was never approved: it is imported as its draft, and its first plan approves (publishes) it.",
        "Note: webinarRegistered has a draft in Marketo that the module leaves out (it holds the approved version); the draft changes:",
        '    attributes.company.dataType: (none) -> "string"',
        '    attributes.company.name: (none) -> "Company"',
        '    attributes.seats.dataType: "integer" -> (removed)',
        '    attributes.seats.name: "Seats" -> (removed)',
        '    description: "Registered" -> "Registered (edited in Admin: \\"draft\\")"',
        '    name: "Webinar Registered" -> "Webinar Signed Up"',
        "  So the first plan shows that draft as foreign. To keep its changes, approve it in Marketo Admin and import webinarRegistered again (--only webinarRegistered), or write them into its definition with allowDestructiveChanges: true (they remove an attribute or change a dataType) (the next apply then publishes the draft); to drop them, run `marketo-activities apply --discard-foreign-drafts`.",
        "Wrote the module to stdout: 2024Signup, activityTypes, checkDeposited, delete, partnerWebinarAttendedWithExtendedFollowUpSurveyAndCertificate, trialStarted, webinarAttended, webinarRegistered.",
        "Next: declare them on a MarketoInstance (`for (const definition of activityTypes) new CustomActivityType(instance, definition.apiName, definition)`; the module's header shows it), then `npx cdktf synth` and `npx --no-install marketo-activities plan`: it shows no change for the 6 other types, an approve of trialStarted, the foreign draft of webinarRegistered.",
        "",
      ].join("\n"),
    );
  });

  it("gives the same bytes for the same instance on another port; the header names the host, no port and no time", async () => {
    const other = await startEmulator({ seed: SEED });
    try {
      const [first, second] = [await run(emulator, ["import"]), await run(other, ["import"])];
      expect(new URL(other.url).port).not.toBe(new URL(emulator.url).port);
      expect(second.stdout).toBe(first.stdout);
      const header = first.stdout.slice(0, first.stdout.indexOf("\n\n"));
      expect(header).toContain("of the Marketo instance at 127.0.0.1, as");
      expect(header).not.toContain(new URL(emulator.url).port);
      expect(header).not.toMatch(/\d{4}-\d\d-\d\d/);
    } finally {
      await other.close();
    }
  });

  it("names the time of SOURCE_DATE_EPOCH, and only that", async () => {
    const result = await run(emulator, ["import", "--only", "delete"], {
      env: { SOURCE_DATE_EPOCH: "1796134805" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "// `marketo-activities import --only delete` read them on 2026-12-01T14:20:05Z (credentials: MARKETO_*).\n",
    );
  });

  it("fails when SOURCE_DATE_EPOCH is not whole seconds, before any call", async () => {
    const result = await run(emulator, ["import"], { env: { SOURCE_DATE_EPOCH: "2026-12-01" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Error: SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got "2026-12-01"\n' +
        "Hint: set it to e.g. $(git log -1 --format=%ct), or unset it: the module then names no time\n",
    );
    expect(result.calls).toStrictEqual([]);
  });

  it("writes a module a formatter leaves as it is (Biome with Prettier's defaults)", async () => {
    const golden = readFileSync(join(FIXTURES, "activity-types.ts"), "utf8");
    expect(biomeFormat(golden)).toBe(golden);
  });

  it("declared as they are, the imported definitions plan no change but the draft (foreign) and the type never approved (approve)", async () => {
    // GIVEN the module's definitions, declared on instance "prod" as they are
    const { stdout } = await run(emulator, ["import"]);
    const { activityTypes } = await loadModule(stdout);
    const dir = tempDir("import-plan");
    const manifest = writeManifest(dir, activityTypes);
    // WHEN planned
    const plan = await run(emulator, ["plan", "--manifest", manifest, "--format", "json"], { cwd: dir });
    // THEN every approved type without a draft is unchanged
    expect(actions(plan)).toStrictEqual([
      ["2024Signup", "noop"],
      ["activityTypes", "noop"],
      ["checkDeposited", "noop"],
      ["delete", "noop"],
      ["partnerWebinarAttendedWithExtendedFollowUpSurveyAndCertificate", "noop"],
      ["trialStarted", "approve"],
      ["webinarAttended", "noop"],
      ["webinarRegistered", "update"],
    ]);
    const text = await run(emulator, ["plan", "--manifest", manifest], { cwd: dir });
    expect(text.stdout).toContain(
      "  ~ webinarRegistered will be updated\n      ! conflict: the draft in Marketo has edits that are neither live nor in your code",
    );
    expect(text.stdout).toContain("  ^ trialStarted will be approved (publishes a draft)\n");
    const approvedOnly = activityTypes.filter(
      (t) => t.apiName !== "trialStarted" && t.apiName !== "webinarRegistered",
    );
    const only = await run(
      emulator,
      [
        "plan",
        "--manifest",
        manifest,
        "--only",
        approvedOnly.map((t) => t.apiName).join(","),
        "--detailed-exitcode",
      ],
      { cwd: dir },
    );
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout).toContain("No changes. The instance matches the code.");
  });
});

describe("the remedies a draft's note gives", () => {
  let emulator: Emulator;
  let dir: string;
  afterEach(async () => {
    await emulator.close();
  });

  const importAndDeclare = async (): Promise<{ activityTypes: ActivityTypeInput[]; manifest: string }> => {
    emulator = await startEmulator({ seed: SEED });
    dir = tempDir("import-remedy");
    const { activityTypes } = await loadModule((await run(emulator, ["import"])).stdout);
    return { activityTypes, manifest: writeManifest(dir, activityTypes) };
  };
  const plansNoChange = async (manifest: string) => {
    const plan = await run(emulator, ["plan", "--manifest", manifest, "--detailed-exitcode"], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes. The instance matches the code.");
  };

  it("drop the draft: apply --discard-foreign-drafts, after which the instance matches the code", async () => {
    const { manifest } = await importAndDeclare();
    const apply = await run(
      emulator,
      ["apply", "--manifest", manifest, "--auto-approve", "--discard-foreign-drafts"],
      { cwd: dir },
    );
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain("trialStarted approved");
    await plansNoChange(manifest);
  });

  it("keep it: its changes written into the definition (with allowDestructiveChanges) are published by the next apply", async () => {
    const { activityTypes } = await importAndDeclare();
    const seeded = SEED.activityTypes!.find((t) => t.apiName === "webinarRegistered")!;
    const kept = {
      ...(definitionOf("webinarRegistered", {
        ...seeded.draft!,
        attributes: seeded.draft!.attributes ?? [],
      }) as ActivityTypeInput),
      allowDestructiveChanges: true,
    };
    const manifest = writeManifest(dir, [
      ...activityTypes.filter((t) => t.apiName !== "webinarRegistered"),
      kept,
    ]);
    const plan = await run(emulator, ["plan", "--manifest", manifest, "--format", "json"], { cwd: dir });
    expect(actions(plan)).toContainEqual(["webinarRegistered", "approve"]);
    const apply = await run(emulator, ["apply", "--manifest", manifest, "--auto-approve"], { cwd: dir });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    await plansNoChange(manifest);
  });

  it("keep it: approved in Marketo Admin, then imported again, it plans no change", async () => {
    await importAndDeclare();
    const admin = new MarketoClient({ ...credentials(emulator), sleep: async () => {} });
    await admin.approveCustomActivityType("webinarRegistered");
    const again = await run(emulator, ["import", "--only", "webinarRegistered"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("Marketo also holds a draft");
    expect(again.stdout).toContain('name: "Webinar Signed Up",');
    const { activityTypes } = await loadModule(again.stdout);
    const manifest = writeManifest(dir, activityTypes);
    const plan = await run(emulator, ["plan", "--manifest", manifest, "--format", "json"], { cwd: dir });
    expect(actions(plan)).toStrictEqual([["webinarRegistered", "noop"]]);
  });
});

/** The emulator's credentials as client options. */
function credentials(emulator: Emulator) {
  const env = emulator.env();
  return {
    baseUrl: env["MARKETO_BASE_URL"]!,
    clientId: env["MARKETO_CLIENT_ID"]!,
    clientSecret: env["MARKETO_CLIENT_SECRET"]!,
  };
}

/** A small approved type. */
const simple = (
  apiName: string,
  extra: { triggerName?: string; attributes?: readonly SeedAttribute[] } = {},
): SeedActivityType => ({
  apiName,
  name: `Type ${apiName.replace(/\d/g, "")}`,
  triggerName: `Does ${apiName}`,
  filterName: `Did ${apiName}`,
  primaryAttribute: { apiName: "value", name: "Value" },
  ...extra,
});

describe("import's flags and refusals", () => {
  let emulator: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });
  const start = async (options: EmulatorOptions) => {
    emulator = await startEmulator(options);
    return emulator;
  };

  it("--only narrows the import to those types, reads only them and says so in the header", async () => {
    const em = await start({ seed: SEED });
    const result = await run(em, ["import", "--only", "trialStarted", "--only", "delete"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.sort()).toStrictEqual(["describe delete", "describe trialStarted draft", "list"]);
    expect(result.stdout).toContain("// `marketo-activities import --only delete,trialStarted` read them");
    expect(result.stdout).toContain("export const activityTypes = [deleteType, trialStarted];\n");
    expect(result.stdout).not.toContain("webinarAttended");
  });

  it("fails when --only names a type the instance does not hold, naming those it holds; nothing is written", async () => {
    const em = await start({ seed: { activityTypes: [simple("webinarAttended"), simple("trialStarted")] } });
    const result = await run(em, ["import", "--only", "webinarAtended"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'Error: --only "webinarAtended": the instance at 127.0.0.1 holds no such activity type; nothing was written\n' +
        "Hint: its activity types: trialStarted, webinarAttended (apiNames are case-sensitive)\n",
    );
  });

  it("finds a type never approved that Marketo's list leaves out when --only names it, with one describe of its draft", async () => {
    const em = await start({
      seed: { activityTypes: [simple("webinarAttended"), { ...simple("trialStarted"), status: "draft" }] },
      behaviour: { listIncludesDrafts: false },
    });
    const all = await run(em, ["import"]);
    expect(all.stdout).not.toContain("trialStarted");
    const only = await run(em, ["import", "--only", "trialStarted"]);
    expect(only.code, only.stderr).toBe(0);
    expect(only.calls).toStrictEqual(["list", "describe trialStarted draft"]);
    expect(only.stdout).toContain("// Never approved: Marketo holds only a draft of this type");
    expect(only.stdout).toContain("export const trialStarted = defineActivityType({");
  });

  it("fails when the instance holds types this package's rules refuse, naming each type and rule; nothing is written", async () => {
    // GIVEN one type with 21 attributes, one whose trigger name ends with a space, and a valid one
    const attributes = Array.from({ length: 21 }, (_, i) => ({
      apiName: `field${i + 1}`,
      name: `Field ${i + 1}`,
      dataType: "string" as const,
    }));
    const em = await start({
      seed: {
        activityTypes: [
          simple("tooManyFields", { attributes }),
          simple("spacedTrigger", { triggerName: "Attends Webinar " }),
          simple("fine"),
        ],
      },
    });
    const dir = tempDir("import-invalid");
    // WHEN imported to a file
    const result = await run(em, ["import", "--out", "activity-types.ts"], { cwd: dir });
    // THEN nothing is written, and the message names the types, the fields and the rules
    expect(result.code).toBe(1);
    expect(existsSync(join(dir, "activity-types.ts"))).toBe(false);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^Error: 2 activity types of the instance break this package's rules, so no module was written:\n/,
    );
    expect(result.stderr).toContain(
      'activity type "spacedTrigger" (its approved version) has 1 problem:\n  - triggerName: got "Attends Webinar "; triggerName must not start or end with spaces. Fix: remove the surrounding spaces\n',
    );
    expect(result.stderr).toContain('activity type "tooManyFields" (its approved version) has 1 problem:\n');
    expect(result.stderr).toContain(
      "  - attributes: got 21; a type may have at most 20 secondary attributes (Marketo code 1028). Fix: remove attributes, or split the activity into two types\n",
    );
    expect(result.stderr).toMatch(
      /\nHint: change them in Marketo Admin and import again, or import the other types alone: --only fine\n$/,
    );
    expect(result.stderr).not.toMatch(STACK);
  });

  it("--out writes the file; it refuses to overwrite it without --force, before any call", async () => {
    const em = await start({ seed: { activityTypes: [simple("webinarAttended")] } });
    const dir = tempDir("import-out");
    const first = await run(em, ["import", "--out", "activity-types.ts"], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("");
    expect(first.stderr).toContain("Wrote activity-types.ts: webinarAttended.\n");
    const written = readFileSync(join(dir, "activity-types.ts"), "utf8");
    expect(written).toContain("export const webinarAttended = defineActivityType({");

    writeFileSync(join(dir, "activity-types.ts"), "// my edits\n");
    const refused = await run(em, ["import", "--out", "activity-types.ts"], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "Error: activity-types.ts exists; nothing was read or written\n" +
        "Hint: pass --force to overwrite it (your edits to it are lost), or --out another file\n",
    );
    expect(refused.calls).toStrictEqual([]);
    expect(readFileSync(join(dir, "activity-types.ts"), "utf8")).toBe("// my edits\n");

    const forced = await run(em, ["import", "--out", "activity-types.ts", "--force"], { cwd: dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, "activity-types.ts"), "utf8")).toBe(written);
  });

  it("--env-prefix reads that prefix's credentials, and the header's example declares the instance with it", async () => {
    const em = await start({ seed: { activityTypes: [simple("webinarAttended")] } });
    const result = await cli(["import", "--env-prefix", "MARKETO_PROD"], {
      cwd: tempDir("import-prefix"),
      env: em.env("MARKETO_PROD"),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("(credentials: MARKETO_PROD_*).\n");
    expect(result.stdout).toContain(
      '//   const prod = new MarketoInstance(stack, "prod", { envPrefix: "MARKETO_PROD" });\n',
    );
    const missing = await cli(["import", "--env-prefix", "MARKETO_PROD"], {
      cwd: tempDir("import-prefix"),
      env: em.env(),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("MARKETO_PROD_BASE_URL");
    expect(missing.stderr).not.toMatch(STACK);
    const bad = await cli(["import", "--env-prefix", "marketo"], { cwd: tempDir("import-prefix"), env: {} });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: --env-prefix must be upper-case letters, .* got "marketo"\n/);
  });

  it("gives the header and the summary maxActivityTypes when the instance holds more types than the default limit", async () => {
    const types = Array.from({ length: 11 }, (_, i) => simple(`type${String.fromCharCode(97 + i)}`));
    const em = await start({ seed: { activityTypes: types }, limits: { maxActivityTypes: 12 } });
    const result = await run(em, ["import", "--only", "typea"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '//   const prod = new MarketoInstance(stack, "prod", { maxActivityTypes: 11 });\n',
    );
    expect(result.stderr).toContain(
      "Note: the instance holds 11 activity types, more than a MarketoInstance allows unless told (10): give it maxActivityTypes: 11 or your subscription's limit.\n",
    );
  });

  it("fails when the instance holds no custom activity type", async () => {
    const em = await start({ seed: { activityTypes: [{ ...simple("oldSignup"), status: "deleted" }] } });
    const result = await run(em, ["import"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: the instance at 127\.0\.0\.1 holds no custom activity types \(Marketo's list shows none that is not deleted\); nothing was written\nHint: /,
    );
  });

  it("reports a retry as plan does, and traces every call with MARKETO_ACTIVITIES_TRACE=1, naming the host; the module is unchanged", async () => {
    const em = await start({ seed: { activityTypes: [simple("webinarAttended")] } });
    const plain = await run(em, ["import"]);
    em.addFault({ operation: "listCustomActivityTypes", respond: { code: "606" } });
    const retried = await run(em, ["import"], { env: { MARKETO_ACTIVITIES_TRACE: "1" } });
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toBe(plain.stdout);
    expect(retried.stderr).toMatch(
      /^instance "127\.0\.0\.1": Marketo is busy \(606 .*\): waiting .* before retrying listCustomActivityTypes/m,
    );
    const traced = retried.stderr.split("\n").filter((line) => line.startsWith("trace "));
    expect(traced.length).toBeGreaterThanOrEqual(4);
    for (const line of traced) expect(line).toMatch(/^trace \S+ 127\.0\.0\.1 /);
    expect(retried.stderr).not.toContain(em.env()["MARKETO_CLIENT_SECRET"]);
  });

  it("is listed in --help, and its own help gives examples", async () => {
    const help = await cli(["--help"], { cwd: tempDir("import-help") });
    expect(help.stdout).toMatch(/\n {2}import \[options\] +Write the activity types of a live Marketo/);
    const own = await cli(["import", "--help"], { cwd: tempDir("import-help") });
    expect(own.stdout).toContain("$ marketo-activities import --out activity-types.ts");
    expect(own.stdout).toContain("--only <apiName>");
  });
});

describe("the module's text", () => {
  it("writes string literals that read back as exactly the value, whatever it holds", () => {
    const values = [
      "",
      'say "hi"',
      "it's",
      `both " and ' and \\ and \` and \${x} and %{y} and $\${z}`,
      "line\nbreak\r\nand\ttab\u0007bell\u0000nul\u007fdel\u0085nel",
      "separators \u2028 \u2029 and bidi \u202e \u2066 \u200f",
      "日本語 Ünïcødé 👩‍💻 🇩🇪 ❤️ हिन्दी",
      "lone surrogates \ud83d and \ude00",
      '""""\'',
    ];
    for (const value of values) {
      const literal = stringLiteral(value);
      expect(new Function(`return ${literal};`)(), literal).toBe(value);
      // One line, no template literal, no character a reader cannot see.
      expect(literal).toMatch(/^(".*"|'.*')$/s);
      const unseen = [...literal].filter((c) => /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(c));
      expect(unseen, literal).toStrictEqual([]);
    }
    expect(stringLiteral('say "hi"')).toBe(`'say "hi"'`);
    expect(stringLiteral(`"a" 'b' 'c'`)).toBe(`"\\"a\\" 'b' 'c'"`);
  });

  it("names each constant after its apiName, or nearby when that is not a name a module can bind", () => {
    const names = constantNames(
      [
        "webinarAttended",
        "delete",
        "deleteType",
        "2024Signup",
        "activityTypes",
        "eval",
        "defineActivityType",
      ],
      ["defineActivityType", "activityTypes"],
    );
    expect(Object.fromEntries(names)).toStrictEqual({
      webinarAttended: "webinarAttended",
      delete: "deleteType2",
      deleteType: "deleteType",
      "2024Signup": "type2024Signup",
      activityTypes: "activityTypesType",
      eval: "evalType",
      defineActivityType: "defineActivityTypeType",
    });
  });

  it("breaks lines where a formatter does, for text of any script: Biome leaves the module as it is", () => {
    // GIVEN definitions whose lines cross 80 columns with wide, zero-width and combining characters
    const random = mulberry32(20261201);
    const pieces = [
      "a",
      "日",
      "🎉",
      "👩‍💻",
      "é",
      "e\u0301",
      "हि",
      "Ω",
      "✅",
      "한",
      "ｱ",
      "🇩🇪",
      "❤️",
      " ",
      '"',
      "'",
      "\\",
      "\n",
    ];
    const text = (min: number) => {
      let value = "x";
      for (let n = min + Math.floor(random() * 40); n > 0; n--)
        value += pieces[Math.floor(random() * pieces.length)];
      return `${value}x`;
    };
    const types: ImportedType[] = Array.from({ length: 120 }, (_, i) => ({
      apiName: `type${i}`,
      status: "approved",
      live: {
        name: `Type ${i}`,
        triggerName: `${i} ${text(30)}`,
        filterName: `${i} ${text(30)}`,
        description: text(40),
        primaryAttribute: { apiName: "value", name: text(50), dataType: "string", description: text(45) },
        attributes: [{ apiName: "more", name: text(50), dataType: "text", description: text(40) }],
      },
    }));
    // WHEN written as a module
    const module = generateModule(importedDefinitions(types), {
      host: "123-abc-456.mktorest.com",
      envPrefix: "MARKETO",
      defaultMaxActivityTypes: 10,
      typesInInstance: 120,
    });
    // THEN some values had to move to a line of their own, and Biome agrees with every line
    expect(module.match(/:\n/g)?.length).toBeGreaterThan(100);
    expect(biomeFormat(module)).toBe(module);
  });
});
