/**
 * The JSON Schemas the package ships (manifest, plan, apply result; generated from the zod schemas
 * at build) and `marketo-activities schema --type`, checked with Ajv against real outputs: manifests
 * synth writes, plan files plan writes, records the typed client sends.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { schemaFileName, writeSchemas } from "../../scripts/schemas.js";
import { recordSchema } from "../../src/activities/records.js";
import { PUBLISHED_SCHEMAS, type PublishedSchema } from "../../src/cli/commands/schema.js";
import { CustomActivityType, RetiredActivityType } from "../../src/constructs/index.js";
import { startEmulator } from "../../src/emulator/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import { type Step, stepToWire } from "../../src/reconcile/plan.js";
import { parsePlans } from "../../src/reconcile/plan-file.js";
import {
  type ActivityTypeInput,
  buildManifest,
  checkManifest,
  DATA_TYPES,
  parseActivityType,
  serializeManifest,
} from "../../src/schema/index.js";
import { cli, THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";
import { synthInstance, webinar } from "../helpers/constructs.js";
import { repoRoot, tempDir } from "../helpers/tools.js";

/**
 * Ajv as a service in another language would use it: strict, every error. `format` is left to the
 * patterns zod writes beside it (ajv-formats is not installed here).
 */
function validator(schema: unknown): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, formats: { date: true, "date-time": true } });
  return ajv.compile(schema as object);
}

const published = Object.fromEntries(
  (Object.keys(PUBLISHED_SCHEMAS) as PublishedSchema[]).map((name) => [
    name,
    validator(PUBLISHED_SCHEMAS[name]()),
  ]),
) as Record<PublishedSchema, ValidateFunction>;

/** Whether `validate` accepts `value` (its `errors` then say why not). */
function accepts(validate: ValidateFunction, value: unknown): boolean {
  return validate(value);
}

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

