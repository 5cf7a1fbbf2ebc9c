import { credentialNames } from "../marketo/credentials.js";
import { MarketoClient, type MarketoClientSettings, parseBudgetShare } from "../marketo/index.js";
import { diff, readInstance } from "../reconcile/index.js";
import type { SavedPlan } from "../reconcile/plan-file.js";
import { isUserError, type Manifest, MarketoActivitiesError, manifestDigest } from "../schema/index.js";
import type { CliIO } from "./io.js";
import { type FoundManifest, findManifests, selectOnly } from "./manifests.js";
import type { Reporter } from "./report.js";
import { traceEnabled, tracer } from "./trace.js";

/** What tests may inject: client settings (a fast sleep, a fetch that counts). */
export interface CliDeps {
  readonly clientSettings?: MarketoClientSettings;
}

/** Options shared by plan and apply. */
export interface TargetOptions {
  readonly manifest?: string[];
  readonly stack?: string[];
  readonly only?: string[];
  /** `--budget-share` as typed: this run's share of each instance's call budget. */
  readonly budgetShare?: string;
}

/**
 * The client settings of a run: the injected ones, and `--budget-share` when given (it wins over
 * `<PREFIX>_BUDGET_SHARE`, which `MarketoClient.fromEnv` reads). Checked once, before any call.
 */
export function settingsFor(
  options: Pick<TargetOptions, "budgetShare">,
  deps: CliDeps,
): MarketoClientSettings {
  const settings = deps.clientSettings ?? {};
  if (options.budgetShare === undefined) return settings;
  return { ...settings, budgetShare: parseBudgetShare(options.budgetShare, "--budget-share") };
}

/** The manifests plan and apply work on: found on disk, narrowed by `--only`. */
export function findTargets(options: TargetOptions, io: CliIO): FoundManifest[] {
  return selectOnly(findManifests({ cwd: io.cwd, ...pick(options, "manifest", "stack") }), options.only);
}

/**
 * One client per instance, credentials (and `<PREFIX>_BUDGET_SHARE`) from the instance's env prefix;
 * its events are reported (retries and waits for a busy instance are shown), and with
 * `MARKETO_ACTIVITIES_TRACE=1` each of them is also a trace line on stderr (`trace.ts`).
 */
export function clientFor(
  manifest: Pick<Manifest, "instance">,
  io: CliIO,
  settings: MarketoClientSettings,
  report: Reporter,
): MarketoClient {
  const { id, envPrefix } = manifest.instance;
  const reported: MarketoClientSettings = {
    ...settings,
    onEvent: (event) => {
      settings.onEvent?.(event);
      report({ kind: "client", instance: id, event });
    },
  };
  return MarketoClient.fromEnv(envPrefix, io.env, traced(reported, io, { envPrefix, instance: id }));
}

/**
 * `settings` for a client of a command: unchanged, or with `MARKETO_ACTIVITIES_TRACE=1` a listener
 * that also writes each event as a trace line on stderr (`trace.ts`), the client secret of `envPrefix`
 * redacted. Every client a command makes goes through it (`clientFor` does), so that every command traces.
 */
export function traced(
  settings: MarketoClientSettings,
  io: CliIO,
  target: { readonly envPrefix: string; readonly instance: string | (() => string) },
): MarketoClientSettings {
  if (!traceEnabled(io.env)) return settings;
  const trace = tracer({
    write: (text) => io.stderr(text),
    instance: target.instance,
    ...(settings.now === undefined ? {} : { now: settings.now }),
    secrets: [io.env[credentialNames(target.envPrefix).clientSecret]],
  });
  return {
    ...settings,
    onEvent: (event) => {
      trace(event);
      settings.onEvent?.(event);
    },
  };
}

/** A planned instance, with what it was planned from and the client that read it. */
export interface PlannedInstance extends SavedPlan {
  readonly client: MarketoClient;
}

/** Reads each instance of the manifests `found` with the fewest calls, and diffs. */
export async function planInstances(
  found: readonly FoundManifest[],
  options: TargetOptions,
  io: CliIO,
  deps: CliDeps,
  report: Reporter,
): Promise<PlannedInstance[]> {
  // Credentials are checked for every instance before any call, so one message names them all.
  const settings = settingsFor(options, deps);
  const failures: MarketoActivitiesError[] = [];
  const clients = found.map((f) => {
    try {
      return clientFor(f.manifest, io, settings, report);
    } catch (error) {
      if (!isUserError(error)) throw error;
      failures.push(error);
      return undefined;
    }
  });
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    const prefixes = [...new Set(found.map((f) => f.manifest.instance.envPrefix))];
    throw new MarketoActivitiesError("MissingCredentials", failures.map((f) => f.message).join("\n"), {
      hint: `export the variables above, or try it locally: \`marketo-activities emulator\` in the app directory starts an emulator for each of ${prefixes.join(", ")} and prints their export lines`,
    });
  }
  refuseSharedEndpoints(
    found.map((f, i) => ({ id: f.manifest.instance.id, client: clients[i] as MarketoClient })),
  );
  return Promise.all(
    found.map(async (f, i) => {
      const client = clients[i] as MarketoClient;
      const only = options.only?.length ? options.only : undefined;
      const state = await readInstance(client, f.manifest, only === undefined ? {} : { only });
      const plan = diff(f.manifest, state, {
        endpoint: new URL(client.baseUrl).host,
        ...(only === undefined ? {} : { only }),
      });
      return { client, plan, manifestDigest: manifestDigest(f.manifest), state };
    }),
  );
}

function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/**
 * Two instances whose credentials point at the same REST host would plan against each other's
 * types (one instance's types are unmanaged or retired in the other): refuse before any call.
 */
export function refuseSharedEndpoints(instances: readonly { id: string; client: MarketoClient }[]): void {
  const byHost = new Map<string, string[]>();
  for (const { id, client } of instances) {
    const host = new URL(client.baseUrl).host;
    byHost.set(host, [...(byHost.get(host) ?? []), id]);
  }
  for (const [host, ids] of byHost) {
    if (ids.length > 1) {
      throw new MarketoActivitiesError(
        "SharedEndpoint",
        `instances ${ids.map((id) => `"${id}"`).join(" and ")} all point at ${host}; each MarketoInstance must have its own Marketo instance`,
        {
          hint: "check the <envPrefix>_BASE_URL variables: each instance's envPrefix needs its own URL and credentials",
        },
      );
    }
  }
}
