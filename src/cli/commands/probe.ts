import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_BEHAVIOUR } from "../../emulator/index.js";
import { credentialNames } from "../../marketo/credentials.js";
import { MarketoClient, type MarketoClientSettings } from "../../marketo/index.js";
import { emulatorConfig, PROBE_PREFIX, type ProbeJournal, runProbe } from "../../probe/probe.js";
import { BUDGET } from "../../probe/questions.js";
import { renderProbeReport } from "../../probe/render.js";
import { DEFAULT_ENV_PREFIX, ENV_PREFIX_PATTERN, MarketoActivitiesError } from "../../schema/index.js";
import { type CliDeps, settingsFor, traced } from "../context.js";
import type { CliIO } from "../io.js";

/** Options of `marketo-activities probe`. */
export interface ProbeCommandOptions {
  readonly envPrefix?: string;
  readonly yesThisIsASandbox?: boolean;
  readonly maxActivityTypes?: string;
  readonly format?: "text" | "json";
  readonly writeEmulatorConfig?: string;
}

/** The apiNames a run may have left, in a file per host (a rerun deletes them even when the list hides drafts). */
function fileJournal(host: string): ProbeJournal {
  const path = join(tmpdir(), `marketo-activities-probe-${host}.json`);
  return {
    load: () => {
      try {
        const names = JSON.parse(readFileSync(path, "utf8")) as unknown;
        return Array.isArray(names) ? names.filter((n): n is string => typeof n === "string") : [];
      } catch {
        return [];
      }
    },
    save: (names) => {
      if (names.length === 0) {
        if (existsSync(path)) rmSync(path);
      } else writeFileSync(path, JSON.stringify(names));
    },
  };
}

/**
 * Runs the probe against the instance of `--env-prefix`, after its confirmation: `--yes-this-is-a-sandbox`
 * or an interactive yes. Exit 0 when every step ran and nothing is left behind.
 */
export async function probeCommand(options: ProbeCommandOptions, io: CliIO, deps: CliDeps): Promise<number> {
  const envPrefix = options.envPrefix ?? DEFAULT_ENV_PREFIX;
  if (!ENV_PREFIX_PATTERN.test(envPrefix)) {
    throw new MarketoActivitiesError(
      "Usage",
      `--env-prefix must be upper-case letters, digits and underscores, starting with a letter, got "${envPrefix}"`,
    );
  }
  const max = options.maxActivityTypes === undefined ? 10 : Number(options.maxActivityTypes);
  if (!Number.isInteger(max) || max < 1) {
    throw new MarketoActivitiesError(
      "Usage",
      `--max-activity-types must be a whole number of at least 1, got "${options.maxActivityTypes}"`,
    );
  }
  const configPath =
    options.writeEmulatorConfig === undefined ? undefined : resolve(io.cwd, options.writeEmulatorConfig);
  const settings = settingsFor({}, deps);
  let host = envPrefix;
  const make = (s: MarketoClientSettings) =>
    MarketoClient.fromEnv(envPrefix, io.env, traced(s, io, { envPrefix, instance: () => host }));
  host = new URL(make(settings).baseUrl).hostname;
  const what =
    `The probe writes to ${host} (credentials ${envPrefix}_*): it creates one temporary activity type ` +
    `(apiName ${PROBE_PREFIX} and 6 letters, names "MKA Probe …"), changes, approves and deletes it, and ` +
    `deletes every ${PROBE_PREFIX}* type an earlier run left. It needs one free type slot of ${max}. ` +
    `${BUDGET.min} to ${BUDGET.max} REST calls.\n`;
  if (options.yesThisIsASandbox !== true) {
    if (!io.isTTY) {
      throw new MarketoActivitiesError("Usage", `probe writes to the instance at ${host}; nothing was done`, {
        hint: "run it against a sandbox only, and confirm with --yes-this-is-a-sandbox (or run it in a terminal to be asked)",
      });
    }
    io.stderr(what);
    const answer = await io.prompt(`Is ${host} a sandbox? Type yes to run the probe: `);
    if (answer.trim().toLowerCase() !== "yes") {
      io.stderr("Not confirmed; nothing was done.\n");
      return 1;
    }
  } else io.stderr(what);
  const report = await runProbe({
    client: make,
    settings,
    maxActivityTypes: max,
    journal: fileJournal(host),
    interrupted: io.waitForInterrupt(),
    progress: (line) => io.stderr(`${line}\n`),
    secrets: [io.env[credentialNames(envPrefix).clientSecret]],
    defaults: DEFAULT_BEHAVIOUR,
  });
  if (options.format === "json") io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(renderProbeReport(report));
  if (configPath !== undefined && report.findings.some((f) => f.status === "settled")) {
    writeFileSync(configPath, `${JSON.stringify(emulatorConfig(report), null, 2)}\n`);
    io.stderr(`Wrote the emulator's behaviour options for ${host} to ${options.writeEmulatorConfig}.\n`);
  }
  return report.outcome === "completed" && report.leftovers.length === 0 ? 0 : 1;
}
