/**
 * Bad inputs, one table: construct props, hand-edited manifests, tampered plan files, the
 * environment, CLI flags and server answers. Each row must end in one clear message that says what
 * is wrong and how to fix it (a `Hint:` or a `Fix:`), with no stack trace, exit code 1 for the CLI, and
 * nothing written to Marketo that should not be (the emulator's request log shows no write that
 * succeeded, and its state is unchanged).
 *
 * The CLI runs in process (test/helpers/cli.ts) against a fresh emulator per row, with a manifest that
 * declares a new type: an apply that went ahead would write.
 *
 * Shared by test/reliability/bad-inputs.test.ts and scripts/soak.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import {
  CustomActivityType,
  type CustomActivityTypeProps,
  MarketoInstance,
  type MarketoInstanceProps,
  RetiredActivityType,
} from "../../src/constructs/index.js";
import type { EmulatorOptions, FaultResponse, SeedActivityType } from "../../src/emulator/index.js";
import type { Operation } from "../../src/marketo/endpoints.js";
import type { ActivityTypeInput } from "../../src/schema/index.js";
import { errorAnnotations } from "../helpers/constructs.js";
import { deposit, oldSignup, trial, webinar } from "./fixtures.js";
import { type Lab, STACK_LINE, startLab, writesIn } from "./harness.js";
import { type ProxyRule, startProxy } from "./proxy.js";

export type Area = "props" | "manifest" | "plan file" | "environment" | "flags" | "server";

/** What a bad input was answered with. */
export interface Answer {
  /** The CLI's exit code; 1 for a construct error (synth fails). */
  readonly code: number;
  /** Everything printed (stderr, then stdout), or the synth errors. */
  readonly text: string;
  /** The CLI's stderr (empty for props). */
  readonly stderr: string;
  /** Writes Marketo carried out, and a changed state. */
  readonly written: readonly string[];
  /** Requests that reached the emulator when the row says none may (a redirect followed). */
  readonly leaked: readonly string[];
}

export interface BadInput {
  readonly area: Area;
  readonly name: string;
  /** What the message must say: the thing at fault, in the user's terms. */
  readonly says: RegExp;
  /**
   * The fix it must give. Default: a `Hint:` line or a `Fix:`; a usage error of the argument parser
   * names the allowed values or points at --help instead.
   */
  readonly fix?: RegExp;
  readonly answer: () => Promise<Answer>;
}

/** Why an answer is not good enough, or an empty list. */
export function judge(row: BadInput, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.code !== 1) problems.push(`exit code ${answer.code}, not 1`);
  if (STACK_LINE.test(answer.text)) problems.push("a stack trace");
  if (/Internal error/.test(answer.text)) problems.push('"Internal error"');
  if (!row.says.test(answer.text)) problems.push(`the message does not say ${row.says}`);
  const fix = row.fix ?? /Hint: |Fix: /;
  if (!fix.test(answer.text)) problems.push(`no fix (${fix})`);
  const errors = answer.stderr.match(/^Error: /gm)?.length ?? 0;
  if (row.area !== "props" && errors > 1) problems.push(`${errors} "Error:" lines`);
  if (answer.written.length > 0) problems.push(`wrote: ${answer.written.join(", ")}`);
  if (answer.leaked.length > 0) problems.push(`reached another origin: ${answer.leaked.join(", ")}`);
  return problems;
}

// ---- construct props --------------------------------------------------------------------------

const other = {
  ...webinar,
  apiName: "trialStarted",
  name: "Trial Started",
  triggerName: "Starts Trial",
  filterName: "Started Trial",
};
const many = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ apiName: `f${i}`, name: `F${i}`, dataType: "string" }));

/** Synthesizes a stack with one instance; a throw in a constructor counts as the answer too. */
function synthAnswer(
  build: (instance: MarketoInstance) => void,
  props: MarketoInstanceProps = {},
  id = "prod",
): Answer {
  let text: string;
  try {
    const app = Testing.app();
    const stack = new TerraformStack(app, "stack");
    const instance = new MarketoInstance(stack, id, { resourceKind: "terraform_data", ...props });
    build(instance);
    Testing.synth(stack, true);
    text = errorAnnotations(stack).join("\n");
  } catch (error) {
    const e = error as Error & { hint?: string };
    text = `${e.message}${e.hint === undefined ? "" : `\nHint: ${e.hint}`}${e.stack?.includes("\n    at ") && !(e.message.length > 0) ? e.stack : ""}`;
  }
  return { code: text === "" ? 0 : 1, text, stderr: "", written: [], leaked: [] };
}

const prop = (name: string, props: Record<string, unknown>, says: RegExp): BadInput => ({
  area: "props",
  name,
  says,
  answer: async () =>
    synthAnswer((prod) => new CustomActivityType(prod, "t", props as unknown as CustomActivityTypeProps)),
});
const instanceProp = (name: string, props: Record<string, unknown>, says: RegExp): BadInput => ({
  area: "props",
  name,
  says,
  answer: async () =>
    synthAnswer((prod) => new CustomActivityType(prod, "t", webinar), props as MarketoInstanceProps),
});
const tree = (name: string, build: (prod: MarketoInstance) => void, says: RegExp, props = {}): BadInput => ({
  area: "props",
  name,
  says,
  answer: async () => synthAnswer(build, props),
});

