import { existsSync, statSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  ALL_TYPES_NAME,
  destructiveDraft,
  formatDraftChange,
  generateModule,
  type ImportedDefinition,
  type ImportedType,
  importedDefinitions,
} from "../../codegen/index.js";
import { MarketoClient, type MarketoClientSettings } from "../../marketo/index.js";
import { describeVersions, listTypes } from "../../reconcile/read.js";
import {
  DEFAULT_ENV_PREFIX,
  DEFAULT_MAX_ACTIVITY_TYPES,
  ENV_PREFIX_PATTERN,
  MarketoActivitiesError,
} from "../../schema/index.js";
import { type CliDeps, settingsFor, traced } from "../context.js";
import type { CliIO } from "../io.js";
import type { Reporter } from "../report.js";

/** Options of `marketo-activities import`. */
export interface ImportOptions {
  /** The file to write; stdout without it. */
  readonly out?: string;
  /** Only these apiNames; every type without it. */
  readonly only?: readonly string[];
  /** Where the credentials come from (`<prefix>_BASE_URL`, ...); `MARKETO` without it. */
  readonly envPrefix?: string;
  /** Overwrite `out` when it exists. */
  readonly force?: boolean;
}

/** What import read: the types chosen, how many the instance holds, and the calls it took. */
export interface ImportRead {
  readonly types: readonly ImportedType[];
  /** Every type the instance holds that is not deleted, imported or not (they all count toward its limit). */
  readonly typesInInstance: number;
  readonly calls: number;
}

/**
 * Reads the types to import with the fewest calls: one list, then per type one describe of its
 * approved version when it has one and one of its draft when it has one. An apiName of `only` that the
 * list does not show may be a type never approved, which Marketo's list may leave out
 * (docs/marketo-api.md 8.2): when the list shows no draft at all, each such apiName is looked up with
 * one describe of its draft, as plan does (src/reconcile/read.ts).
 */
export async function readForImport(
  client: Pick<MarketoClient, "listCustomActivityTypes" | "describeCustomActivityType" | "baseUrl">,
  only: readonly string[] | undefined,
): Promise<ImportRead> {
  const found = await listTypes(client, new Set(only ?? []));
  const { probed } = found;
  let calls = found.calls;
  const present = found.list.filter((t) => t.status !== "deleted");
  const host = new URL(client.baseUrl).hostname;
  if (only !== undefined) {
    const unknown = only.filter((apiName) => !present.some((t) => t.apiName === apiName));
    if (unknown.length > 0) {
      const names = present.map((t) => t.apiName).sort();
      throw new MarketoActivitiesError(
        "Usage",
        `--only ${unknown.map((a) => `"${a}"`).join(", ")}: the instance at ${host} holds no such activity type${unknown.length === 1 ? "" : "s"}; nothing was written`,
        {
          hint:
            names.length === 0
              ? "the instance holds no custom activity types (apiNames are case-sensitive)"
              : `its activity types: ${names.join(", ")} (apiNames are case-sensitive)`,
        },
      );
    }
  }
  const chosen = present.filter((t) => only?.includes(t.apiName) ?? true);
  if (chosen.length === 0) {
    throw new MarketoActivitiesError(
      "NothingToImport",
      `the instance at ${host} holds no custom activity types (Marketo's list shows none that is not deleted); nothing was written`,
      {
        hint: "declare new types with defineActivityType and CustomActivityType (README); a type never approved may be missing from Marketo's list: name it with --only <apiName>",
      },
    );
  }
  const unknownStatus = chosen.filter((t) => t.status === "unknown").map((t) => `"${t.apiName}"`);
  if (unknownStatus.length > 0) {
    throw new MarketoActivitiesError(
      "MarketoUnexpected",
      `Marketo listed ${unknownStatus.join(", ")} without a status, so it is not known whether a draft exists; nothing was written`,
      {
        hint: "check the type in Marketo Admin (Draft, Published or Published with Draft) and import again",
      },
    );
  }
  const types = await Promise.all(
    chosen.map(async (t): Promise<ImportedType> => {
      const read = await describeVersions(client, t, probed);
      calls += read.calls;
      const { live, draft } = read.type;
      return {
        apiName: t.apiName,
        status: t.status,
        ...(live === undefined ? {} : { live }),
        ...(draft === undefined ? {} : { draft }),
      };
    }),
  );
  return { types, typesInInstance: present.length, calls };
}

/** `SOURCE_DATE_EPOCH` (reproducible builds: whole seconds since 1970), or undefined when unset. */
function sourceDate(env: CliIO["env"]): Date | undefined {
  const value = env["SOURCE_DATE_EPOCH"];
  if (value === undefined || value === "") return undefined;
  const date = /^\d{1,15}$/.test(value) ? new Date(Number(value) * 1000) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new MarketoActivitiesError(
      "Usage",
      `SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got ${JSON.stringify(value)}`,
      { hint: "set it to e.g. $(git log -1 --format=%ct), or unset it: the module then names no time" },
    );
  }
  return date;
}

/** The file to write, refused before any call when it exists (without --force) or is a directory. */
function outPath(options: ImportOptions, io: CliIO): string | undefined {
  if (options.out === undefined) return undefined;
  const path = resolve(io.cwd, options.out);
  if (!existsSync(path)) return path;
  if (statSync(path).isDirectory()) {
    throw new MarketoActivitiesError("Usage", `--out ${options.out} is a directory; nothing was read`, {
      hint: `name a file, e.g. --out ${options.out.replace(/\/+$/, "")}/activity-types.ts`,
    });
  }
  if (options.force !== true) {
    throw new MarketoActivitiesError("Usage", `${options.out} exists; nothing was read or written`, {
      hint: `pass --force to overwrite it (your edits to it are lost), or --out another file`,
    });
  }
  return path;
}