describe("the published JSON Schemas", () => {
  it("are what the build writes into dist/schemas, what the package exports, and what `schema <name>` prints", async () => {
    const dir = tempDir("schemas");
    const files = writeSchemas(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toStrictEqual([
      "manifest.schema.json",
      "plan.schema.json",
      "apply-result.schema.json",
    ]);
    for (const name of Object.keys(PUBLISHED_SCHEMAS) as PublishedSchema[]) {
      const written = readFileSync(join(dir, schemaFileName(name)), "utf8");
      expect(JSON.parse(written)).toStrictEqual(PUBLISHED_SCHEMAS[name]());
      const printed = await cli(["schema", name], { cwd: ws.dir, env: {} });
      expect(printed.code).toBe(0);
      expect(printed.stdout).toBe(written);
      expect(JSON.parse(written)).toMatchObject({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        title: expect.stringMatching(/^marketo-activities /),
      });
    }
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(pkg.exports["./schemas/*.json"]).toBe("./dist/schemas/*.json");
    expect(pkg.files).toContain("dist");
    expect(pkg.scripts.build).toMatch(/&& tsx scripts\/schemas\.ts$/);
  });

  it("the manifest schema accepts what synth writes, and rejects what the manifest parser rejects", () => {
    const { instance, errors } = synthInstance((prod) => {
      new CustomActivityType(prod, "webinar", webinar);
      new RetiredActivityType(prod, "old", { apiName: "oldSignup" });
    });
    expect(errors).toStrictEqual([]);
    const synthesized = JSON.parse(serializeManifest(instance.toManifest()));
    const written = JSON.parse(readFileSync(ws.manifest(THREE_TYPES, ["oldSignup"]), "utf8"));
    for (const manifest of [synthesized, written]) {
      expect(accepts(published.manifest, manifest), JSON.stringify(published.manifest.errors)).toBe(true);
    }
    const edits: ((m: typeof written) => void)[] = [
      (m) => {
        m.types[0].attributes[0].dataType = "number";
      },
      (m) => {
        m.instance.region = "eu";
      },
      (m) => {
        delete m.formatVersion;
      },
      (m) => {
        m.types[0].apiName = "webinar attended";
      },
      (m) => {
        m.retired = "oldSignup";
      },
    ];
    for (const edit of edits) {
      const manifest = structuredClone(written);
      edit(manifest);
      expect(accepts(published.manifest, manifest), JSON.stringify(manifest)).toBe(false);
      expect(checkManifest(manifest).ok).toBe(false);
    }
  });

  it("the plan schema accepts every plan file plan writes (each step op, one instance or several), and rejects edited ones", async () => {
    // GIVEN plans that between them use every step: creates, then updates, a foreign draft, deletes
    const files: unknown[] = [];
    const plan = async (manifest: string) => {
      const result = await ws.run("plan", "--manifest", manifest, "--out", "plan.json");
      expect(result.code, result.stderr).toBe(0);
      files.push(JSON.parse(readFileSync(join(ws.dir, "plan.json"), "utf8")));
    };
    await plan(ws.manifest(THREE_TYPES));
    expect((await ws.run("apply", "--manifest", ws.manifest(THREE_TYPES), "--auto-approve")).code).toBe(0);
    const [webinar, checkDeposited, trialStarted] = THREE_TYPES as [
      ActivityTypeInput,
      ActivityTypeInput,
      ActivityTypeInput,
    ];
    await rawClient(ws).updateCustomActivityType("checkDeposited", { description: "edited in Admin" });
    await plan(
      ws.manifest(
        [
          {
            ...webinar,
            description: "Watched a webinar, live or recorded",
            allowDestructiveChanges: true,
            attributes: [{ ...webinar.attributes![0]!, name: "Minutes Seen" }],
          },
          checkDeposited,
        ],
        [trialStarted.apiName],
      ),
    );
    const production = await startEmulator();
    try {
      const env = { ...ws.emulator.env("MARKETO_SANDBOX"), ...production.env("MARKETO_PROD") };
      const manifests = ["sandbox", "production"].map((id) => {
        const path = join(ws.dir, `marketo-activities.${id}.json`);
        const envPrefix = id === "sandbox" ? "MARKETO_SANDBOX" : "MARKETO_PROD";
        const types = [parseActivityType(trialStarted)];
        writeFileSync(
          path,
          serializeManifest(
            buildManifest({
              instance: { id, envPrefix, maxActivityTypes: 10, approve: true },
              types,
              retired: [],
            }),
          ),
        );
        return path;
      });
      const several = await cli(
        ["plan", ...manifests.flatMap((m) => ["--manifest", m]), "--out", "several.json"],
        { cwd: ws.dir, env },
      );
      expect(several.code, several.stderr).toBe(0);
      files.push(JSON.parse(readFileSync(join(ws.dir, "several.json"), "utf8")));
    } finally {
      await production.close();
    }

    // THEN the schema accepts each, parsePlans reads each, and the steps cover every op
    for (const file of files) {
      expect(accepts(published.plan, file), JSON.stringify(published.plan.errors)).toBe(true);
      expect(() => parsePlans(file, "plan.json")).not.toThrow();
    }
    const entries = files.flatMap((f) => ((f as { plans?: unknown[] }).plans ?? [f]) as PlanJson[]);
    const ops = new Set(entries.flatMap((p) => p.types.flatMap((t) => t.steps.map((s) => s.op))));
    expect([...ops].sort()).toStrictEqual(ALL_OPS);
    expect(files.at(-1)).toMatchObject({ formatVersion: 2, plans: [{}, {}] });

    // AND an edited plan is rejected by the schema as by apply's parser
    const edits: ((p: PlanJson & Record<string, unknown>) => void)[] = [
      (p) => {
        p.types[0]!.steps[0]!.op = "createTypes";
      },
      (p) => {
        delete p["manifestDigest"];
      },
      (p) => {
        (p.types[0] as Record<string, unknown>)["action"] = "rename";
      },
      (p) => {
        p["formatVersion"] = 1;
      },
      (p) => {
        (p["state"] as { calls: number }).calls = -1;
      },
    ];
    for (const edit of edits) {
      const file = structuredClone(files[0]) as PlanJson & Record<string, unknown>;
      edit(file);
      expect(accepts(published.plan, file), JSON.stringify(file).slice(0, 200)).toBe(false);
      expect(() => parsePlans(file, "plan.json")).toThrow();
    }
    // A field a later read adds to the recorded state is kept by both (the state is loose).
    const later = structuredClone(files[1]) as PlanJson & { state: { listed: Record<string, unknown>[] } };
    later.state.listed[0]!["createdAt"] = "2026-01-01T00:00:00Z";
    expect(accepts(published.plan, later)).toBe(true);
    expect(() => parsePlans(later, "plan.json")).not.toThrow();
  });

  it("compile in Ajv's strict mode", () => {
    for (const name of Object.keys(PUBLISHED_SCHEMAS) as PublishedSchema[]) {
      expect(() => validator(PUBLISHED_SCHEMAS[name]())).not.toThrow();
    }
  });
});

/** A type with an attribute of every data type. */
const EVERY_TYPE: ActivityTypeInput = {
  apiName: "everyValue",
  name: "Every Value",
  triggerName: "Has Every Value",
  filterName: "Had Every Value",
  primaryAttribute: { apiName: "subject", name: "Subject" },
  attributes: DATA_TYPES.map((dataType) => ({
    apiName: `${dataType}Value`,
    name: `A ${dataType}`,
    dataType,
  })),
};

/** A value of each data type the typed client takes. */
const GOOD: Record<(typeof DATA_TYPES)[number], unknown> = {
  string: "Intro to IaC",
  boolean: true,
  integer: 42,
  float: 9.5,
  link: "https://example.com/webinar",
  email: "lead@example.com",
  currency: 19.99,
  date: new Date("2026-01-15T12:00:00Z"),
  datetime: new Date("2026-01-15T12:00:00Z"),
  phone: "+1 555 0100",
  text: "A long text",
};

/** JSON values of the wrong kind (or form) for each data type. */
const WRONG: Record<(typeof DATA_TYPES)[number], unknown[]> = {
  string: [42, true, null],
  boolean: ["true", 1],
  integer: [4.5, "42", false],
  float: ["9.5", true],
  link: [false],
  email: [5],
  currency: ["19.99"],
  date: ["2026-01-15T12:00:00Z", "2026-02-30", 20260115],
  datetime: ["2026-01-15", "2026-01-15T12:00:00", "2026-01-15T12:00Z", 1768478400000],
  phone: [5550100],
  text: [{ text: "x" }],
};

describe("marketo-activities schema --type", () => {
  const run = async (...args: string[]) => cli(["schema", ...args], { cwd: ws.dir, env: {} });

  it("prints the JSON Schema of a type's record: it accepts the typed client's wire records and rejects a wrong value type", async () => {
    // GIVEN the JSON Schema printed for a type with every data type
    const manifest = ws.manifest([EVERY_TYPE, ...THREE_TYPES]);
    const printed = await run("--type", "everyValue", "--manifest", manifest);
    expect(printed.code, printed.stderr).toBe(0);
    const schema = JSON.parse(printed.stdout);
    expect(schema).toMatchObject({ title: 'Activity record of "everyValue" (Every Value)', type: "object" });
    const validate = validator(schema);
    const typed = recordSchema(parseActivityType(EVERY_TYPE));

    // THEN the wire records the typed client makes pass, with or without the activityTypeId it adds
    const records = [
      {
        leadId: 42,
        activityDate: new Date("2026-01-15T12:00:00Z"),
        primaryAttributeValue: "x",
        attributes: {},
      },
      {
        leadId: 7,
        activityDate: "2026-01-15T07:00:00-05:00",
        primaryAttributeValue: "Intro",
        attributes: Object.fromEntries(DATA_TYPES.map((t) => [`${t}Value`, GOOD[t]])),
      },
      {
        leadId: 8,
        activityDate: "2026-01-15T12:00:00.250Z",
        primaryAttributeValue: "Intro",
        attributes: { dateValue: "2024-02-29", datetimeValue: "2026-01-15T12:00:00+05:30" },
      },
    ];
    for (const record of records) {
      const wire = typed.parse(record);
      expect(accepts(validate, JSON.parse(JSON.stringify(wire))), JSON.stringify(validate.errors)).toBe(true);
      expect(accepts(validate, { ...wire, activityTypeId: 100001 })).toBe(true);
    }
    const full = typed.parse(records[1]);
    expect(full.attributes).toHaveLength(DATA_TYPES.length);

    // AND a wrong value type is rejected, as the typed client rejects it
    for (const dataType of DATA_TYPES) {
      for (const value of WRONG[dataType]) {
        const apiName = `${dataType}Value`;
        const wire = { ...full, attributes: [{ apiName, value }] };
        expect(accepts(validate, wire), `${dataType}: ${JSON.stringify(value)}`).toBe(false);
        expect(typed.safeParse({ ...records[0], attributes: { [apiName]: value } }).success).toBe(false);
      }
    }
    // AND so are a record without a lead, a primary value that is not text, an undeclared attribute
    const wrongRecords = [
      { ...full, leadId: 0 },
      { ...full, leadId: "42" },
      { ...full, primaryAttributeValue: 5 },
      { ...full, activityDate: "2026-01-15" },
      { ...full, attributes: [{ apiName: "host", value: "Ann" }] },
      { ...full, attributes: [{ apiName: "integerValue", value: 1, extra: true }] },
      { ...full, activityTypeId: "100001" },
      { ...full, lead: 42 },
      (({ attributes: _, ...rest }) => rest)(full),
    ];
    for (const record of wrongRecords) expect(accepts(validate, record), JSON.stringify(record)).toBe(false);
  });

  it("agrees with the typed client on which date and datetime strings Marketo's form allows", async () => {
    const manifest = ws.manifest([EVERY_TYPE]);
    const validate = validator(
      JSON.parse((await run("--type", "everyValue", "--manifest", manifest)).stdout),
    );
    const typed = recordSchema(parseActivityType(EVERY_TYPE));
    const base = { leadId: 1, activityDate: "2026-01-15T12:00:00Z", primaryAttributeValue: "x" };
    const candidates = {
      date: [
        "2026-01-15",
        "2024-02-29",
        "2026-02-29",
        "2026-13-01",
        "2026-1-15",
        "0000-01-01",
        "2026-01-15Z",
      ],
      datetime: [
        "2026-01-15T12:00:00Z",
        "2026-01-15T12:00:00.5-05:00",
        "2026-01-15T12:00:00+0530",
        "2026-01-15T12:00:00+05",
        "2026-01-15 12:00:00Z",
        "2026-01-15T24:00:00Z",
        "2026-01-15T12:60:00Z",
        "2026-01-15T12:00:00+24:00",
        "2026-02-30T12:00:00Z",
        "2026-01-15t12:00:00z",
      ],
    };
    for (const [dataType, values] of Object.entries(candidates)) {
      for (const value of values) {
        const apiName = `${dataType}Value`;
        const client = typed.safeParse({ ...base, attributes: { [apiName]: value } }).success;
        const json = accepts(validate, { ...base, attributes: [{ apiName, value }] });
        expect(json, `${dataType} ${value}: the typed client says ${client}`).toBe(client);
      }
    }
  });

  it("reads the manifests as plan does, from the app's cdktf.out by default", async () => {
    // One instance's manifest, found through cdktf.out like plan finds it.
    const stack = join(ws.dir, "cdktf.out", "stacks", "marketing");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(stack, { recursive: true });
    writeFileSync(
      join(ws.dir, "cdktf.out", "manifest.json"),
      JSON.stringify({ stacks: { marketing: { workingDirectory: "stacks/marketing" } } }),
    );
    writeFileSync(
      join(stack, "marketo-activities.prod.json"),
      readFileSync(ws.manifest(THREE_TYPES), "utf8"),
    );
    const printed = await run("--type", "trialStarted");
    expect(printed.code, printed.stderr).toBe(0);
    expect(JSON.parse(printed.stdout).properties.attributes).toMatchObject({ items: { not: {} } });
  });

  it("fails for a retired type, an undeclared one, one declared differently in two instances, and without a name", async () => {
    const manifest = ws.manifest(THREE_TYPES, ["oldSignup"]);
    const trialStarted = THREE_TYPES.find((t) => t.apiName === "trialStarted")!;
    const other = join(ws.dir, "marketo-activities.sandbox.json");
    writeFileSync(
      other,
      serializeManifest(
        buildManifest({
          instance: { id: "sandbox", envPrefix: "MARKETO_SANDBOX", maxActivityTypes: 10, approve: true },
          types: [parseActivityType({ ...trialStarted, name: "Trial Begun" })],
          retired: [],
        }),
      ),
    );
    const retired = await run("--type", "oldSignup", "--manifest", manifest);
    const unknown = await run("--type", "webinar", "--manifest", manifest);
    const differs = await run("--type", "trialStarted", "--manifest", manifest, "--manifest", other);
    const once = await run("--type", "webinarAttended", "--manifest", manifest, "--manifest", other);
    const neither = await run();
    const both = await run("plan", "--type", "trialStarted");
    for (const result of [retired, unknown, differs, neither, both]) {
      expect(result.code, result.stderr + result.stdout.slice(0, 100)).toBe(1);
      expect(result.stdout).toBe("");
    }
    expect(retired.stderr).toContain(
      "Error: --type oldSignup: the type is retired in marketo-activities.prod.json (apply deletes it), so it takes no records",
    );
    expect(unknown.stderr).toContain(
      "Error: --type webinar: no activity type with that apiName is declared in marketo-activities.prod.json\nHint: declared apiNames: checkDeposited, trialStarted, webinarAttended",
    );
    expect(differs.stderr).toContain(
      'Error: --type trialStarted: the instances declare it differently (instance "prod" in marketo-activities.prod.json, instance "sandbox" in marketo-activities.sandbox.json)',
    );
    expect(neither.stderr).toContain("Error: schema needs --type <apiName> or the name of a schema");
    expect(both.stderr).toContain("not both");
    // Declared in one of the instances only: its schema.
    expect(once.code, once.stderr).toBe(0);
  });
});

/** The plan file as JSON, as far as these tests look into it. */
interface PlanJson {
  types: { steps: { op: string }[] }[];
}

/** Every step `op` of the plan format. */
const ALL_OPS = (
  [
    "createCustomActivityType",
    "updateCustomActivityType",
    "createCustomActivityTypeAttributes",
    "updateCustomActivityTypeAttributes",
    "deleteCustomActivityTypeAttributes",
    "discardCustomActivityTypeDraft",
    "approveCustomActivityType",
    "deleteCustomActivityType",
  ] as const
)
  .map((operation) => stepToWire({ operation } as Step).op)
  .sort();

const rawClient = (w: Workspace) =>
  new MarketoClient({
    baseUrl: w.emulator.url,
    clientId: w.emulator.clientId,
    clientSecret: w.emulator.clientSecret,
  });