const PROPS: readonly BadInput[] = [
  prop(
    "apiName with a space",
    { ...webinar, apiName: "webinar attended" },
    /apiName: got "webinar attended"/,
  ),
  prop("apiName empty", { ...webinar, apiName: "" }, /apiName: got ""/),
  prop("apiName digits only", { ...webinar, apiName: "12345" }, /apiName: got "12345"/),
  prop(
    "apiName with a hyphen",
    { ...webinar, apiName: "webinar-attended" },
    /apiName: got "webinar-attended"/,
  ),
  prop("apiName of 256 characters", { ...webinar, apiName: "a".repeat(256) }, /at most 255 characters/),
  prop(
    "apiName with a semicolon and a command",
    { ...webinar, apiName: "a;rm -rf /" },
    /apiName: got "a;rm -rf \/"/,
  ),
  prop("apiName with $(...)", { ...webinar, apiName: "$(whoami)" }, /apiName: got "\$\(whoami\)"/),
  prop("apiName with a backtick", { ...webinar, apiName: "a`id`" }, /apiName: got "a`id`"/),
  prop("apiName not text", { ...webinar, apiName: 42 }, /apiName: got 42/),
  prop("name with $HOME", { ...webinar, name: "Webinar $HOME" }, /name: got "Webinar \$HOME"/),
  prop(
    "name with a double quote",
    { ...webinar, name: 'Webinar "Attended"' },
    /name: got "Webinar \\"Attended\\""/,
  ),
  prop("name with a newline", { ...webinar, name: "Webinar\nAttended" }, /name: got "Webinar\\nAttended"/),
  prop("name empty", { ...webinar, name: "" }, /name: got ""/),
  prop("triggerName empty", { ...webinar, triggerName: "" }, /triggerName: got ""/),
  prop(
    "triggerName with surrounding spaces",
    { ...webinar, triggerName: " Attends " },
    /triggerName: got " Attends "/,
  ),
  prop("filterName missing", { ...webinar, filterName: undefined }, /filterName: got nothing/),
  prop("description not text", { ...webinar, description: 42 }, /description: got 42/),
  prop(
    "primaryAttribute missing",
    { ...webinar, primaryAttribute: undefined },
    /primaryAttribute: got nothing/,
  ),
  prop(
    "primary dataType varchar",
    { ...webinar, primaryAttribute: { apiName: "webinarName", name: "Webinar Name", dataType: "varchar" } },
    /primaryAttribute\.dataType: got "varchar"/,
  ),
  prop(
    "primary apiName with a space",
    { ...webinar, primaryAttribute: { apiName: "webinar name", name: "Webinar Name" } },
    /primaryAttribute\.apiName: got "webinar name"/,
  ),
  prop(
    "attribute dataType number",
    { ...webinar, attributes: [{ apiName: "minutes", name: "Minutes", dataType: "number" }] },
    /attributes\[0\]\.dataType: got "number"/,
  ),
  prop(
    "attribute apiName twice",
    {
      ...webinar,
      attributes: [
        { apiName: "minutes", name: "Minutes", dataType: "integer" },
        { apiName: "minutes", name: "Minutes Again", dataType: "integer" },
      ],
    },
    /minutes/,
  ),
  prop(
    "attribute apiName equal to the primary's",
    { ...webinar, attributes: [{ apiName: "webinarName", name: "Name", dataType: "string" }] },
    /webinarName/,
  ),
  prop("21 secondary attributes", { ...webinar, attributes: many(21) }, /21|20/),
  prop("attributes not a list", { ...webinar, attributes: { apiName: "x" } }, /attributes/),
  prop("unknown property", { ...webinar, displayName: "Webinar" }, /displayName/),
  prop(
    "allowDestructiveChanges as text",
    { ...webinar, allowDestructiveChanges: "yes" },
    /allowDestructiveChanges/,
  ),
  tree(
    "two types with one apiName",
    (prod) => {
      new CustomActivityType(prod, "a", webinar);
      new CustomActivityType(prod, "b", { ...other, apiName: webinar.apiName });
    },
    /webinarAttended/,
  ),
  tree(
    "two types with one triggerName",
    (prod) => {
      new CustomActivityType(prod, "a", webinar);
      new CustomActivityType(prod, "b", { ...other, triggerName: webinar.triggerName });
    },
    /Attends Webinar/,
  ),
  tree(
    "a type declared and retired",
    (prod) => {
      new CustomActivityType(prod, "a", webinar);
      new RetiredActivityType(prod, "old", { apiName: webinar.apiName });
    },
    /webinarAttended/,
  ),
  tree(
    "retired apiName with a space",
    (prod) => new RetiredActivityType(prod, "old", { apiName: "old signup" }),
    /old signup/,
  ),
  tree(
    "more types than maxActivityTypes",
    (prod) => {
      new CustomActivityType(prod, "a", webinar);
      new CustomActivityType(prod, "b", other);
    },
    /maxActivityTypes|limit/,
    { maxActivityTypes: 1 },
  ),
  instanceProp("envPrefix in lower case", { envPrefix: "marketo_prod" }, /envPrefix/),
  instanceProp("envPrefix with a semicolon", { envPrefix: "MARKETO;rm" }, /envPrefix/),
  instanceProp("envPrefix with $()", { envPrefix: "$(id)" }, /envPrefix/),
  instanceProp("maxActivityTypes zero", { maxActivityTypes: 0 }, /maxActivityTypes/),
  instanceProp("maxActivityTypes 1.5", { maxActivityTypes: 1.5 }, /maxActivityTypes/),
  instanceProp("resourceKind unknown", { resourceKind: "aws_instance" }, /resourceKind/),
  instanceProp("budgetShare zero", { budgetShare: 0 }, /budgetShare/),
  instanceProp("budgetShare above 1", { budgetShare: 2 }, /budgetShare/),
  instanceProp("terraformParallelism zero", { terraformParallelism: 0 }, /terraformParallelism/),
  instanceProp("approve as text", { approve: "no" }, /approve/),
  {
    area: "props",
    name: "instance id with a space and a semicolon",
    says: /prod; rm/,
    answer: async () =>
      synthAnswer((prod) => new CustomActivityType(prod, "t", webinar), {}, "prod; rm -rf ~"),
  },
];

