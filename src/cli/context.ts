import { createColors } from "picocolors";
import { MarketoClient, type MarketoClientEvent, type MarketoClientSettings } from "../marketo/client.js";
import {
  type Colors,
  diff,
  type MessageContext,
  NO_COLORS,
  type Plan,
  readInstance,
} from "../reconcile/index.js";
import { isUserError, type Manifest, MarketoActivitiesError, PROVISIONER_ENV } from "../schema/index.js";
import type { CliIO } from "./io.js";
import { type FoundManifest, findManifests, selectOnly } from "./manifests.js";

/** What tests may inject: client settings (a fast sleep, a fetch that counts). */
export interface CliDeps {
  readonly clientSettings?: MarketoClientSettings;
}

/** Options shared by plan and apply. */
export interface TargetOptions {
  readonly manifest?: string[];
  readonly stack?: string[];
  readonly only?: string[];
}

/** Colours for text output: on a terminal, unless NO_COLOR is set or --no-color given. */
export function colorsFor(io: CliIO, wanted: boolean): Colors {
  const enabled = wanted && io.isTTY && io.env["NO_COLOR"] === undefined && io.env["TERM"] !== "dumb";
  if (!enabled) return NO_COLORS;
  const c = createColors(true);
  return { green: c.green, yellow: c.yellow, red: c.red, cyan: c.cyan, bold: c.bold, dim: c.dim };
}

/** `provisioner` inside a cdktf provisioner (messages then offer code changes, never flags), else `cli`. */
export function messageContext(io: CliIO): MessageContext {
  const value = io.env[PROVISIONER_ENV];
  return value === "1" || value === "true" ? "provisioner" : "cli";
}

/** The manifests plan and apply work on: found on disk, narrowed by `--only`. */
export function findTargets(options: TargetOptions, io: CliIO): FoundManifest[] {
  return selectOnly(findManifests({ cwd: io.cwd, ...pick(options, "manifest", "stack") }), options.only);
}

/** `250 ms`, `1.5 s`. */
function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
}

/**
 * The stderr line for a client event the user should see as it happens (retries), or undefined:
 * `instance "prod": listCustomActivityTypes: Marketo answered 606 Max rate limit ... (attempt 1 of 6); retrying in 250 ms`.
 */
export function eventLine(instanceId: string, event: MarketoClientEvent): string | undefined {
  if (event.type !== "retry") return undefined;
  const what = event.operation === "identity" ? "authentication (identity)" : event.operation;
  const failure = event.network ?? `Marketo answered ${event.reason}`;
  return `instance "${instanceId}": ${what}: ${failure} (attempt ${event.attempt} of ${event.maxAttempts}); retrying in ${duration(event.delayMs)}\n`;
}

/** One client per instance, credentials from the instance's env prefix; retries are shown on stderr. */
export function clientFor(manifest: Pick<Manifest, "instance">, io: CliIO, deps: CliDeps): MarketoClient {
  const settings = deps.clientSettings ?? {};
  return MarketoClient.fromEnv(manifest.instance.envPrefix, io.env, {
    ...settings,
    onEvent: (event) => {
      settings.onEvent?.(event);
      const line = eventLine(manifest.instance.id, event);
      if (line !== undefined) io.stderr(line);
    },
  });
}

/** A planned instance with the client that read it. */
export interface PlannedInstance {
  readonly found: FoundManifest;
  readonly client: MarketoClient;
  readonly plan: Plan;
}

/** Reads each instance of the manifests `found` with the fewest calls, and diffs. */
export async function planInstances(
  found: readonly FoundManifest[],
  options: TargetOptions,
  io: CliIO,
  deps: CliDeps,
): Promise<PlannedInstance[]> {
  // Credentials are checked for every instance before any call, so one message names them all.
  const failures: MarketoActivitiesError[] = [];
  const clients = found.map((f) => {
    try {
      return clientFor(f.manifest, io, deps);
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
      hint: `Export the variables above, or try it locally: \`marketo-activities emulator\` in the app directory starts an emulator for each of ${prefixes.join(", ")} and prints their export lines.`,
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
      return { found: f, client, plan };
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
