/**
 * The behaviour matrix: every scenario a team lives through, against every answer Marketo's documents
 * allow (each open behaviour of the emulator flipped one at a time, a few together, and a 606 storm).
 *
 * A cell's outcome is one of:
 * - `converge`: the instance holds the declared state, the next plan is empty, nothing is duplicated,
 *   and the calls made are the plan's own minimum plus the resends the faults forced;
 * - `refuse`: stopped with a named message, and nothing the code declared was half-published.
 * `EXPECTED` names every cell that refuses, with its message; every other cell converges.
 */
import { ActivityClient } from "../../src/activities/index.js";
import type { EmulatorOptions } from "../../src/emulator/index.js";
import { OPERATIONS } from "../../src/marketo/endpoints.js";
import { hasDraft } from "../../src/marketo/index.js";
import type { ApplyOptions } from "../../src/reconcile/index.js";
import type { ActivityTypeInput, Manifest } from "../../src/schema/index.js";
import { type Deployed, manifestOf, World } from "./world.js";

// ---- the definitions -------------------------------------------------------------------------

const minutesWatched = { apiName: "minutesWatched", name: "Minutes Watched", dataType: "integer" } as const;
const platform = {
  apiName: "platform",
  name: "Platform",
  dataType: "string",
  description: "Zoom or Teams",
} as const;

const webinar = {
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  description: "Who attended which webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name", description: "The title" },
  attributes: [minutesWatched, platform],
} satisfies ActivityTypeInput;

const deposit = {
  apiName: "checkDeposited",
  name: "Check Deposited",
  triggerName: "Deposits Check",
  filterName: "Deposited Check",
  primaryAttribute: { apiName: "checkNumber", name: "Check Number" },
} satisfies ActivityTypeInput;

const webinarSafeChange = {
  ...webinar,
  description: "Who attended which webinar, live or recorded",
  attributes: [...webinar.attributes, { apiName: "host", name: "Host", dataType: "string" }],
} satisfies ActivityTypeInput;

const webinarWithoutPlatform = {
  ...webinar,
  attributes: [minutesWatched],
} satisfies ActivityTypeInput;

/** The primary moves to `platform`; the old primary stays as a secondary. */
const webinarNewPrimary = {
  ...webinar,
  primaryAttribute: { apiName: "platform", name: "Platform", description: "Zoom or Teams" },
  attributes: [
    minutesWatched,
    { apiName: "webinarName", name: "Webinar Name", dataType: "string", description: "The title" },
  ],
} satisfies ActivityTypeInput;

const { description: _cleared, ...webinarWithoutDescription } = webinar;

const inscricao = {
  apiName: "inscricaoWebinar",
  name: "Inscrição em Webinar",
  triggerName: "Inscreve-se em Webinar",
  filterName: "Inscrito em Webinar",
  primaryAttribute: { apiName: "webinarNome", name: "Nome do Webinar" },
} satisfies ActivityTypeInput;

const scored = {
  apiName: "leadScored",
  name: "Lead Scored",
  triggerName: "Is Scored",
  filterName: "Was Scored",
  primaryAttribute: { apiName: "score", name: "Score", dataType: "integer" },
} satisfies ActivityTypeInput;

// ---- what a cell observes --------------------------------------------------------------------

export interface Observed {
  readonly outcome: "converge" | "refuse" | "diverge";
  /** The refusal or failure message, or what diverged. */
  readonly message?: string;
  /** Calls of the scenario's own deploys (setup excluded), retries included. */
  readonly calls: number;
  /** Their resends. */
  readonly retries: number;
  /** The reads apply made to check its work (approve's answer not whole, a resend read back). */
  readonly reads: number;
  /** The calls their plans named. */
  readonly minimum: number;
  readonly elapsedMs: number;
}