// ---- the CLI against a fresh emulator ----------------------------------------------------------

interface CliCase {
  /** Types live in the emulator before the run. */
  readonly seed?: readonly SeedActivityType[];
  readonly emulator?: EmulatorOptions;
  /** The manifest's types (a new type by default: an apply that went ahead would write). */
  readonly types?: readonly ActivityTypeInput[];
  readonly retired?: readonly string[];
  readonly maxActivityTypes?: number;
  /** Rewrites the manifest file's JSON, or replaces its text. */
  readonly manifest?: (json: Record<string, unknown>) => unknown;
  readonly manifestText?: string;
  /** Prepares more (a saved plan), returns the arguments. */
  readonly prepare?: (lab: Lab) => Promise<readonly string[]>;
  readonly args?: (lab: Lab) => readonly string[];
  readonly env?: (env: Record<string, string>, lab: Lab) => Record<string, string | undefined>;
}

export const applyArgs = (lab: Lab) => ["apply", "--manifest", lab.manifestPath, "--auto-approve"];

/** The manifest types by default: one new type. */
const NEW: readonly ActivityTypeInput[] = [deposit];

async function cliAnswer(c: CliCase): Promise<Answer> {
  const lab = await startLab({ seed: { activityTypes: [...(c.seed ?? [])] }, ...c.emulator });
  try {
    lab.manifest(c.types ?? NEW, {
      retired: c.retired ?? [],
      ...(c.maxActivityTypes === undefined ? {} : { maxActivityTypes: c.maxActivityTypes }),
    });
    if (c.manifest !== undefined) {
      const json = JSON.parse(readFileSync(lab.manifestPath, "utf8")) as Record<string, unknown>;
      writeFileSync(lab.manifestPath, JSON.stringify(c.manifest(json), null, 2));
    }
    if (c.manifestText !== undefined) writeFileSync(lab.manifestPath, c.manifestText);
    const args = c.prepare !== undefined ? await c.prepare(lab) : (c.args ?? applyArgs)(lab);
    const before = JSON.stringify(lab.emulator.state().activityTypes);
    const mark = lab.emulator.requests.length;
    const run = await lab.run(args, c.env === undefined ? {} : { env: c.env(lab.env, lab) });
    const written = writesIn(lab.emulator, mark)
      .filter((r) => r.success)
      .map((r) => `${r.operation}${r.apiName ? ` ${r.apiName}` : ""}`);
    if (JSON.stringify(lab.emulator.state().activityTypes) !== before) written.push("the state changed");
    return { code: run.code, text: `${run.stderr}\n${run.stdout}`, stderr: run.stderr, written, leaked: [] };
  } finally {
    await lab.close();
  }
}

export const row = (area: Area, name: string, says: RegExp, c: CliCase, fix?: RegExp): BadInput => ({
  area,
  name,
  says,
  ...(fix === undefined ? {} : { fix }),
  answer: () => cliAnswer(c),
});

// ---- manifests edited by hand ------------------------------------------------------------------

type Json = Record<string, unknown>;
const instanceOf = (json: Json) => json["instance"] as Json;
const typesOf = (json: Json) => json["types"] as Json[];
export const withInstance = (change: Json) => (json: Json) => ({
  ...json,
  instance: { ...instanceOf(json), ...change },
});
const withType = (change: Json) => (json: Json) => ({ ...json, types: [{ ...typesOf(json)[0], ...change }] });
const manifestRow = (name: string, says: RegExp, c: CliCase) => row("manifest", name, says, c);

