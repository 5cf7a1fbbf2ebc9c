/**
 * Nothing undeclared is published (docs/design.md decisions 10 and 15): a plan file or a manifest
 * edited by hand, consistently or not, is refused by the CLI before any call to Marketo, with a message
 * that says what differs and how to fix it, and the instance is left as it was.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import { manifestOfPlan, parsePlans } from "../../src/reconcile/index.js";
import {
  type ActivityTypeInput,
  buildManifest,
  MAX_REQUEST_BYTES,
  manifestDigest,
  parseActivityType,
  serializeManifest,
} from "../../src/schema/index.js";
import { writeSourcesRecord } from "../../src/sources/index.js";
import { type CliRun, cli, THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

const [webinar, deposit, trial] = THREE_TYPES as [ActivityTypeInput, ActivityTypeInput, ActivityTypeInput];
const newsletter: ActivityTypeInput = {
  apiName: "newsletterSignup",
  name: "Newsletter Signup",
  triggerName: "Signs Up For Newsletter",
  filterName: "Signed Up For Newsletter",
  primaryAttribute: { apiName: "newsletter", name: "Newsletter" },
};
/** The webinar type without its attendedLive attribute: removing it is destructive. */
const webinarWithoutAttendedLive: ActivityTypeInput = { ...webinar, attributes: [webinar.attributes![0]!] };

/** A plan file or manifest as JSON, edited the way someone edits the file. */
// biome-ignore lint/suspicious/noExplicitAny: the tests edit files as untyped JSON, as a person would
type Json = any;

const instanceTypes = () => JSON.stringify(ws.emulator.state().activityTypes);
const readJson = (file: string) => JSON.parse(readFileSync(join(ws.dir, file), "utf8"));
const writeJson = (file: string, value: unknown) => writeFileSync(join(ws.dir, file), JSON.stringify(value));

/** A refusal a user can act on: exit 1, `Error:` with the message and a `Hint:`, no stack trace. */
function expectRefused(run: CliRun, ...expected: string[]) {
  expect(run.code, run.stdout + run.stderr).toBe(1);
  expect(run.stderr).toMatch(/^Error: /);
  expect(run.stderr).toContain("\nHint: ");
  expect(run.stderr).not.toContain("Internal error");
  expect(run.stderr).not.toMatch(/\n\s+at /);
  for (const text of expected) expect(run.stderr).toContain(text);
}

/**
 * Three published types, an unmanaged one (so 4 of the limit of 4 are used), and a manifest that
 * removes an attribute (destructive, not allowed) and adds a type (over the limit): apply refuses its
 * plan for both reasons. The plan is saved as plan.json.
 */
async function refusedPlan(): Promise<{ manifest: string; plan: Json }> {
  const first = await ws.run("apply", "--manifest", ws.manifest(THREE_TYPES), "--auto-approve");
  expect(first.code, first.stderr).toBe(0);
  await new MarketoClient({
    baseUrl: ws.emulator.url,
    clientId: ws.emulator.clientId,
    clientSecret: ws.emulator.clientSecret,
  }).createCustomActivityType({
    apiName: "partnerWebinar",
    name: "Partner Webinar",
    triggerName: "Attends Partner Webinar",
    filterName: "Attended Partner Webinar",
    primaryAttribute: { apiName: "partner", name: "Partner" },
  });
  const manifest = ws.manifest([webinarWithoutAttendedLive, deposit, trial, newsletter], [], {
    maxActivityTypes: 4,
  });
  const saved = await ws.run("plan", "--manifest", manifest, "--out", "plan.json");
  expect(saved.code, saved.stderr).toBe(0);
  const plan = readJson("plan.json");
  const webinarPlan = plan.types.find((t: { apiName: string }) => t.apiName === "webinarAttended");
  expect(webinarPlan.destructiveNotAllowed).toBe(true);
  expect(plan.limits).toMatchObject({ maxActivityTypes: 4, afterApply: 5, ok: false });
  return { manifest, plan };
}