/** Why a manifest's state is not what the instance holds, or nothing. */
async function divergence(world: World, manifest: Manifest): Promise<string | undefined> {
  const duplicated = [...world.liveCounts()].filter(([, n]) => n > 1).map(([a]) => a);
  if (duplicated.length > 0) return `duplicated: ${duplicated.join(", ")}`;
  const plan = await world.planNow(manifest);
  const pending = plan.types.filter((t) => t.action !== "noop").map((t) => `${t.apiName} ${t.action}`);
  if (pending.length > 0) return `the next plan is not empty: ${pending.join(", ")}`;
  // Independent of our own reading: the emulator's state has exactly the declared attributes.
  const state = world.emulator.state().activityTypes.filter((t) => t.status !== "deleted");
  for (const type of manifest.types) {
    const held = state.find((t) => t.apiName === type.apiName);
    const version = manifest.instance.approve ? held?.live : (held?.draft ?? held?.live);
    const names = (v: typeof version) =>
      [v?.primaryAttribute?.apiName, ...(v?.attributes ?? []).map((a) => a.apiName)].sort().join(",");
    const wanted = [type.primaryAttribute.apiName, ...type.attributes.map((a) => a.apiName)].sort().join(",");
    if (names(version) !== wanted) return `${type.apiName} holds ${names(version)}, not ${wanted}`;
    if (manifest.instance.approve && hasDraft(held?.status)) return `${type.apiName} still has a draft`;
  }
  for (const apiName of manifest.retired) {
    if (state.some((t) => t.apiName === apiName)) return `${apiName} is retired but still there`;
  }
  return undefined;
}

function failure(deployed: Deployed): string | undefined {
  if (deployed.refusal !== undefined) return deployed.refusal.message;
  const failed = deployed.result?.types.find((t) => t.error !== undefined);
  if (failed?.error !== undefined) return failed.error.message;
  if (deployed.result?.ok === false) return "apply did not finish every type";
  return undefined;
}

/** Sums the counted deploys and judges the end state. */
async function observe(world: World, manifest: Manifest, counted: readonly Deployed[]): Promise<Observed> {
  const totals = {
    calls: counted.reduce((n, d) => n + d.calls, 0),
    retries: counted.reduce((n, d) => n + d.retries, 0),
    reads: counted.reduce((n, d) => n + d.reads, 0),
    minimum: counted.reduce((n, d) => n + d.minimum, 0),
    elapsedMs: counted.reduce((n, d) => n + d.elapsedMs, 0),
  };
  const last = counted.at(-1);
  const failed = last === undefined ? undefined : failure(last);
  if (failed !== undefined) return { outcome: "refuse", message: failed, ...totals };
  const diverged = await divergence(world, manifest);
  return diverged === undefined
    ? { outcome: "converge", ...totals }
    : { outcome: "diverge", message: diverged, ...totals };
}

/** Deploys as setup: must succeed, and is not counted. */
async function setup(world: World, manifest: Manifest, options: ApplyOptions = {}): Promise<void> {
  const deployed = await world.deploy(manifest, options);
  const failed = failure(deployed);
  if (failed !== undefined) throw new Error(`setup deploy failed: ${failed}`);
}

// ---- the scenarios ---------------------------------------------------------------------------

/** A scenario: setup (not counted), then `run` (counted, under `world.fault` when a row scripts one). */
export interface Scenario {
  readonly name: string;
  readonly run: (world: World, fault: () => void) => Promise<Observed>;
}