const MANIFESTS: readonly BadInput[] = [
  manifestRow("not JSON", /not valid JSON/, { manifestText: "{ types: [" }),
  manifestRow("an empty file", /not valid JSON/, { manifestText: "" }),
  manifestRow("null", /marketo-activities\.prod\.json/, { manifestText: "null" }),
  manifestRow("a JSON list", /marketo-activities\.prod\.json/, { manifestText: "[]" }),
  manifestRow("a JSON string", /marketo-activities\.prod\.json/, { manifestText: '"prod"' }),
  manifestRow("binary garbage", /not valid JSON/, { manifestText: "\u0000\u0001\u00ff\u00fe" }),
  manifestRow("a byte-order mark before the JSON", /marketo-activities\.prod\.json/, {
    manifest: (json) => json,
    prepare: async (lab) => {
      writeFileSync(lab.manifestPath, `\uFEFF${readFileSync(lab.manifestPath, "utf8")}`);
      return applyArgs(lab);
    },
  }),
  manifestRow("formatVersion 2", /formatVersion/, { manifest: (json) => ({ ...json, formatVersion: 2 }) }),
  manifestRow("formatVersion missing", /formatVersion/, {
    manifest: ({ formatVersion: _, ...json }) => json,
  }),
  manifestRow("instance missing", /instance/, { manifest: ({ instance: _, ...json }) => json }),
  manifestRow("instance id with a space", /instance\.id|id/, { manifest: withInstance({ id: "prod x" }) }),
  manifestRow("instance id with a path", /\.\.\/etc/, { manifest: withInstance({ id: "../etc" }) }),
  manifestRow("envPrefix in lower case", /envPrefix/, { manifest: withInstance({ envPrefix: "marketo" }) }),
  manifestRow("envPrefix with a command", /envPrefix/, {
    manifest: withInstance({ envPrefix: "MARKETO;rm -rf" }),
  }),
  manifestRow("maxActivityTypes -1", /maxActivityTypes/, {
    manifest: withInstance({ maxActivityTypes: -1 }),
  }),
  manifestRow("maxActivityTypes as text", /maxActivityTypes/, {
    manifest: withInstance({ maxActivityTypes: "10" }),
  }),
  manifestRow("maxActivityTypes 0.5", /maxActivityTypes/, {
    manifest: withInstance({ maxActivityTypes: 0.5 }),
  }),
  manifestRow("approve as text", /approve/, { manifest: withInstance({ approve: "yes" }) }),
  manifestRow("an unknown instance setting", /clientSecret/, {
    manifest: withInstance({ clientSecret: "x" }),
  }),
  manifestRow("types not a list", /types/, { manifest: (json) => ({ ...json, types: {} }) }),
  manifestRow("a type apiName with a space", /check deposited/, {
    manifest: withType({ apiName: "check deposited" }),
  }),
  manifestRow("a type apiName with a command", /\$\(id\)/, { manifest: withType({ apiName: "$(id)" }) }),
  manifestRow("a display name with punctuation", /Check!/, { manifest: withType({ name: "Check!" }) }),
  manifestRow("a dataType number", /number/, {
    manifest: withType({ attributes: [{ apiName: "amount", name: "Amount", dataType: "number" }] }),
  }),
  manifestRow("a type without primaryAttribute", /primaryAttribute/, {
    manifest: withType({ primaryAttribute: undefined }),
  }),
  manifestRow("an unknown key in a type", /color/, { manifest: withType({ color: "red" }) }),
  manifestRow("21 attributes", /attributes/, { manifest: withType({ attributes: many(21) }) }),
  manifestRow("one apiName declared twice", /checkDeposited/, {
    manifest: (json) => ({ ...json, types: [typesOf(json)[0], typesOf(json)[0]] }),
  }),
  manifestRow("two types with one triggerName", /Deposits Check/, {
    types: [deposit, trial],
    manifest: (json) => ({
      ...json,
      types: typesOf(json).map((t) => ({ ...t, triggerName: "Deposits Check" })),
    }),
  }),
  manifestRow("a type both declared and retired", /checkDeposited/, {
    manifest: (json) => ({ ...json, retired: ["checkDeposited"] }),
  }),
  manifestRow("a retired apiName with a space", /old signup/, {
    manifest: (json) => ({ ...json, retired: ["old signup"] }),
  }),
  manifestRow("an unknown top-level key", /secrets/, { manifest: (json) => ({ ...json, secrets: {} }) }),
  manifestRow("more types than maxActivityTypes", /limit|maxActivityTypes/, {
    types: [deposit, trial],
    manifest: withInstance({ maxActivityTypes: 1 }),
  }),
  manifestRow("a missing file", /no-such\.json/, {
    args: () => ["apply", "--manifest", "no-such.json", "--auto-approve"],
  }),
  manifestRow("a directory", /cannot read|directory|EISDIR/, {
    args: (lab) => {
      mkdirSync(join(lab.dir, "marketo-activities.dir.json"));
      return ["apply", "--manifest", "marketo-activities.dir.json", "--auto-approve"];
    },
  }),
];

// ---- saved plans tampered with ------------------------------------------------------------------

/** Saves a plan of the case's manifest, edits it, and applies it. */
export const planRow = (
  name: string,
  says: RegExp,
  edit: (plan: Json) => unknown,
  c: CliCase = {},
): BadInput =>
  row("plan file", name, says, {
    ...c,
    prepare: async (lab) => {
      const saved = await lab.run(["plan", "--manifest", lab.manifestPath, "--out", "plan.json"]);
      if (saved.code !== 0) throw new Error(`plan --out failed: ${saved.stderr}`);
      const file = join(lab.dir, "plan.json");
      const edited = edit(JSON.parse(readFileSync(file, "utf8")) as Json);
      writeFileSync(file, typeof edited === "string" ? edited : JSON.stringify(edited, null, 2));
      // The plan is checked against the code's manifest (docs/plan-format.md): the one it was made from.
      return ["apply", "plan.json", "--manifest", lab.manifestPath, "--auto-approve"];
    },
  });
const planTypes = (plan: Json) => plan["types"] as Json[];
export const planInstance = (plan: Json) => plan["instance"] as Json;
export const live = (type: ActivityTypeInput): SeedActivityType =>
  ({ ...type, attributes: [...(type.attributes ?? [])] }) as SeedActivityType;

