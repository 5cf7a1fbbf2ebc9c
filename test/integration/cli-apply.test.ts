import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { MarketoClient } from "../../src/marketo/index.js";
import {
  type ActivityTypeInput,
  buildManifest,
  parseActivityType,
  serializeManifest,
} from "../../src/schema/index.js";
import { THREE_TYPES, type Workspace, workspace } from "../helpers/cli.js";

let ws: Workspace;
beforeEach(async () => {
  ws = await workspace();
});
afterEach(async () => {
  await ws.close();
});

const rawClient = () =>
  new MarketoClient({
    baseUrl: ws.emulator.url,
    clientId: ws.emulator.clientId,
    clientSecret: ws.emulator.clientSecret,
  });
const types = () => JSON.stringify(ws.emulator.state().activityTypes);
const webinar = THREE_TYPES[0]!;
const withWebinar = (change: Partial<ActivityTypeInput>) => [
  { ...webinar, ...change },
  ...THREE_TYPES.slice(1),
];

async function deployThree() {
  const manifest = ws.manifest(THREE_TYPES);
  const result = await ws.run("apply", "--manifest", manifest, "--auto-approve");
  expect(result.code, result.stderr + result.stdout).toBe(0);
  return manifest;
}

describe("marketo-activities apply against the emulator", () => {
  it("creates and approves three types with the minimum calls, then plans no changes (exit 0)", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const mark = ws.emulator.requests.length;
    const first = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Apply complete for instance "prod"');
    // list, one describe per type the list does not show (it shows no draft, so it may leave
    // drafts out: docs/marketo-api.md 8.2), then per type create, attributes/create when it has
    // attributes, approve (decision 11). The type without attributes is read before and after its
    // approve: an answer without `attributes` cannot show another writer's attribute (decision 15).
    expect(ws.operationsSince(mark).sort()).toStrictEqual(
      [
        "listCustomActivityTypes",
        "describeCustomActivityType",
        "describeCustomActivityType",
        ...["describeCustomActivityType", "createCustomActivityType", "approveCustomActivityType"].flatMap(
          (op) => [op, op, op],
        ),
        "createCustomActivityTypeAttributes",
        "createCustomActivityTypeAttributes",
      ].sort(),
    );
    expect(ws.emulator.state().activityTypes.map((t) => [t.apiName, t.status])).toStrictEqual(
      expect.arrayContaining([
        ["webinarAttended", "approved"],
        ["checkDeposited", "approved"],
        ["trialStarted", "approved"],
      ]),
    );

    const again = await ws.run("plan", "--manifest", manifest, "--detailed-exitcode");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No changes.");
  });

  it("adds an attribute and edits a description with one call each, then approves", async () => {
    await deployThree();
    const manifest = ws.manifest(
      withWebinar({
        description: "Watched a webinar, live or recorded",
        attributes: [...(webinar.attributes ?? []), { apiName: "host", name: "Host", dataType: "string" }],
      }),
    );
    const plan = await ws.run("plan", "--manifest", manifest, "--detailed-exitcode");
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain(
      'description     = "Watched a webinar" -> "Watched a webinar, live or recorded"',
    );
    expect(plan.stdout).toContain('+ attributes.host = "Host (string)"');

    const mark = ws.emulator.requests.length;
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    // list, 3 describes (one per existing type), then update + attributes/create + approve.
    expect(ws.operationsSince(mark)).toStrictEqual([
      "listCustomActivityTypes",
      "describeCustomActivityType",
      "describeCustomActivityType",
      "describeCustomActivityType",
      "updateCustomActivityType",
      "createCustomActivityTypeAttributes",
      "approveCustomActivityType",
    ]);
    expect(apply.stdout).toContain("API calls used: 7 (4 to read).");
    expect((await ws.run("plan", "--manifest", manifest, "--detailed-exitcode")).code).toBe(0);
  });

  it("fails when an attribute is removed without permission, and changes nothing in the instance", async () => {
    await deployThree();
    const before = types();
    const manifest = ws.manifest(withWebinar({ attributes: [webinar.attributes![0]!] }));
    const mark = ws.emulator.requests.length;
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("destructive changes (attributes.attendedLive) are not allowed");
    expect(apply.stderr).toContain("allowDestructiveChanges: true");
    expect(types()).toBe(before);
    expect(ws.operationsSince(mark).every((op) => op.startsWith("list") || op.startsWith("describe"))).toBe(
      true,
    );
  });

  it("removes the attribute when the definition allows destructive changes", async () => {
    await deployThree();
    const manifest = ws.manifest(
      withWebinar({ attributes: [webinar.attributes![0]!], allowDestructiveChanges: true }),
    );
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    const live = await rawClient().describeCustomActivityType("webinarAttended", { draft: false });
    expect((live.attributes ?? []).map((a) => a.apiName)).toStrictEqual(["minutesWatched"]);
  });

  it("removes the attribute with --allow-destructive", async () => {
    await deployThree();
    const manifest = ws.manifest(withWebinar({ attributes: [webinar.attributes![0]!] }));
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve", "--allow-destructive");
    expect(apply.code, apply.stderr).toBe(0);
  });

  it("refuses a foreign draft until --discard-foreign-drafts, then discards it", async () => {
    const manifest = await deployThree();
    await rawClient().updateCustomActivityType("webinarAttended", {
      name: "Webinar Attended Edited In Admin",
    });
    const before = types();

    const plan = await ws.run("plan", "--manifest", manifest);
    expect(plan.stdout).toContain(
      'conflict: the draft in Marketo has edits that are neither live nor in your code (name = "Webinar Attended Edited In Admin")',
    );
    const refused = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--discard-foreign-drafts");
    expect(types()).toBe(before);

    const applied = await ws.run(
      "apply",
      "--manifest",
      manifest,
      "--auto-approve",
      "--discard-foreign-drafts",
    );
    expect(applied.code, applied.stderr).toBe(0);
    const webinarState = ws.emulator.state().activityTypes.find((t) => t.apiName === "webinarAttended")!;
    expect(webinarState.status).toBe("approved");
    expect((await ws.run("plan", "--manifest", manifest, "--detailed-exitcode")).code).toBe(0);
  });

  it("never writes to an unmanaged type, and lists it", async () => {
    const raw = rawClient();
    await raw.createCustomActivityType({
      apiName: "partnerImport",
      name: "Partner Import",
      triggerName: "Imported By Partner",
      filterName: "Was Imported By Partner",
      primaryAttribute: { apiName: "partner", name: "Partner" },
    });
    const manifest = ws.manifest(THREE_TYPES);
    const mark = ws.emulator.requests.length;
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain(
      "Unmanaged (in Marketo, not in code; never touched): partnerImport (draft)",
    );
    const touched = ws.emulator.requests.slice(mark).filter((r) => r.apiName === "partnerImport");
    expect(touched).toStrictEqual([]);
  });

  it("deletes a type through a tombstone", async () => {
    await deployThree();
    const manifest = ws.manifest(THREE_TYPES.slice(1), ["webinarAttended"]);
    const plan = await ws.run("plan", "--manifest", manifest);
    expect(plan.stdout).toContain("- webinarAttended will be deleted [destructive]");
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    const listed = await rawClient().listCustomActivityTypes();
    expect(listed.map((t) => t.apiName)).not.toContain("webinarAttended");
  });

  it("refuses a pinned plan after the instance changed, and applies it when it did not", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const saved = await ws.run("plan", "--manifest", manifest, "--out", "plan.json");
    expect(saved.code).toBe(0);
    await rawClient().createCustomActivityType({
      apiName: "somethingNew",
      name: "Something New",
      triggerName: "Does Something",
      filterName: "Did Something",
      primaryAttribute: { apiName: "what", name: "What" },
    });
    const before = types();
    const stale = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("changed since plan.json was made; nothing was applied");
    expect(types()).toBe(before);

    expect((await ws.run("plan", "--manifest", manifest, "--out", "plan2.json")).code).toBe(0);
    const applied = await ws.run("apply", "plan2.json", "--manifest", manifest, "--auto-approve");
    expect(applied.code, applied.stderr).toBe(0);
    expect((await ws.run("plan", "--manifest", manifest, "--detailed-exitcode")).code).toBe(0);
  });

  it("fails when a pinned plan is applied to another instance", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    await ws.run("plan", "--manifest", manifest, "--out", "plan.json");
    const file = join(ws.dir, "plan.json");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/"endpoint": "[^"]+"/, '"endpoint": "123-ABC-456.mktorest.com"'),
    );
    const result = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('was made for instance "prod" at 123-ABC-456.mktorest.com');
  });

  it("goes on when the create call's answer was lost but Marketo created the type", async () => {
    const manifest = ws.manifest([webinar]);
    // The server creates the type, then the connection dies; the client's retry gets "already exists".
    ws.emulator.addFault({ operation: "createCustomActivityType", times: 1, respond: { drop: "after" } });
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(ws.emulator.state().activityTypes.find((t) => t.apiName === "webinarAttended")?.status).toBe(
      "approved",
    );
    expect((await ws.run("plan", "--manifest", manifest, "--detailed-exitcode")).code).toBe(0);
  });

  it("finishes, on the next apply, an apply that died after the create call", async () => {
    const manifest = ws.manifest([webinar]);
    // The server creates the type, then the connection dies before the response.
    ws.emulator.addFault({ operation: "createCustomActivityType", times: 1, respond: { drop: "after" } });
    ws.emulator.addFault({
      operation: "createCustomActivityType",
      nth: 2,
      times: 5,
      respond: { drop: "before" },
    });
    const first = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(first.code).toBe(1);
    expect(ws.emulator.state().activityTypes.find((t) => t.apiName === "webinarAttended")?.status).toBe(
      "draft",
    );

    const plan = await ws.run("plan", "--manifest", manifest);
    expect(plan.stdout).toContain("~ webinarAttended will be updated");
    const second = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(second.code, second.stderr).toBe(0);
    expect(ws.emulator.state().activityTypes.find((t) => t.apiName === "webinarAttended")?.status).toBe(
      "approved",
    );
    expect((await ws.run("plan", "--manifest", manifest, "--detailed-exitcode")).code).toBe(0);
  });

  it("leaves drafts for review when the instance says approve: false, and plans no changes after", async () => {
    const manifest = ws.manifest([webinar], [], { approve: false });
    const apply = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(apply.code, apply.stderr).toBe(0);
    expect(ws.emulator.state().activityTypes[0]?.status).toBe("draft");
    expect(ws.emulator.requests.some((r) => r.operation === "approveCustomActivityType")).toBe(false);
    expect((await ws.run("plan", "--manifest", manifest, "--detailed-exitcode")).code).toBe(0);
  });

  it("refuses when the instance would exceed its type limit, unmanaged types counted", async () => {
    await rawClient().createCustomActivityType({
      apiName: "partnerImport",
      name: "Partner Import",
      triggerName: "Imported By Partner",
      filterName: "Was Imported By Partner",
      primaryAttribute: { apiName: "partner", name: "Partner" },
    });
    const manifest = ws.manifest(THREE_TYPES, [], { maxActivityTypes: 3 });
    const result = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the instance would have 4 custom activity types, over the limit of 3");
  });
});