const both = manifestOf([webinar, deposit]);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: "first deploy",
    run: async (world, fault) => {
      fault();
      return observe(world, both, [await world.deploy(both)]);
    },
  },
  {
    name: "safe change",
    run: async (world, fault) => {
      await setup(world, both);
      const changed = manifestOf([webinarSafeChange, deposit]);
      fault();
      return observe(world, changed, [await world.deploy(changed)]);
    },
  },
  {
    name: "destructive refused, then allowed",
    run: async (world, fault) => {
      await setup(world, both);
      const removed = manifestOf([webinarWithoutPlatform, deposit]);
      fault();
      const refused = await world.deploy(removed);
      if (
        !/destructive changes \(attributes\.platform\) are not allowed/.test(refused.refusal?.message ?? "")
      )
        return { outcome: "diverge", message: `not refused: ${failure(refused) ?? "applied"}`, ...refused };
      const allowed = manifestOf([{ ...webinarWithoutPlatform, allowDestructiveChanges: true }, deposit]);
      return observe(world, allowed, [refused, await world.deploy(allowed)]);
    },
  },
  {
    name: "primary change before the first publish",
    run: async (world, fault) => {
      const drafts = manifestOf([webinar], { approve: false });
      await setup(world, drafts);
      const moved = manifestOf([{ ...webinarNewPrimary, allowDestructiveChanges: true }], { approve: false });
      fault();
      // Moving a never-published type's primary is not a foreign edit (docs/design.md decision 8).
      return observe(world, moved, [await world.deploy(moved)]);
    },
  },
  {
    name: "primary change after publish",
    run: async (world, fault) => {
      await setup(world, both);
      const moved = manifestOf([{ ...webinarNewPrimary, allowDestructiveChanges: true }, deposit]);
      fault();
      return observe(world, moved, [
        await world.deploy(moved, { allowDestructive: true, discardForeignDrafts: true }),
      ]);
    },
  },
  {
    name: "clearing a description",
    run: async (world, fault) => {
      await setup(world, both);
      const cleared = manifestOf([webinarWithoutDescription, deposit]);
      fault();
      return observe(world, cleared, [await world.deploy(cleared)]);
    },
  },
  {
    name: "killed after each write, then finished",
    run: async (world, fault) => {
      // One world per kill point would lose the row's setting; the types are re-declared under new
      // apiNames instead, one pair per kill point, until a deploy runs to its end unkilled.
      const counted: Deployed[] = [];
      for (let writes = 1; ; writes++) {
        const pair = manifestOf([
          {
            ...webinar,
            apiName: `webinarAttended${writes}`,
            name: `Webinar Attended ${writes}`,
            triggerName: `Attends Webinar ${writes}`,
            filterName: `Attended Webinar ${writes}`,
          },
          {
            ...deposit,
            apiName: `checkDeposited${writes}`,
            name: `Check Deposited ${writes}`,
            triggerName: `Deposits Check ${writes}`,
            filterName: `Deposited Check ${writes}`,
          },
        ]);
        const all = pair;
        fault();
        const killed = await world.deployKilledAfter(all, writes);
        const rerun = await world.deploy(all);
        counted.push(rerun);
        const observed = await observe(world, all, [rerun]);
        if (observed.outcome !== "converge")
          return { ...observed, message: `killed after write ${writes}: ${observed.message}` };
        // Make room for the next pair (the type limit is 10).
        await setup(world, manifestOf([], { retired: all.types.map((t) => t.apiName) }));
        if (!killed) break;
      }
      return {
        outcome: "converge",
        calls: counted.reduce((n, d) => n + d.calls, 0),
        retries: counted.reduce((n, d) => n + d.retries, 0),
        reads: counted.reduce((n, d) => n + d.reads, 0),
        minimum: counted.reduce((n, d) => n + d.minimum, 0),
        elapsedMs: counted.reduce((n, d) => n + d.elapsedMs, 0),
      };
    },
  },
  {
    name: "retired, then declared again",
    run: async (world, fault) => {
      await setup(world, both);
      await setup(world, manifestOf([deposit], { retired: [webinar.apiName] }));
      fault();
      return observe(world, both, [await world.deploy(both)]);
    },
  },
  {
    name: "a foreign draft",
    run: async (world, fault) => {
      await setup(world, both);
      // Someone edits the type in Marketo Admin: a draft with another display name.
      await world.client().updateCustomActivityType(webinar.apiName, { name: "Webinar Attended Edited" });
      const changed = manifestOf([webinarSafeChange, deposit]);
      fault();
      const refused = await world.deploy(changed);
      if (!/someone may be editing this type in Marketo Admin/.test(refused.refusal?.message ?? ""))
        return { outcome: "diverge", message: `not refused: ${failure(refused) ?? "applied"}`, ...refused };
      return observe(world, changed, [refused, await world.deploy(changed, { discardForeignDrafts: true })]);
    },
  },
  {
    name: "records, a batch answered 606",
    run: async (world, fault) => {
      await setup(world, both);
      const client = world.client();
      const activities = new ActivityClient(client, { batchSize: 100 });
      const records = Array.from({ length: 250 }, (_, i) => ({
        leadId: i + 1,
        activityDate: "2026-01-15T12:00:00Z",
        primaryAttributeValue: `Webinar ${i}`,
        attributes: { minutesWatched: i, platform: "Zoom" },
      }));
      world.emulator.addFault({ operation: "addCustomActivities", nth: 2, respond: { code: "606" } });
      fault();
      const started = world.clock.now();
      const sent = await activities.send(webinar, records);
      const stored =
        world.emulator.state().activityTypes.find((t) => t.apiName === webinar.apiName)?.records ?? [];
      const leads = new Set(stored.map((r) => r.leadId));
      const totals = {
        calls: client.usage().total,
        retries: client.usage().retries,
        reads: 0,
        minimum: 1 + Math.ceil(records.length / 100),
        elapsedMs: world.clock.now() - started,
      };
      if (
        sent.added !== records.length ||
        stored.length !== records.length ||
        leads.size !== records.length
      ) {
        return {
          outcome: sent.error === undefined ? "diverge" : "refuse",
          message: `added ${sent.added}, stored ${stored.length} (${leads.size} leads)${sent.error ? `: ${sent.error.message}` : ""}`,
          ...totals,
        };
      }
      return { outcome: "converge", ...totals };
    },
  },
  {
    name: "a display name outside ASCII",
    run: async (world, fault) => {
      const manifest = manifestOf([inscricao]);
      fault();
      return observe(world, manifest, [await world.deploy(manifest)]);
    },
  },
  {
    name: "a primary attribute that is not a string",
    run: async (world, fault) => {
      const manifest = manifestOf([scored]);
      fault();
      return observe(world, manifest, [await world.deploy(manifest)]);
    },
  },
];