const typeIn = (plan: Json, apiName: string) =>
  plan.types.find((t: { apiName: string }) => t.apiName === apiName);

describe("apply plan.json refuses a plan file edited by hand, without a call to Marketo", () => {
  it("refuses the unedited plan for what it says (the control): destructive change and type limit", async () => {
    const { manifest } = await refusedPlan();
    const before = instanceTypes();
    const run = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('apply refused for instance "prod"');
    expect(run.stderr).toContain("attributes.attendedLive");
    expect(run.stderr).toContain("limit of 4");
    expect(instanceTypes()).toBe(before);
  });

  const edits: {
    name: string;
    edit: (plan: Json) => void;
    expected: string[];
  }[] = [
    {
      name: "the destructive flag removed",
      edit: (plan) => {
        delete typeIn(plan, "webinarAttended").destructiveNotAllowed;
      },
      expected: [
        'plan.json is not the plan the checked-out code makes for instance "prod" from the instance state the plan records',
        "types[webinarAttended].destructiveNotAllowed is absent in plan.json, true planned again",
        "nothing was applied",
      ],
    },
    {
      name: "the destructive change marked allowed in the desired state",
      edit: (plan) => {
        const type = typeIn(plan, "webinarAttended");
        delete type.destructiveNotAllowed;
        type.desired.allowDestructiveChanges = true;
      },
      expected: [
        "types[webinarAttended].desired.allowDestructiveChanges is true in plan.json, false planned again",
      ],
    },
    {
      name: "maxActivityTypes raised",
      edit: (plan) => {
        plan.instance.maxActivityTypes = 100;
        plan.limits.maxActivityTypes = 100;
        plan.limits.ok = true;
      },
      expected: [
        "instance.maxActivityTypes is 100 in plan.json, 4 planned again",
        "limits.maxActivityTypes is 100 in plan.json, 4 planned again",
        "limits.ok is true in plan.json, false planned again",
      ],
    },
    {
      name: "a step added",
      edit: (plan) => {
        typeIn(plan, "trialStarted").steps.push({ op: "deleteType" });
      },
      expected: ["types[trialStarted].steps is a list of 1 in plan.json, a list of 0 planned again"],
    },
    {
      name: "the desired state edited consistently (same digest)",
      edit: (plan) => {
        const type = typeIn(plan, "webinarAttended");
        type.desired.attributes = webinar.attributes;
        delete type.destructiveNotAllowed;
        type.changes = [];
        type.steps = [];
        type.action = "noop";
        type.risk = "safe";
      },
      expected: ["types[webinarAttended].desired.attributes[attendedLive] is"],
    },
    {
      name: "the desired state edited consistently, with the digest of the edited state",
      edit: (plan) => {
        const type = typeIn(plan, "webinarAttended");
        type.desired.attributes = webinar.attributes;
        const [saved] = parsePlans(plan, "plan.json");
        plan.manifestDigest = manifestDigest(manifestOfPlan(saved!.plan));
      },
      expected: [
        'plan.json was not made from the code checked out now: the manifest of instance "prod"',
        "types[webinarAttended].attributes[attendedLive] is {",
        "in plan.json, absent in the manifest",
        "Hint: synthesize again (`npx cdktf synth`), make a new plan",
      ],
    },
    {
      name: "the instance state it records edited",
      edit: (plan) => {
        plan.state.listed = plan.state.listed.filter(
          (t: { apiName: string }) => t.apiName !== "partnerWebinar",
        );
      },
      expected: ["fingerprint is"],
    },
    {
      name: "the instance endpoint changed",
      edit: (plan) => {
        plan.instance.endpoint = "123-ABC-456.mktorest.com";
      },
      expected: [
        'plan.json was made for instance "prod" at 123-ABC-456.mktorest.com, but MARKETO_BASE_URL points at',
      ],
    },
    {
      name: "formatVersion changed to an earlier one",
      edit: (plan) => {
        plan.formatVersion = 1;
      },
      expected: [
        "plan.json is a plan of format 1, made by an earlier version of marketo-activities; this version applies only plans of format 2",
      ],
    },
    {
      name: "formatVersion changed to a later one",
      edit: (plan) => {
        plan.formatVersion = 3;
      },
      expected: [
        "plan.json is a plan of format 3, made by a later version",
        "Hint: apply it with the version",
      ],
    },
    {
      name: "a plan file as the previous version wrote it (format 1, no digest, no state)",
      edit: (plan) => {
        plan.formatVersion = 1;
        delete plan.manifestDigest;
        delete plan.state;
      },
      expected: ["plan.json is a plan of format 1, made by an earlier version"],
    },
    {
      name: "a step of an op the format does not have",
      edit: (plan) => {
        typeIn(plan, "trialStarted").steps.push({ op: "deleteEverything" });
      },
      expected: [
        'plan.json is not a plan written by this version of marketo-activities (types[2].steps[0].op: got "deleteEverything"; not a step of this plan format)',
      ],
    },
  ];

  it.each(edits)("refuses it with $name", async (row) => {
    const { manifest, plan } = await refusedPlan();
    row.edit(plan);
    writeJson("plan.json", plan);
    const before = instanceTypes();
    const mark = ws.emulator.requests.length;
    const run = await ws.run(
      "apply",
      "plan.json",
      "--manifest",
      manifest,
      "--auto-approve",
      "--allow-destructive",
    );
    expectRefused(run, ...row.expected);
    expect(ws.emulator.requests.length, "calls to Marketo").toBe(mark);
    expect(instanceTypes()).toBe(before);
  });

  it("refuses a plan made before the code changed, naming what changed", async () => {
    const { manifest } = await refusedPlan();
    ws.manifest([{ ...webinarWithoutAttendedLive, name: "Webinar Joined" }, deposit, trial, newsletter], [], {
      maxActivityTypes: 5,
    });
    const mark = ws.emulator.requests.length;
    const run = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expectRefused(
      run,
      'plan.json was not made from the code checked out now: the manifest of instance "prod" (marketo-activities.prod.json) is not the one the plan was made from: instance.maxActivityTypes is 4 in plan.json, 5 in the manifest; types[webinarAttended].name is "Webinar Attended" in plan.json, "Webinar Joined" in the manifest; nothing was applied',
    );
    expect(ws.emulator.requests.length).toBe(mark);
  });

  it("refuses when it finds no manifest to check the plan against", async () => {
    await refusedPlan();
    const mark = ws.emulator.requests.length;
    const run = await ws.run("apply", "plan.json", "--auto-approve");
    expectRefused(
      run,
      "plan.json is checked against the manifests the checked-out code synthesizes, and none was found: no synthesized app found",
      "or pass the instance's manifest with --manifest <file>",
    );
    expect(ws.emulator.requests.length).toBe(mark);
  });

  it("refuses when no manifest found declares the plan's instance", async () => {
    const { plan } = await refusedPlan();
    plan.instance.id = "sandbox";
    writeJson("plan.json", plan);
    const mark = ws.emulator.requests.length;
    const run = await ws.run("apply", "plan.json", "--manifest", "marketo-activities.prod.json");
    expectRefused(
      run,
      'plan.json is for instance "sandbox", which none of the manifests found declares (marketo-activities.prod.json: instance "prod")',
    );
    expect(ws.emulator.requests.length).toBe(mark);
  });
});