/** The lines import prints on stderr after the module: what to know, what was written, what next. */
export function importSummary(
  read: ImportRead,
  definitions: readonly ImportedDefinition[],
  options: { readonly host: string; readonly envPrefix: string; readonly out?: string },
): string {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const lines = [
    `Read ${count(definitions.length, "activity type")} from ${options.host} (credentials: ${options.envPrefix}_*) with ${count(read.calls, "API call")}.`,
  ];
  const foreign: string[] = [];
  const approves: string[] = [];
  for (const d of definitions) {
    if (d.neverApproved) {
      approves.push(d.apiName);
      lines.push(
        `Note: ${d.apiName} was never approved: it is imported as its draft, and its first plan approves (publishes) it.`,
      );
    } else if (d.draftChanges !== undefined && d.draftChanges.length === 0) {
      approves.push(d.apiName);
      lines.push(
        `Note: ${d.apiName} has a draft in Marketo the same as its approved version: its first plan approves it, changing nothing.`,
      );
    } else if (d.draftChanges !== undefined) {
      foreign.push(d.apiName);
      lines.push(
        `Note: ${d.apiName} has a draft in Marketo that the module leaves out (it holds the approved version); the draft changes:`,
        ...d.draftChanges.map((change) => `    ${formatDraftChange(change)}`),
        `  So the first plan shows that draft as foreign. To keep its changes, approve it in Marketo Admin and import ${d.apiName} again (--only ${d.apiName}), or write them into its definition${destructiveDraft(d.draftChanges) ? " with allowDestructiveChanges: true (they remove an attribute or change a dataType)" : ""} (the next apply then publishes the draft); to drop them, run \`marketo-activities apply --discard-foreign-drafts\`.`,
      );
    }
  }
  if (read.typesInInstance > DEFAULT_MAX_ACTIVITY_TYPES) {
    lines.push(
      `Note: the instance holds ${read.typesInInstance} activity types, more than a MarketoInstance allows unless told (${DEFAULT_MAX_ACTIVITY_TYPES}): give it maxActivityTypes: ${read.typesInInstance} or your subscription's limit.`,
    );
  }
  const where = options.out === undefined ? "the module to stdout" : options.out;
  lines.push(`Wrote ${where}: ${definitions.map((d) => d.apiName).join(", ")}.`);
  const unchanged = definitions.length - foreign.length - approves.length;
  const expected = [
    ...(unchanged > 0
      ? [
          `no change for ${unchanged === definitions.length ? "every type" : `the ${count(unchanged, "other type")}`}`,
        ]
      : []),
    ...(approves.length > 0 ? [`an approve of ${approves.join(", ")}`] : []),
    ...(foreign.length > 0 ? [`the foreign draft of ${foreign.join(", ")}`] : []),
  ];
  lines.push(
    `Next: declare them on a MarketoInstance (\`for (const definition of ${ALL_TYPES_NAME}) new CustomActivityType(instance, definition.apiName, definition)\`; the module's header shows it), then \`npx cdktf synth\` and \`npx --no-install marketo-activities plan\`: it shows ${expected.join(", ")}.`,
  );
  return `${lines.join("\n")}\n`;
}

/** Writes the module, turning a bad path into a message instead of a crash. */
function writeModule(path: string, shown: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new MarketoActivitiesError("Usage", `cannot write the module to ${shown} (${code})`, {
      hint: "pass --out a path in an existing directory you can write to",
    });
  }
}

/**
 * Reads the instance and writes its activity types as a TypeScript module (stdout, or `--out`), after
 * checking every definition with the rules synth applies. Exit 0 when written.
 */
export async function importCommand(
  options: ImportOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<number> {
  const envPrefix = options.envPrefix ?? DEFAULT_ENV_PREFIX;
  if (!ENV_PREFIX_PATTERN.test(envPrefix)) {
    throw new MarketoActivitiesError(
      "Usage",
      `--env-prefix must be upper-case letters, digits and underscores, starting with a letter, got "${envPrefix}"`,
      { hint: "use the envPrefix your MarketoInstance will have, e.g. MARKETO_PROD" },
    );
  }
  const importedAt = sourceDate(io.env);
  const path = outPath(options, io);
  const only = options.only?.length ? [...new Set(options.only)].sort() : undefined;
  const settings = settingsFor({}, deps);
  // The instance is named by its host, known once the client has read the credentials.
  let host = envPrefix;
  const reported: MarketoClientSettings = {
    ...settings,
    onEvent: (event) => {
      settings.onEvent?.(event);
      // Retries and waits for a busy instance are reported as plan and apply report them.
      report({ kind: "client", instance: host, event });
    },
  };
  const client = MarketoClient.fromEnv(
    envPrefix,
    io.env,
    traced(reported, io, { envPrefix, instance: () => host }),
  );
  host = new URL(client.baseUrl).hostname;
  const read = await readForImport(client, only);
  const definitions = importedDefinitions(read.types);
  const text = generateModule(definitions, {
    host,
    envPrefix,
    ...(only === undefined ? {} : { only }),
    ...(importedAt === undefined ? {} : { importedAt }),
    defaultMaxActivityTypes: DEFAULT_MAX_ACTIVITY_TYPES,
    typesInInstance: read.typesInInstance,
  });
  if (path === undefined) io.stdout(text);
  else writeModule(path, options.out!, text);
  io.stderr(
    importSummary(read, definitions, {
      host,
      envPrefix,
      ...(options.out === undefined ? {} : { out: options.out }),
    }),
  );
  return 0;
}