// ---- the rows --------------------------------------------------------------------------------

/** A row: the emulator's options, and optionally a fault scripted as the counted part starts. */
export interface Row {
  readonly name: string;
  readonly options: EmulatorOptions;
  readonly fault?: (world: World) => void;
}

const flip = (behaviour: NonNullable<EmulatorOptions["behaviour"]>): Row => ({
  name: Object.entries(behaviour)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(", "),
  options: { behaviour },
});

/**
 * Every REST call answered 606 for `ms` from now, on the emulator's clock (the identity endpoint is
 * not rate limited: docs/marketo-api.md section 1).
 */
export function storm(ms: number): (world: World) => void {
  return (world) => {
    const from = world.clock.now();
    for (const operation of OPERATIONS) {
      if (operation === "identity") continue;
      world.emulator.addFault({
        operation,
        during: { fromMs: from, untilMs: from + ms },
        respond: { code: "606" },
      });
    }
  };
}

export const ROWS: readonly Row[] = [
  { name: "defaults", options: {} },
  flip({ listIncludesDrafts: false }),
  flip({ listIncludesDeleted: true }),
  flip({ listIncludesDeleted: true, listOrder: "reverse" }),
  flip({ listIncludesAttributes: true }),
  flip({ describeMissingVersion: "error" }),
  flip({ discardDraftOnDraftOnly: "deleteType" }),
  flip({ attributesOnCreate: "reject" }),
  flip({ dataTypeChangeAfterApproval: "reject" }),
  flip({ primaryChangeAfterApproval: "allow" }),
  flip({ primaryDataTypes: ["string"] }),
  flip({ primaryInAttributesList: true }),
  flip({ omitEmptyAttributes: false }),
  flip({ deletedApiNameReusable: false }),
  flip({ uniqueDisplayName: true }),
  flip({ createResponseOmitsIds: true }),
  flip({
    emptyResultOn: [
      "approveCustomActivityType",
      "discardCustomActivityTypeDraft",
      "deleteCustomActivityType",
    ],
  }),
  flip({ emptyErrorsAndWarnings: true }),
  flip({ omitActivityRecordId: true }),
  flip({ absentFields: "null" }),
  flip({ absentFields: "null", omitActivityRecordId: true, createResponseOmitsIds: true }),
  flip({ emptyDescription: "null" }),
  flip({ emptyDescription: "omit" }),
  flip({ emptyDescription: "ignore" }),
  flip({ attributeNameRequired: false }),
  flip({ emptyList: "702" }),
  flip({ displayNames: "ascii" }),
  flip({ unknownTypeCode: "610", duplicateApiNameCode: "709" }),
  flip({ listIncludesDrafts: false, listIncludesDeleted: true, listOrder: "reverse", absentFields: "null" }),
  { name: "limits: rejectedCallsCount false", options: { limits: { rejectedCallsCount: false } } },
  { name: "606 storm of 25 s", options: {}, fault: storm(25_000) },
];