describe("marketo-activities usage errors", () => {
  it("fails when no manifests are found, saying to synthesize", async () => {
    const result = await ws.run("plan");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatchInlineSnapshot(`
      "Error: no synthesized app found: cdktf.out/manifest.json does not exist
      Hint: run \`npx cdktf synth\` in your cdktf app directory first, or pass --manifest <file>
      "
    `);
  });

  it("fails when credentials are missing, naming the variables and not a stack trace", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const result = await (await import("../helpers/cli.js")).cli(["plan", "--manifest", manifest], {
      cwd: ws.dir,
      env: {},
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("MARKETO_CLIENT_SECRET");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("fails when --only names an apiName the manifest does not declare", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const result = await ws.run("plan", "--manifest", manifest, "--only", "webinarAtended");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--only "webinarAtended": not declared or retired');
    expect(result.stderr).toContain("declared apiNames: checkDeposited, trialStarted, webinarAttended");
  });

  it("fails without --auto-approve when not on a terminal, before any write", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const result = await ws.run("apply", "--manifest", manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--auto-approve");
    expect(ws.emulator.state().activityTypes).toStrictEqual([]);
  });

  it("applies --only one type, leaving the others", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const result = await ws.run("apply", "--manifest", manifest, "--only", "trialStarted", "--auto-approve");
    expect(result.code, result.stderr).toBe(0);
    expect(ws.emulator.state().activityTypes.map((t) => t.apiName)).toStrictEqual(["trialStarted"]);
  });

  it("prints markdown and json plans", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const markdown = await ws.run("plan", "--manifest", manifest, "--format", "markdown");
    expect(markdown.stdout).toContain("| Type | Action | Risk | Changes |");
    const json = await ws.run("plan", "--manifest", manifest, "--format", "json");
    expect(JSON.parse(json.stdout).types).toHaveLength(3);
  });

  it("keeps stdout one document when apply prints json or markdown: progress and outcome go to stderr", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const json = await ws.run("apply", "--manifest", manifest, "--format", "json", "--auto-approve");
    expect(json.code, json.stderr).toBe(0);
    // One apply result (docs/apply-result.md), its plans as the plan file holds them.
    const result = JSON.parse(json.stdout) as {
      outcome: string;
      plans: { types: { apiName: string; steps: { op: string }[] }[] }[];
    };
    expect(result.outcome).toBe("applied");
    expect(result.plans[0]!.types.map((t) => t.steps.map((s) => s.op))).toContainEqual([
      "createType",
      "createAttributes",
      "approve",
    ]);
    expect(json.stderr).toContain("  webinarAttended: creating (3 calls)...\n");
    expect(json.stderr).toContain('Apply complete for instance "prod"');
    expect(json.stderr).toMatch(/API calls used: \d+ \(\d+ to read\)\.\n$/);

    const markdown = await ws.run("apply", "--manifest", manifest, "--format", "markdown", "--auto-approve");
    expect(markdown.stdout).toContain("### Marketo activity types: No changes.");
    expect(markdown.stdout).not.toContain("Nothing to apply");
    expect(markdown.stderr).toContain("Nothing to apply. API calls used: 4.\n");

    const text = await ws.run("apply", "--manifest", manifest, "--auto-approve");
    expect(text.stdout).toContain("Nothing to apply. API calls used: 4.\n");
  });
});