const PLANS: readonly BadInput[] = [
  planRow("not JSON", /plan\.json/, () => "{ plan"),
  planRow("empty", /plan\.json/, () => ""),
  planRow("an empty object", /plan\.json/, () => ({})),
  planRow("formatVersion 99", /plan\.json/, (plan) => ({ ...plan, formatVersion: 99 })),
  planRow("the endpoint changed", /123-ABC-456\.mktorest\.com/, (plan) => ({
    ...plan,
    instance: { ...planInstance(plan), endpoint: "123-ABC-456.mktorest.com" },
  })),
  planRow("the fingerprint changed", /plan\.json/, (plan) => ({ ...plan, fingerprint: "0".repeat(64) })),
  planRow("a step renamed to an unknown operation", /plan\.json/, (plan) => ({
    ...plan,
    types: planTypes(plan).map((t) => ({ ...t, steps: [{ op: "dropEverything" }] })),
  })),
  planRow("a delete step added to a create", /plan\.json/, (plan) => ({
    ...plan,
    types: planTypes(plan).map((t) => ({ ...t, steps: [...(t["steps"] as Json[]), { op: "delete" }] })),
  })),
  planRow("the steps removed", /plan\.json/, (plan) => ({
    ...plan,
    types: planTypes(plan).map((t) => ({ ...t, steps: [] })),
  })),
  planRow("the types removed", /plan\.json/, (plan) => ({ ...plan, types: [] })),
  planRow(
    "destructiveNotAllowed removed",
    /plan\.json/,
    (plan) => ({
      ...plan,
      types: planTypes(plan).map(({ destructiveNotAllowed: _, ...t }) => t),
    }),
    { seed: [live(webinar)], types: [{ ...webinar, attributes: [webinar.attributes[0]] }] },
  ),
  planRow(
    "a conflict removed",
    /plan\.json/,
    (plan) => ({ ...plan, types: planTypes(plan).map(({ conflict: _, ...t }) => t) }),
    {
      seed: [
        {
          ...live(webinar),
          status: "approved with draft",
          draft: { ...webinar, attributes: [...webinar.attributes], name: "Edited In Admin" },
        },
      ],
      types: [webinar],
    },
  ),
  planRow(
    "the limit check set to ok",
    /plan\.json/,
    (plan) => ({ ...plan, limits: { ...(plan["limits"] as Json), ok: true } }),
    // An unmanaged type counts toward the limit: 3 types after apply, over 2.
    { seed: [live(oldSignup)], types: [deposit, trial], maxActivityTypes: 2 },
  ),
  planRow("approve flipped to false", /plan\.json/, (plan) => ({
    ...plan,
    instance: { ...planInstance(plan), approve: false },
  })),
  planRow("the envPrefix changed", /MARKETO_OTHER/, (plan) => ({
    ...plan,
    instance: { ...planInstance(plan), envPrefix: "MARKETO_OTHER" },
  })),
  planRow("the same plan twice in one file", /plan\.json|prod/, (plan) => ({
    formatVersion: plan["formatVersion"],
    plans: [plan, plan],
  })),
  planRow("the instance id changed", /staging/, (plan) => ({
    ...plan,
    instance: { ...planInstance(plan), id: "staging" },
  })),
  planRow("a create request renamed (desired state and steps edited alike)", /plan\.json/, (plan) =>
    JSON.parse(JSON.stringify(plan).replaceAll('"Check Deposited"', '"Hacked Name"')),
  ),
  row("plan file", "a missing plan file", /no-plan\.json/, {
    args: () => ["apply", "no-plan.json", "--auto-approve"],
  }),
  // Used to be called "a plan of format 1, made by an earlier version" (a manifest's formatVersion).
  row("plan file", "a manifest given as the plan file", /is a manifest.*--manifest/, {
    args: () => ["apply", "marketo-activities.prod.json", "--auto-approve"],
  }),
];

// ---- the environment ----------------------------------------------------------------------------

export const envRow = (
  name: string,
  says: RegExp,
  env: (env: Record<string, string>, lab: Lab) => Record<string, string | undefined>,
  c: CliCase = {},
) => row("environment", name, says, { ...c, env });
export const without =
  (...names: string[]) =>
  (env: Record<string, string>) =>
    Object.fromEntries(Object.entries(env).filter(([k]) => !names.includes(k)));
export const withVar = (name: string, value: string) => (env: Record<string, string>) => ({
  ...env,
  [name]: value,
});
export const share = (value: string) => withVar("MARKETO_BUDGET_SHARE", value);