/** The cells that refuse, by `row / scenario`, with the message they must give. */
export const EXPECTED: Readonly<Record<string, RegExp>> = Object.fromEntries([
  // Marketo's Admin guide: a field can be made primary only before the first publish. Every row.
  ...ROWS.map((row) => [
    `${row.name} / primary change after publish`,
    /the primary attribute would change from webinarName to platform, and Marketo allows that only while a type has never been published/,
  ]),
  [
    "deletedApiNameReusable: false / retired, then declared again",
    /Marketo has no type webinarAttended to describe/,
  ],
  [
    'emptyDescription: "ignore" / clearing a description',
    /webinarAttended: Marketo kept description though apply sent an empty one to clear it/,
  ],
  ['displayNames: "ascii" / a display name outside ASCII', /Marketo rejected createCustomActivityType.*1003/],
  [
    'primaryDataTypes: ["string"] / a primary attribute that is not a string',
    /Marketo rejected createCustomActivityType.*1003/,
  ],
]);

/** Runs one cell in a fresh emulator. */
export async function runCell(row: Row, scenario: Scenario): Promise<Observed> {
  const world = await World.start(row.options);
  try {
    return await scenario.run(world, () => row.fault?.(world));
  } finally {
    await world.close();
  }
}

/**
 * The matrix as markdown: one row per behaviour, one column per scenario; a converged cell is
 * `calls/minimum` (calls without resends and check reads, against the calls the plans name), then
 * `+n` resends, `rN` reads apply made to check its work, `~s` virtual seconds when over one;
 * `refused` for a refusal.
 */
export function renderMatrix(cells: ReadonlyMap<string, Observed>): string {
  const lines = [
    `| behaviour | ${SCENARIOS.map((s) => s.name).join(" | ")} |`,
    `| --- |${SCENARIOS.map(() => " --- |").join("")}`,
  ];
  for (const row of ROWS) {
    const shown = SCENARIOS.map((scenario) => {
      const cell = cells.get(`${row.name} / ${scenario.name}`);
      if (cell === undefined) return "";
      if (cell.outcome !== "converge") return cell.outcome === "refuse" ? "refused" : "DIVERGED";
      const retries = cell.retries > 0 ? ` +${cell.retries}` : "";
      const reads = cell.reads > 0 ? ` r${cell.reads}` : "";
      const seconds = cell.elapsedMs >= 1000 ? ` ~${Math.round(cell.elapsedMs / 1000)} s` : "";
      return `${cell.calls - cell.retries - cell.reads}/${cell.minimum}${retries}${reads}${seconds}`;
    });
    lines.push(`| ${row.name.replace(/\|/g, "\\|")} | ${shown.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}