describe("marketo-activities apply on a terminal", () => {
  it("asks for confirmation and applies on 'yes'", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const { cli } = await import("../helpers/cli.js");
    const result = await cli(["apply", "--manifest", manifest], {
      cwd: ws.dir,
      env: ws.env,
      isTTY: true,
      answer: "yes",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(ws.emulator.state().activityTypes).toHaveLength(3);
  });

  it("fails when the answer is not 'yes', changing nothing", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const { cli } = await import("../helpers/cli.js");
    const result = await cli(["apply", "--manifest", manifest], {
      cwd: ws.dir,
      env: ws.env,
      isTTY: true,
      answer: "y",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Apply cancelled; nothing was changed.");
    expect(ws.emulator.state().activityTypes).toStrictEqual([]);
  });
});

describe("marketo-activities validate", () => {
  it("checks manifests without calling Marketo", async () => {
    const manifest = ws.manifest(THREE_TYPES, ["oldSignup"]);
    const mark = ws.emulator.requests.length;
    const result = await ws.run("validate", "--manifest", manifest);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('valid. Instance "prod" (MARKETO_*): 3 types, 1 retired, limit 10.');
    expect(ws.emulator.requests.length).toBe(mark);
  });

  it("fails when a manifest was edited by hand into something invalid, listing every problem", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const json = JSON.parse(readFileSync(manifest, "utf8"));
    json.types[0].apiName = "check deposited";
    json.types[2].attributes[0].dataType = "number";
    writeFileSync(manifest, JSON.stringify(json));
    const result = await ws.run("validate", "--manifest", manifest);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("has 2 problems:");
    expect(result.stderr).toContain('types[0].apiName: got "check deposited"');
    expect(result.stderr).toContain('types[2].attributes[0].dataType: got "number"');
    expect(result.stderr).toContain("Hint: synthesize again (cdktf synth) and do not edit manifests by hand");
  });
});

describe("several instances and other user mistakes", () => {
  /** Credentials of a sandbox (MARKETO_SANDBOX_*) and a production (MARKETO_PROD_*) instance. */
  const twoInstanceEnv = (sandbox: Emulator, production: Emulator) => ({
    ...ws.env,
    ...sandbox.env("MARKETO_SANDBOX"),
    ...production.env("MARKETO_PROD"),
  });

  const writeInstanceManifest = (id: string, envPrefix: string) => {
    const path = join(ws.dir, `marketo-activities.${id}.json`);
    writeFileSync(
      path,
      serializeManifest(
        buildManifest({
          instance: { id, envPrefix, maxActivityTypes: 10, approve: true },
          types: THREE_TYPES.slice(0, 1).map((t) => parseActivityType(t)),
          retired: [],
        }),
      ),
    );
    return path;
  };

  it("stops at a failed instance: later instances are not started", async () => {
    const production = await startEmulator();
    try {
      const env = twoInstanceEnv(ws.emulator, production);
      const sandbox = writeInstanceManifest("sandbox", "MARKETO_SANDBOX");
      const prod = writeInstanceManifest("production", "MARKETO_PROD");
      ws.emulator.addFault({ operation: "createCustomActivityType", times: 10, respond: { code: "603" } });
      const { cli } = await import("../helpers/cli.js");
      const result = await cli(["apply", "--manifest", sandbox, "--manifest", prod, "--auto-approve"], {
        cwd: ws.dir,
        env,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('Apply stopped for instance "sandbox"');
      expect(result.stdout).toContain('Not started for instance "production": an earlier instance failed.');
      expect(production.requests.some((r) => r.operation === "createCustomActivityType")).toBe(false);
    } finally {
      await production.close();
    }
  });

  it("fails when two instances point at the same Marketo host, before any call", async () => {
    const env = twoInstanceEnv(ws.emulator, ws.emulator);
    const sandbox = writeInstanceManifest("sandbox", "MARKETO_SANDBOX");
    const prod = writeInstanceManifest("production", "MARKETO_PROD");
    const { cli } = await import("../helpers/cli.js");
    const result = await cli(["plan", "--manifest", sandbox, "--manifest", prod], { cwd: ws.dir, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('instances "sandbox" and "production" all point at');
    expect(ws.emulator.requests).toStrictEqual([]);
  });

  it("fails when a saved plan was edited to skip a refusal", async () => {
    await deployThree();
    const manifest = ws.manifest(withWebinar({ attributes: [webinar.attributes![0]!] }));
    expect((await ws.run("plan", "--manifest", manifest, "--out", "plan.json")).code).toBe(0);
    const file = join(ws.dir, "plan.json");
    const plan = JSON.parse(readFileSync(file, "utf8"));
    for (const type of plan.types) delete type.destructiveNotAllowed;
    writeFileSync(file, JSON.stringify(plan));
    const before = types();
    const result = await ws.run("apply", "plan.json", "--manifest", manifest, "--auto-approve");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'plan.json is not the plan the checked-out code makes for instance "prod"',
    );
    expect(result.stderr).toContain(
      "types[webinarAttended].destructiveNotAllowed is absent in plan.json, true planned again",
    );
    expect(types()).toBe(before);
  });

  it("fails when a plan file is combined with --only", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    await ws.run("plan", "--manifest", manifest, "--out", "plan.json");
    const result = await ws.run("apply", "plan.json", "--only", "trialStarted");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("a plan file carries its own scope");
  });

  it("fails with a message, not a crash, when --out points into a missing directory", async () => {
    const manifest = ws.manifest(THREE_TYPES);
    const result = await ws.run("plan", "--manifest", manifest, "--out", "missing/dir/plan.json");
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: cannot write the plan to missing/dir/plan.json (ENOENT)");
    expect(result.stderr).not.toContain("Internal error");
  });

  it("fails with a message when the emulator's port is taken or not a number", async () => {
    const port = new URL(ws.emulator.url).port;
    const taken = await ws.run("emulator", "--port", port);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE)`);
    expect(taken.stderr).not.toContain("Internal error");
    const typo = await ws.run("emulator", "--port", "80x");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('--port must be a number from 0 to 65535, got "80x"');
    const prefix = await ws.run("emulator", "--env-prefix", "bad prefix!");
    expect(prefix.code).toBe(1);
    expect(prefix.stderr).toContain("--env-prefix must be upper-case letters");
  });
});