describe("apply plan.json for several instances", () => {
  it("checks every instance of the file before any call: one edited plan stops all, calling none", async () => {
    const production = await startEmulator();
    try {
      const env = { ...ws.env, ...ws.emulator.env("MARKETO_SANDBOX"), ...production.env("MARKETO_PROD") };
      const manifestOf = (id: string, envPrefix: string) => {
        const path = join(ws.dir, `marketo-activities.${id}.json`);
        const manifest = buildManifest({
          instance: { id, envPrefix, maxActivityTypes: 10, approve: true },
          types: [parseActivityType(webinar)],
          retired: [],
        });
        writeFileSync(path, serializeManifest(manifest));
        return path;
      };
      const targets = ["--manifest", manifestOf("sandbox", "MARKETO_SANDBOX")];
      targets.push("--manifest", manifestOf("production", "MARKETO_PROD"));
      const run = (...args: string[]) => cli(args, { cwd: ws.dir, env });
      expect((await run("plan", ...targets, "--out", "plan.json")).code).toBe(0);
      const file = readJson("plan.json");
      expect(file.plans.map((p: Json) => p.instance.id)).toStrictEqual(["sandbox", "production"]);
      const edited = structuredClone(file);
      typeIn(edited.plans[1], "webinarAttended").steps.push({ op: "deleteType" });
      writeJson("plan.json", edited);
      const marks = [ws.emulator.requests.length, production.requests.length];
      expectRefused(
        await run("apply", "plan.json", ...targets, "--auto-approve"),
        'plan.json is not the plan the checked-out code makes for instance "production"',
      );
      expect([ws.emulator.requests.length, production.requests.length]).toStrictEqual(marks);

      writeJson("plan.json", file);
      const applied = await run("apply", "plan.json", ...targets, "--auto-approve");
      expect(applied.code, applied.stderr).toBe(0);
      expect(production.state().activityTypes.map((t) => t.apiName)).toStrictEqual(["webinarAttended"]);
      expect(ws.emulator.state().activityTypes.map((t) => t.apiName)).toStrictEqual(["webinarAttended"]);
    } finally {
      await production.close();
    }
  });
});