const ENVIRONMENT: readonly BadInput[] = [
  envRow("no variables at all", /MARKETO_BASE_URL/, () => ({})),
  envRow("no client secret", /MARKETO_CLIENT_SECRET/, without("MARKETO_CLIENT_SECRET")),
  envRow("no client id", /MARKETO_CLIENT_ID/, without("MARKETO_CLIENT_ID")),
  envRow("no base URL", /MARKETO_BASE_URL/, without("MARKETO_BASE_URL")),
  envRow("an empty base URL", /MARKETO_BASE_URL/, withVar("MARKETO_BASE_URL", "")),
  envRow("a base URL that is not a URL", /MARKETO_BASE_URL/, withVar("MARKETO_BASE_URL", "not a url")),
  envRow(
    "an ftp base URL",
    /MARKETO_BASE_URL/,
    withVar("MARKETO_BASE_URL", "ftp://123-ABC-456.mktorest.com"),
  ),
  envRow("a base URL with a query", /MARKETO_BASE_URL/, (env) => ({
    ...env,
    MARKETO_BASE_URL: `${env["MARKETO_BASE_URL"]}?debug=1`,
  })),
  envRow("a base URL with a user and password", /MARKETO_BASE_URL/, (env) => ({
    ...env,
    MARKETO_BASE_URL: env["MARKETO_BASE_URL"]!.replace("http://", "http://user:pass@"),
  })),
  envRow(
    "a base URL with a space inside",
    /MARKETO_BASE_URL/,
    withVar("MARKETO_BASE_URL", "https://123-ABC 456.mktorest.com"),
  ),
  envRow("http:// alone", /MARKETO_BASE_URL/, withVar("MARKETO_BASE_URL", "http://")),
  envRow("a Munchkin id with a slash", /MARKETO_MUNCHKIN_ID/, (env) => ({
    ...without("MARKETO_BASE_URL")(env),
    MARKETO_MUNCHKIN_ID: "123-ABC-456/evil",
  })),
  envRow(
    "a wrong client secret",
    /MARKETO_CLIENT_SECRET|credentials/i,
    withVar("MARKETO_CLIENT_SECRET", "wrong"),
  ),
  envRow("a wrong client id", /MARKETO_CLIENT_ID|credentials/i, withVar("MARKETO_CLIENT_ID", "wrong")),
  envRow(
    "nothing listening at the base URL",
    /MARKETO_BASE_URL|127\.0\.0\.1:1\b|ECONNREFUSED|connect/,
    withVar("MARKETO_BASE_URL", "http://127.0.0.1:1"),
  ),
  envRow("a budget share of 0", /MARKETO_BUDGET_SHARE/, share("0")),
  envRow("a negative budget share", /MARKETO_BUDGET_SHARE/, share("-0.5")),
  envRow("a budget share above 1", /MARKETO_BUDGET_SHARE/, share("1.5")),
  envRow("a budget share that is a word", /MARKETO_BUDGET_SHARE/, share("half")),
  envRow("a budget share NaN", /MARKETO_BUDGET_SHARE/, share("NaN")),
  envRow("a budget share Infinity", /MARKETO_BUDGET_SHARE/, share("Infinity")),
  envRow("a budget share as a fraction", /MARKETO_BUDGET_SHARE/, share("1/2")),
  envRow("a budget share as a percentage", /MARKETO_BUDGET_SHARE/, share("50%")),
  envRow("credentials only for another prefix", /MARKETO_PROD_/, (env) => env, {
    manifest: withInstance({ envPrefix: "MARKETO_PROD" }),
  }),
  // Used to reach identity and end in 610, naming neither the variable nor its value.
  envRow("a base URL with an API path", /MARKETO_BASE_URL.*\/rest\/v1\/activities/, (env) => ({
    ...env,
    MARKETO_BASE_URL: `${env["MARKETO_BASE_URL"]}/rest/v1/activities`,
  })),
];

// ---- CLI flags ----------------------------------------------------------------------------------

export const flagRow = (name: string, says: RegExp, args: (lab: Lab) => readonly string[], fix?: RegExp) =>
  row("flags", name, says, { args }, fix);
/** The argument parser's usage errors point at --help. */
const HELP = /run with --help for usage/;

const FLAGS: readonly BadInput[] = [
  flagRow(
    "--format yaml",
    /yaml/,
    (lab) => [...applyArgs(lab), "--format", "yaml"],
    /Allowed choices are text, markdown, json/,
  ),
  flagRow("--budget-share 0", /--budget-share/, (lab) => [...applyArgs(lab), "--budget-share", "0"]),
  flagRow("--budget-share half", /--budget-share/, (lab) => [...applyArgs(lab), "--budget-share", "half"]),
  flagRow("--budget-share 1.5", /--budget-share/, (lab) => [...applyArgs(lab), "--budget-share", "1.5"]),
  flagRow(
    "--budget-share without a value",
    /--budget-share.*argument missing/,
    (lab) => [...applyArgs(lab), "--budget-share"],
    HELP,
  ),
  flagRow("--only an undeclared apiName", /webinarAtended/, (lab) => [
    ...applyArgs(lab),
    "--only",
    "webinarAtended",
  ]),
  flagRow(
    "an unknown flag",
    /unknown option '--force'/,
    (lab) => [...applyArgs(lab), "--force"],
    /Did you mean --format\?/,
  ),
  flagRow("an unknown command", /unknown command 'destroy'/, () => ["destroy"], HELP),
  flagRow("a plan file with --only", /plan file/, (lab) => [
    "apply",
    "plan.json",
    "--only",
    "checkDeposited",
    "--manifest",
    lab.manifestPath,
  ]),
  flagRow(
    "two plan files",
    /too many arguments for 'apply'/,
    () => ["apply", "a.json", "b.json", "--auto-approve"],
    HELP,
  ),
  flagRow("apply without --auto-approve off a terminal", /--auto-approve/, (lab) => [
    "apply",
    "--manifest",
    lab.manifestPath,
  ]),
  flagRow("plan --out into a missing directory", /missing\/dir\/plan\.json/, (lab) => [
    "plan",
    "--manifest",
    lab.manifestPath,
    "--out",
    "missing/dir/plan.json",
  ]),
  flagRow("no manifest and no synthesized app", /cdktf synth/, () => ["apply", "--auto-approve"]),
  flagRow("--stack of an app that was not synthesized", /cdktf synth|stack/, () => [
    "apply",
    "--stack",
    "nope",
    "--auto-approve",
  ]),
  flagRow("the same manifest twice", /prod/, (lab) => [...applyArgs(lab), "--manifest", lab.manifestPath]),
  flagRow(
    "emulator --port 99999",
    /--port.*"99999"/,
    () => ["emulator", "--port", "99999"],
    /must be a number from 0 to 65535/,
  ),
  flagRow(
    "emulator --port abc",
    /--port.*"abc"/,
    () => ["emulator", "--port", "abc"],
    /must be a number from 0 to 65535/,
  ),
  flagRow("emulator --env-prefix in lower case", /--env-prefix/, () => [
    "emulator",
    "--env-prefix",
    "marketo",
  ]),
  // `--only ""` (an empty variable in a script) used to apply every type.
  flagRow("--only empty", /--only got an empty value/, (lab) => [...applyArgs(lab), "--only", ""]),
  flagRow("plan --only blank", /--only got an empty value/, (lab) => [
    "plan",
    "--manifest",
    lab.manifestPath,
    "--only",
    " ",
  ]),
  // import never overwrites a file it was not told to.
  flagRow(
    "import --out a file that exists, without --force",
    /exists; nothing was read or written/,
    (lab) => ["import", "--out", lab.manifestPath],
    /--force/,
  ),
];

