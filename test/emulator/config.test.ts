/**
 * Emulator config files (docs/emulator.md, Config files): what the probe writes reads back as the same
 * behaviour; bad files are refused with the file, the problem and the fix; `startEmulator({ config })`
 * behaves as the file says, with explicit `behaviour` options on top.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_BEHAVIOUR,
  type EmulatorBehaviour,
  loadEmulatorConfig,
  parseEmulatorConfig,
  startEmulator,
} from "../../src/emulator/index.js";
import { resolveBehaviour } from "../../src/emulator/options.js";
import { MarketoActivitiesError } from "../../src/schema/errors.js";
import { tempDir } from "../helpers/tools.js";
import { emulatorWith } from "../reconcile/helpers.js";
import { emulate, seededType } from "./helpers.js";

const LIST = "/rest/v1/activities/external/types.json";

/** Every option set to a value other than its default. */
const EVERY_OPTION_CHANGED: Required<EmulatorBehaviour> = {
  listIncludesDrafts: false,
  listIncludesDeleted: true,
  listIncludesAttributes: true,
  describeMissingVersion: "error",
  discardDraftOnDraftOnly: "deleteType",
  attributesOnCreate: "reject",
  dataTypeChangeAfterApproval: "reject",
  primaryChangeAfterApproval: "allow",
  primaryDataTypes: ["string", "integer"],
  absentFields: "null",
  emptyDescription: "ignore",
  attributeNameRequired: false,
  emptyList: "warning",
  listOrder: "reverse",
  displayNames: "ascii",
  primaryInAttributesList: true,
  omitEmptyAttributes: false,
  deletedApiNameReusable: false,
  uniqueDisplayName: true,
  rejectChangesWhenInUse: false,
  createResponseOmitsIds: true,
  emptyResultOn: ["approveCustomActivityType", "deleteCustomActivityType"],
  emptyErrorsAndWarnings: true,
  activityTypesIncludeApiName: false,
  omitActivityRecordId: true,
  unknownTypeCode: "610",
  duplicateApiNameCode: "1009",
  duplicateNameCode: "1009",
  duplicateAttributeCode: "1009",
  unknownAttributeCode: "1013",
  approveWithoutDraftCode: "1003",
  discardWithoutDraftCode: "1003",
  primaryRuleCode: "1003",
  immutableFieldCode: "1003",
  missingFieldCode: "1002",
  invalidValueCode: "1001",
  inUseCode: "709",
  tooManyRecordsCode: "1001",
  notApprovedCode: "709",
};