describe("apply plan.json in a synthesized app", () => {
  /** What `cdktf synth` leaves: cdktf.out with stack "marketing", the manifest and the sources record. */
  function synthesize(types: ActivityTypeInput[]) {
    writeFileSync(join(ws.dir, "main.ts"), `// the app: ${types.map((t) => t.apiName).join(", ")}\n`);
    writeFileSync(join(ws.dir, "cdktf.json"), "{}\n");
    const stackDir = join(ws.dir, "cdktf.out", "stacks", "marketing");
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(
      join(ws.dir, "cdktf.out", "manifest.json"),
      JSON.stringify({ stacks: { marketing: { workingDirectory: "stacks/marketing" } } }),
    );
    const manifest = buildManifest({
      instance: { id: "prod", envPrefix: "MARKETO", maxActivityTypes: 10, approve: true },
      types: types.map((t) => parseActivityType(t)),
      retired: [],
    });
    writeFileSync(join(stackDir, "marketo-activities.prod.json"), serializeManifest(manifest));
    writeSourcesRecord(stackDir, ws.dir);
  }

  it("applies the reviewed plan, checked against the manifests of cdktf.out", async () => {
    synthesize(THREE_TYPES);
    expect((await ws.run("plan", "--out", "plan.json")).code).toBe(0);
    const run = await ws.run("apply", "plan.json", "--auto-approve");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Apply complete for instance "prod"');
    expect(ws.emulator.state().activityTypes).toHaveLength(3);
  });

  it("refuses the plan after the app was synthesized again with other code", async () => {
    synthesize(THREE_TYPES);
    expect((await ws.run("plan", "--out", "plan.json")).code).toBe(0);
    synthesize([webinar, trial]);
    const mark = ws.emulator.requests.length;
    const run = await ws.run("apply", "plan.json", "--auto-approve");
    expectRefused(
      run,
      "plan.json was not made from the code checked out now",
      "cdktf.out/stacks/marketing/marketo-activities.prod.json",
      "types[checkDeposited] is {",
    );
    expect(ws.emulator.requests.length).toBe(mark);
    expect(ws.emulator.state().activityTypes).toStrictEqual([]);
  });

  it("refuses the plan when the code changed after synth (a stale cdktf.out)", async () => {
    synthesize(THREE_TYPES);
    expect((await ws.run("plan", "--out", "plan.json")).code).toBe(0);
    writeFileSync(join(ws.dir, "main.ts"), "// edited after synth\n");
    const mark = ws.emulator.requests.length;
    const run = await ws.run("apply", "plan.json", "--auto-approve");
    expectRefused(
      run,
      "the app's code changed after cdktf.out/stacks/marketing/marketo-activities.prod.json was synthesized",
    );
    expect(ws.emulator.requests.length).toBe(mark);
  });

  it("refuses a manifest renamed to stand for another instance", async () => {
    synthesize(THREE_TYPES);
    const stackDir = join(ws.dir, "cdktf.out", "stacks", "marketing");
    writeFileSync(
      join(stackDir, "marketo-activities.sandbox.json"),
      readFileSync(join(stackDir, "marketo-activities.prod.json")),
    );
    const run = await ws.run("validate");
    expectRefused(
      run,
      'manifest cdktf.out/stacks/marketing/marketo-activities.sandbox.json has 1 problem:\n  - instance.id: got "prod"; the file name says instance "sandbox"',
    );
  });
});