// ---- server answers -----------------------------------------------------------------------------

/** The first calls of `operation` (enough that no resend gets past them) answered with `respond`. */
export const serverRow = (
  name: string,
  says: RegExp,
  operation: Operation,
  respond: FaultResponse,
  c: CliCase = {},
  fix?: RegExp,
): BadInput =>
  row(
    "server",
    name,
    says,
    { ...c, emulator: { ...c.emulator, faults: [{ operation, nth: 1, times: 50, respond }] } },
    fix,
  );
const html = (status: number) =>
  ({
    httpStatus: status,
    body: "<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>",
  }) as const;
export const json = (value: unknown) => ({ httpStatus: 200, body: JSON.stringify(value) }) as const;

/** A CLI run against a proxy as MARKETO_BASE_URL; `leaked` are the REST calls the emulator got. */
const proxyRow = (name: string, says: RegExp, rule: (emulatorUrl: string) => ProxyRule): BadInput => ({
  area: "server",
  name,
  says,
  answer: async () => {
    const lab = await startLab();
    const proxy = await startProxy(rule(lab.emulator.url));
    try {
      lab.manifest(NEW);
      const run = await lab.run(applyArgs(lab), { env: { ...lab.env, MARKETO_BASE_URL: proxy.url } });
      const reached = lab.emulator.requests.map((r) => r.operation);
      const leaked = reached.filter(
        (op) => op !== "identity" || !proxy.seen.includes("/identity/oauth/token"),
      );
      return {
        code: run.code,
        text: `${run.stderr}\n${run.stdout}`,
        stderr: run.stderr,
        written: writesIn(lab.emulator)
          .filter((r) => r.success)
          .map((r) => r.operation),
        leaked,
      };
    } finally {
      await proxy.close();
      await lab.close();
    }
  },
});
const redirect =
  (target: string): ProxyRule =>
  (request) => ({
    status: 307,
    headers: { location: `${target}${request.url ?? "/"}` },
  });