function configFile(content: unknown): string {
  const path = join(tempDir("emulator-config"), "marketo-emulator.json");
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The error a bad file gives, as message and hint. */
function refusal(content: unknown): { message: string; hint: string | undefined } {
  const path = configFile(content);
  try {
    loadEmulatorConfig(path);
  } catch (error) {
    expect(error).toBeInstanceOf(MarketoActivitiesError);
    const { message, hint, code } = error as MarketoActivitiesError;
    expect(code).toBe("EmulatorConfigInvalid");
    return { message: message.replaceAll(path, "<file>"), hint };
  }
  throw new Error("the file was accepted");
}

const FIX =
  "fix the file, or write it again with `marketo-activities probe --write-emulator-config <file>`; docs/emulator.md (Config files) lists every option and its values";

describe("a config file", () => {
  it("round-trips every option, each set to another value than its default, into the same resolved behaviour", () => {
    expect(Object.keys(EVERY_OPTION_CHANGED).sort()).toStrictEqual(Object.keys(DEFAULT_BEHAVIOUR).sort());
    for (const [key, value] of Object.entries(EVERY_OPTION_CHANGED)) {
      expect(value, key).not.toStrictEqual(DEFAULT_BEHAVIOUR[key as keyof typeof DEFAULT_BEHAVIOUR]);
    }
    const path = configFile({ behaviour: EVERY_OPTION_CHANGED });
    const { behaviour } = loadEmulatorConfig(path);
    expect(behaviour).toStrictEqual(EVERY_OPTION_CHANGED);
    expect(resolveBehaviour(behaviour)).toStrictEqual(resolveBehaviour(EVERY_OPTION_CHANGED));
  });

  it("takes the defaults as they are, a partial behaviour, and the probe's $comment and source", () => {
    expect(
      parseEmulatorConfig(JSON.stringify({ behaviour: DEFAULT_BEHAVIOUR }), "d.json").behaviour,
    ).toStrictEqual(DEFAULT_BEHAVIOUR);
    const partial = parseEmulatorConfig(
      JSON.stringify({
        $comment: "written by marketo-activities probe",
        source: "123-ABC-456 at 2026-12-01T10:00:00Z",
        behaviour: { listOrder: "reverse", inUseCode: "709" },
      }),
      "p.json",
    );
    expect(partial).toStrictEqual({ behaviour: { listOrder: "reverse", inUseCode: "709" } });
    expect(resolveBehaviour(partial.behaviour)).toStrictEqual({
      ...DEFAULT_BEHAVIOUR,
      listOrder: "reverse",
      inUseCode: "709",
    });
    expect(parseEmulatorConfig('{ "behaviour": {} }', "e.json")).toStrictEqual({ behaviour: {} });
  });
});

describe("a bad config file", () => {
  it("that is missing names the path and how to write one", () => {
    const path = join(tempDir("emulator-config"), "absent.json");
    expect(() => loadEmulatorConfig(path)).toThrow(
      expect.objectContaining({
        code: "EmulatorConfigInvalid",
        message: `cannot read emulator config ${path}: no such file`,
        hint: "check the path (relative paths are taken from the working directory), or write the file with `marketo-activities probe --write-emulator-config <file>`",
      }),
    );
    const dir = join(tempDir("emulator-config"), "a-directory");
    mkdirSync(dir);
    expect(() => loadEmulatorConfig(dir)).toThrow(`cannot read emulator config ${dir}: it is a directory`);
  });

  it("that is not JSON says so", () => {
    const { message, hint } = refusal("{ behaviour: ");
    expect(message).toMatch(/^emulator config <file> is not JSON: /);
    expect(hint).toBe(FIX);
  });

  it.each([
    [[], 'emulator config <file> holds an array; it must be an object: { "behaviour": { ... } }'],
    [null, 'emulator config <file> holds null; it must be an object: { "behaviour": { ... } }'],
    [{}, 'emulator config <file>: no "behaviour" object; the file must be { "behaviour": { ... } }'],
    [
      { behaviour: [] },
      'emulator config <file>: "behaviour" is []; it must be an object of behaviour options',
    ],
    [
      { behaviour: {}, probedAt: "yesterday" },
      'emulator config <file>: unknown key "probedAt" at the top level; the keys are behaviour, $comment, source',
    ],
    [{ behaviour: {}, source: 12 }, "emulator config <file>: source is 12; it must be a string"],
    [
      { behaviour: { listOrder: "name" } },
      'emulator config <file>: behaviour.listOrder is "name"; it must be one of "id", "reverse"',
    ],
    [
      { behaviour: { listIncludesDrafts: "yes" } },
      'emulator config <file>: behaviour.listIncludesDrafts is "yes"; it must be true or false',
    ],
    [
      { behaviour: { inUseCode: 1022 } },
      'emulator config <file>: behaviour.inUseCode is 1022; it must be a Marketo error code written as a string, e.g. "1013"',
    ],
    [
      { behaviour: { primaryDataTypes: ["string", "blob"] } },
      'emulator config <file>: behaviour.primaryDataTypes[1] is "blob" (an item of the list); it must be a list (possibly empty) whose items are each one of "string", "boolean", "integer", "float", "link", "email", "currency", "date", "datetime", "phone", "text"',
    ],
  ])("%j is refused: %s", (content, expected) => {
    const { message, hint } = refusal(content);
    expect(message).toBe(expected);
    expect(hint).toBe(FIX);
  });

  it("with an unknown option names it and every allowed one", () => {
    const { message } = refusal({ behaviour: { listIncludesDraft: true } });
    expect(message).toBe(
      `emulator config <file>: unknown behaviour option "listIncludesDraft"; the options are ${Object.keys(DEFAULT_BEHAVIOUR).join(", ")}`,
    );
  });

  it("with several problems reports them all at once", () => {
    const { message } = refusal({ behaviour: { listOrder: "name", emptyList: 702, surprise: 1 } });
    const lines = message.split("\n");
    expect(lines[0]).toBe("emulator config <file> has 3 problems:");
    expect(lines.slice(1).sort()).toStrictEqual([
      '  - behaviour.emptyList is 702; it must be one of "702", "result", "warning"',
      '  - behaviour.listOrder is "name"; it must be one of "id", "reverse"',
      `  - unknown behaviour option "surprise"; the options are ${Object.keys(DEFAULT_BEHAVIOUR).join(", ")}`,
    ]);
  });
});

describe("startEmulator({ config })", () => {
  const seed = {
    activityTypes: [
      seededType("first", { id: 100001 }),
      seededType("second", { id: 100002 }),
      seededType("neverApproved", { id: 100003, status: "draft" as const }),
    ],
  };
  const listed = async (api: Awaited<ReturnType<typeof emulate>>["api"]) =>
    ((await api.get(LIST)).body.result as { apiName: string }[]).map((t) => t.apiName);

  it("answers as the file says", async () => {
    const config = configFile({
      source: "test",
      behaviour: { listOrder: "reverse", listIncludesDrafts: false },
    });
    const { api } = await emulate({ config, seed });
    expect(await listed(api)).toStrictEqual(["second", "first"]);
  });

  it("lets explicit behaviour options override the file's, key by key", async () => {
    const config = configFile({ behaviour: { listOrder: "reverse", listIncludesDrafts: false } });
    const { api } = await emulate({ config, seed, behaviour: { listIncludesDrafts: true } });
    expect(await listed(api)).toStrictEqual(["neverApproved", "second", "first"]);
  });

  it("does not start with a bad file", async () => {
    const config = configFile({ behaviour: { listOrder: "name" } });
    await expect(startEmulator({ config })).rejects.toThrow(
      `emulator config ${config}: behaviour.listOrder is "name"; it must be one of "id", "reverse"`,
    );
  });

  it("is taken by the reconcile test helper", async () => {
    const config = configFile({ behaviour: { listIncludesDrafts: false } });
    const { client } = await emulatorWith(
      [
        { apiName: "live", status: "approved" },
        { apiName: "draftOnly", status: "draft" },
      ],
      { config },
    );
    const types = await client.listCustomActivityTypes();
    expect(types.map((t) => t.apiName)).toStrictEqual(["live"]);
  });
});