describe("a manifest edited by hand is refused by validate, plan and apply, without a call", () => {
  const edits: { name: string; edit: (m: Json) => void; expected: string }[] = [
    {
      name: "an apiName both declared and retired",
      edit: (m) => {
        m.retired = ["webinarAttended"];
      },
      expected: 'retired[0]: got "webinarAttended"; is both declared and retired',
    },
    {
      name: "two types with one apiName",
      edit: (m) => {
        m.types[1].apiName = "webinarAttended";
      },
      expected:
        'types[2].apiName: got "webinarAttended"; is declared by 2 activity types (types[1], types[2])',
    },
    {
      name: "two types with one triggerName",
      edit: (m) => {
        m.types[0].triggerName = "Starts Trial";
      },
      expected:
        'types[1].triggerName: got "Starts Trial"; is declared by 2 activity types (types[0], types[1])',
    },
    {
      name: "two types with one filterName",
      edit: (m) => {
        m.types[0].filterName = "Started Trial";
      },
      expected:
        'types[1].filterName: got "Started Trial"; is declared by 2 activity types (types[0], types[1])',
    },
    {
      name: "a type too large for one request",
      edit: (m) => {
        m.types[0].description = "x".repeat(MAX_REQUEST_BYTES);
      },
      expected: "types[0].description: is 1,000,002 bytes as JSON, the largest field of the request",
    },
    {
      name: "an unknown key",
      edit: (m) => {
        m.types[0].approved = true;
      },
      expected: "types[0].approved: got true; is not a known property",
    },
    {
      name: "a value of the wrong type",
      edit: (m) => {
        m.instance.maxActivityTypes = "100";
      },
      expected: 'instance.maxActivityTypes: got "100"; maxActivityTypes must be a number',
    },
    {
      name: "more types than the limit",
      edit: (m) => {
        m.instance.maxActivityTypes = 2;
      },
      expected:
        "instance.maxActivityTypes: got 3; declared activity types exceed the subscription limit of 2",
    },
  ];

  it.each(edits)("refuses $name", async (row) => {
    const manifest = ws.manifest(THREE_TYPES);
    expect((await ws.run("plan", "--manifest", manifest, "--out", "plan.json")).code).toBe(0);
    const json = JSON.parse(readFileSync(manifest, "utf8"));
    row.edit(json);
    writeFileSync(manifest, JSON.stringify(json));
    const mark = ws.emulator.requests.length;
    for (const args of [
      ["validate", "--manifest", manifest],
      ["plan", "--manifest", manifest],
      ["apply", "--manifest", manifest, "--auto-approve"],
      ["apply", "plan.json", "--manifest", manifest, "--auto-approve"],
    ]) {
      const run = await ws.run(...args);
      expectRefused(run, "manifest marketo-activities.prod.json has", row.expected);
      expect(run.stderr).toContain("Hint: synthesize again (cdktf synth) and do not edit manifests by hand");
    }
    expect(ws.emulator.requests.length, "calls to Marketo").toBe(mark);
    expect(ws.emulator.state().activityTypes).toStrictEqual([]);
  });
});