const SERVER: readonly BadInput[] = [
  serverRow("identity answers an HTML page with 200", /identity|authentica/i, "identity", html(200)),
  serverRow("identity answers 500 with an HTML page", /identity|authentica/i, "identity", html(500)),
  serverRow("identity answers 403", /identity|authentica|403/i, "identity", html(403)),
  serverRow(
    "identity answers JSON without a token",
    /identity|token/i,
    "identity",
    json({ token_type: "bearer", expires_in: 3600 }),
  ),
  serverRow(
    "identity answers a token that has already expired",
    /token|expir/i,
    "identity",
    json({
      access_token: "0b8f3b1e-0000-4000-8000-000000000000:emu",
      token_type: "bearer",
      expires_in: 0,
      scope: "api-user@emulator.invalid",
    }),
  ),
  serverRow("identity answers malformed JSON", /identity|authentica/i, "identity", {
    httpStatus: 200,
    body: '{"access_token":',
  }),
  serverRow(
    "the list answers an HTML page with 200",
    /listCustomActivityTypes|HTML|not JSON/i,
    "listCustomActivityTypes",
    html(200),
  ),
  serverRow(
    "the list answers success:false without errors",
    /listCustomActivityTypes/,
    "listCustomActivityTypes",
    json({ requestId: "a#1", success: false }),
  ),
  serverRow(
    "the list answers success:false with an empty errors list",
    /listCustomActivityTypes/,
    "listCustomActivityTypes",
    json({ requestId: "a#1", success: false, errors: [] }),
  ),
  serverRow("the list answers 401", /listCustomActivityTypes|401/, "listCustomActivityTypes", {
    httpStatus: 401,
    body: '{"error":"unauthorized"}',
  }),
  serverRow(
    "the list answers 403 with an HTML page",
    /listCustomActivityTypes|403/,
    "listCustomActivityTypes",
    html(403),
  ),
  serverRow(
    "the list answers 404 with an HTML page",
    /listCustomActivityTypes|404/,
    "listCustomActivityTypes",
    html(404),
  ),
  serverRow("the list answers malformed JSON", /listCustomActivityTypes/, "listCustomActivityTypes", {
    httpStatus: 200,
    body: '{"success":tr',
  }),
  serverRow("the list answers an empty body", /listCustomActivityTypes/, "listCustomActivityTypes", {
    httpStatus: 200,
    body: "",
  }),
  serverRow("the list answers a JSON list", /listCustomActivityTypes/, "listCustomActivityTypes", json([])),
  serverRow(
    "the list answers a result that is not a list",
    /listCustomActivityTypes/,
    "listCustomActivityTypes",
    json({ requestId: "a#1", success: true, result: { apiName: "x" } }),
  ),
  serverRow(
    "the list answers a type with an unknown status",
    /archived|status/,
    "listCustomActivityTypes",
    json({
      requestId: "a#1",
      success: true,
      result: [
        {
          id: 100001,
          apiName: "checkDeposited",
          name: "Check Deposited",
          triggerName: "Deposits Check",
          filterName: "Deposited Check",
          status: "archived",
        },
      ],
    }),
  ),
  serverRow("the list answers 603 access denied", /603|denied|permission/i, "listCustomActivityTypes", {
    code: "603",
  }),
  serverRow(
    "a describe answers another type's apiName",
    /webinarAttended|someOtherType/,
    "describeCustomActivityType",
    json({
      requestId: "a#1",
      success: true,
      result: [
        {
          id: 100002,
          apiName: "someOtherType",
          name: "Other",
          triggerName: "Does Other",
          filterName: "Did Other",
          status: "approved",
          primaryAttribute: { apiName: "x", name: "X", dataType: "string" },
          attributes: [],
        },
      ],
    }),
    { seed: [live(webinar)], types: [{ ...webinar, description: "Changed" }] },
  ),
  serverRow("every list call's connection dropped", /listCustomActivityTypes/, "listCustomActivityTypes", {
    drop: "before",
  }),
  serverRow(
    "every list call answered 502 by a gateway",
    /listCustomActivityTypes|502/,
    "listCustomActivityTypes",
    html(502),
  ),
  serverRow(
    "every list call answered 503 with Retry-After text",
    /listCustomActivityTypes|503/,
    "listCustomActivityTypes",
    {
      httpStatus: 503,
      body: "Service Temporarily Unavailable",
    },
  ),
  serverRow("identity answered 429 Too Many Requests", /identity|authentica|429/i, "identity", {
    httpStatus: 429,
    body: '{"error":"too_many_requests"}',
  }),
  serverRow(
    "a describe answers 200 with an HTML page",
    /describeCustomActivityType|HTML/,
    "describeCustomActivityType",
    html(200),
    {
      seed: [live(webinar)],
      types: [{ ...webinar, description: "Changed" }],
    },
  ),
  proxyRow("every call redirected (307) to another origin", /307|redirect/i, (target) => redirect(target)),
  proxyRow(
    "REST calls redirected (307) to another origin, identity forwarded",
    /307|redirect/i,
    (target) => (request) =>
      request.url?.startsWith("/identity") ? { forward: target } : redirect(target)(request),
  ),
  proxyRow("a 302 redirect to another origin", /302|redirect/i, (target) => (request) => ({
    status: 302,
    headers: { location: `${target}${request.url ?? "/"}` },
  })),
  // Malformed list answers used to read as "no types", and the apply went ahead.
  serverRow(
    "the list answers success without a result",
    /listCustomActivityTypes with success but no result/,
    "listCustomActivityTypes",
    json({ requestId: "a#1", success: true }),
  ),
  serverRow(
    "the list answers a type without an apiName",
    /listCustomActivityTypes with an activity type without an apiName/,
    "listCustomActivityTypes",
    json({
      requestId: "a#1",
      success: true,
      result: [{ id: 100001, name: "Check Deposited", status: "approved" }],
    }),
  ),
  // An unknown code used to end in a message without a hint.
  serverRow("the list answers an unknown code", /9999/, "listCustomActivityTypes", { code: "9999" as "603" }),
  // A type that fails during apply: its message and hint come in apply's outcome, the hint as
  // `Hint (<apiName>): ...` (several types may fail in one apply).
  serverRow(
    "a create answers another type's apiName",
    /checkDeposited: failed[\s\S]*Apply stopped[\s\S]*"checkDeposited" with an activity type named "someOtherType"/,
    "createCustomActivityType",
    json({
      requestId: "a#1",
      success: true,
      result: [
        {
          id: 100002,
          apiName: "someOtherType",
          name: "Other",
          triggerName: "Does Other",
          filterName: "Did Other",
          status: "draft",
          primaryAttribute: { apiName: "x", name: "X", dataType: "string" },
        },
      ],
    }),
    {},
    /Hint \(checkDeposited\): the answer is not about the type asked for/,
  ),
];

/** Every row, by area. */
export const BAD_INPUTS: readonly BadInput[] = [
  ...PROPS,
  ...MANIFESTS,
  ...PLANS,
  ...ENVIRONMENT,
  ...FLAGS,
  ...SERVER,
];

/** Runs every row; the failing ones with their problems and output. */
export async function runBadInputs(
  rows: readonly BadInput[] = BAD_INPUTS,
): Promise<{ row: BadInput; answer: Answer; problems: string[] }[]> {
  const results = [];
  for (const r of rows) {
    let answer: Answer;
    try {
      answer = await r.answer();
    } catch (error) {
      // The row's own set-up failed: reported as a failing row, never as a pass.
      answer = {
        code: -1,
        text: `the row could not run: ${String(error)}`,
        stderr: "",
        written: [],
        leaked: [],
      };
    }
    results.push({ row: r, answer, problems: judge(r, answer) });
  }
  return results;
}
