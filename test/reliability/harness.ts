/**
 * The reliability suite's harness: the emulator, a working directory with the instance's manifest, and
 * the CLI run in-process (test/helpers/cli.ts) with a fetch of our own in front of its client. That
 * fetch is where kills, holds and races are played, never timing or luck:
 *
 * - requests go out one at a time, in the order the client issued them, so the n-th write of a
 *   multi-type apply is the same write on every run;
 * - `killAfterWrites(n)`: once Marketo carried out the n-th write, no answer reaches the process and it
 *   sends nothing more (test/matrix/world.ts does the same for the reconciler alone);
 * - `gate`: called before each request goes out, it may hold it (the races' scheduler);
 * - with `clock`, every exchange is bracketed for the virtual clock (test/helpers/clock.ts), so backoff
 *   and rate windows cost no wall time.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mulberry32 } from "../../src/emulator/faults.js";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import type { RequestLogEntry, SnapshotActivityType } from "../../src/emulator/types.js";
import { isWrite, matchRoute, type Operation } from "../../src/marketo/endpoints.js";
import type { FetchLike, MarketoClientSettings } from "../../src/marketo/index.js";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  buildManifest,
  type Manifest,
  parseActivityType,
  serializeManifest,
  typeLeaves,
} from "../../src/schema/index.js";
import { type CliRun, cli } from "../helpers/cli.js";
import { type VirtualClock, virtualClock } from "../helpers/clock.js";
import { tempDir } from "../helpers/tools.js";

/** A seeded generator in [0, 1) (the emulator's mulberry32): the same seed gives the same jitter. */
export const seeded = mulberry32;

/** The operation a request is, or undefined for a path no route matches. */
export function operationOf(url: string, method: string | undefined): Operation | undefined {
  const route = matchRoute(method ?? "GET", new URL(url).pathname);
  return "operation" in route ? route.operation : undefined;
}

/** What one request is, as the gate sees it. */
export interface Outgoing {
  readonly operation: Operation | undefined;
  readonly write: boolean;
  /** The apiName in the path, when the operation names one. */
  readonly apiName: string | undefined;
}

function outgoing(url: string, init: RequestInit): Outgoing {
  const operation = operationOf(url, init.method);
  const match = /\/type\/([^/]+?)(?:\/[^/]+)?\.json$/.exec(new URL(url).pathname);
  return {
    operation,
    write: operation !== undefined && isWrite(operation),
    apiName: match?.[1] === undefined ? bodyApiName(init.body) : decodeURIComponent(match[1]),
  };
}

/** The apiName a create names in its body. */
function bodyApiName(body: RequestInit["body"]): string | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const parsed = JSON.parse(body) as { apiName?: unknown };
    return typeof parsed.apiName === "string" ? parsed.apiName : undefined;
  } catch {
    return undefined;
  }
}

/** How a run's requests reach Marketo. */
export interface Wire {
  /** Marketo carried out this many writes, then the process died before reading the answer. */
  readonly killAfterWrites?: number;
  /** Called once Marketo carried out a write that killed the process. */
  readonly onKilled?: (write: Outgoing) => void;
  /** Awaited before a request goes out; may hold it. */
  readonly gate?: (request: Outgoing) => Promise<void>;
  /** Called once the answer of a request was read (the process has it). */
  readonly answered?: (request: Outgoing, status: number) => void;
}

/** A CLI process's fetch: one request at a time, with the kill and the gate of `wire`. */
export function wireFetch(wire: Wire, clock?: VirtualClock): FetchLike {
  let queue: Promise<unknown> = Promise.resolve();
  let writes = 0;
  let dead = false;
  const never = () => new Promise<Response>(() => {});
  const exchange = async (url: string, init: RequestInit): Promise<Response> => {
    if (dead) return never();
    const request = outgoing(url, init);
    await wire.gate?.(request);
    clock?.io.begin();
    let response: Response;
    let text: string;
    try {
      response = await globalThis.fetch(url, init);
      text = await response.text();
    } finally {
      clock?.io.end();
    }
    if (request.write) writes++;
    if (wire.killAfterWrites !== undefined && request.write && writes >= wire.killAfterWrites) {
      dead = true;
      wire.onKilled?.(request);
      return never();
    }
    wire.answered?.(request, response.status);
    return new Response(text, { status: response.status, headers: response.headers });
  };
  return (url, init) => {
    // One request on the wire at a time, in the order the client issued them.
    const turn = queue.then(() => exchange(url, init));
    queue = turn.catch(() => undefined);
    return turn;
  };
}

/** An emulator, a working directory holding the manifest of instance "prod", and the CLI. */
export interface Lab {
  readonly emulator: Emulator;
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly clock: VirtualClock | undefined;
  /** The manifest path (written by `manifest`). */
  readonly manifestPath: string;
  /** Writes the manifest of instance "prod"; returns it. */
  manifest(types: readonly ActivityTypeInput[], options?: ManifestOptions): Manifest;
  /** Runs the CLI in-process; its client's requests go through `wire`. */
  run(args: readonly string[], options?: RunOptions): Promise<CliRun>;
  close(): Promise<void>;
}

export interface ManifestOptions {
  readonly retired?: readonly string[];
  readonly approve?: boolean;
  readonly maxActivityTypes?: number;
}

export interface RunOptions {
  readonly wire?: Wire;
  /** Replaces the environment (the emulator's credentials by default). */
  readonly env?: Record<string, string | undefined>;
  readonly settings?: MarketoClientSettings;
}

export function manifestOf(types: readonly ActivityTypeInput[], options: ManifestOptions = {}): Manifest {
  return buildManifest({
    instance: {
      id: "prod",
      envPrefix: "MARKETO",
      maxActivityTypes: options.maxActivityTypes ?? 10,
      approve: options.approve ?? true,
    },
    types: types.map((t) => parseActivityType(t)),
    retired: [...(options.retired ?? [])],
  });
}

/** Starts a lab; with `virtual`, the emulator and every CLI run share one virtual clock. */
export async function startLab(options: EmulatorOptions = {}, virtual = false): Promise<Lab> {
  const clock = virtual ? virtualClock() : undefined;
  const emulator = await startEmulator(clock === undefined ? options : { ...options, now: clock.now });
  const dir = tempDir("reliability");
  const env = emulator.env();
  const manifestPath = join(dir, "marketo-activities.prod.json");
  let runs = 0;
  return {
    emulator,
    dir,
    env,
    clock,
    manifestPath,
    manifest(types, manifestOptions = {}) {
      const manifest = manifestOf(types, manifestOptions);
      writeFileSync(manifestPath, serializeManifest(manifest));
      return manifest;
    },
    run(args, runOptions = {}) {
      runs++;
      const settings: MarketoClientSettings = {
        fetch: wireFetch(runOptions.wire ?? {}, clock),
        ...(clock === undefined ? {} : { now: clock.now, sleep: clock.sleep, random: seeded(runs) }),
        ...runOptions.settings,
      };
      return cli([...args], { cwd: dir, env: runOptions.env ?? env, clientSettings: settings });
    },
    close: () => emulator.close(),
  };
}

/** Runs until the kill or the end; true when the process was killed. */
export async function runKilledAfter(
  lab: Lab,
  args: readonly string[],
  writes: number,
): Promise<{ killed: Outgoing | undefined; finished: CliRun | undefined }> {
  let resolveKilled: (write: Outgoing) => void = () => {};
  const killed = new Promise<Outgoing>((resolve) => {
    resolveKilled = resolve;
  });
  const finished = lab.run(args, { wire: { killAfterWrites: writes, onKilled: (w) => resolveKilled(w) } });
  return Promise.race([
    killed.then((write) => ({ killed: write, finished: undefined })),
    finished.then((run) => ({ killed: undefined, finished: run })),
  ]);
}

/** The write requests in the emulator's log (from `since`), whatever their answer. */
export function writesIn(emulator: Emulator, since = 0): RequestLogEntry[] {
  return emulator.requests.slice(since).filter((r) => r.operation !== "unknown" && isWrite(r.operation));
}

/** Why the emulator's state is not `manifest`, or an empty list. Reads the state directly, no call. */
export function divergence(emulator: Emulator, manifest: Manifest): string[] {
  const problems: string[] = [];
  const types = emulator.state().activityTypes;
  const notDeleted = types.filter((t) => t.status !== "deleted");
  const counts = new Map<string, number>();
  for (const t of notDeleted) counts.set(t.apiName, (counts.get(t.apiName) ?? 0) + 1);
  for (const [apiName, n] of counts) if (n > 1) problems.push(`${apiName} exists ${n} times`);
  for (const type of manifest.types) {
    const held = notDeleted.find((t) => t.apiName === type.apiName);
    if (held === undefined) {
      problems.push(`${type.apiName} is missing`);
      continue;
    }
    const version = manifest.instance.approve ? held.live : (held.draft ?? held.live);
    if (manifest.instance.approve && held.draft !== undefined) problems.push(`${type.apiName} has a draft`);
    problems.push(...versionDifference(type, held, version));
  }
  for (const apiName of manifest.retired)
    if (notDeleted.some((t) => t.apiName === apiName)) problems.push(`${apiName} is retired but still there`);
  return problems;
}

function versionDifference(
  type: ActivityTypeDefinition,
  held: SnapshotActivityType,
  version: SnapshotActivityType["live"],
): string[] {
  if (version === undefined) return [`${type.apiName} has no ${held.live ? "draft" : "live version"}`];
  const names = [version.primaryAttribute?.apiName, ...version.attributes.map((a) => a.apiName)];
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  const problems = twice.map((n) => `${type.apiName}.${n} is there twice`);
  const want = typeLeaves(type);
  const have = typeLeaves(version);
  for (const key of new Set([...Object.keys(want), ...Object.keys(have)])) {
    if (want[key] !== have[key])
      problems.push(
        `${type.apiName} ${key}: holds ${have[key] ?? "(none)"}, declared ${want[key] ?? "(none)"}`,
      );
  }
  return problems;
}

/** Records stored more than once for one (type, lead, primary value): duplicates of a resend. */
export function duplicateRecords(emulator: Emulator): number {
  let duplicates = 0;
  for (const type of emulator.state().activityTypes) {
    const seen = new Set<string>();
    for (const record of type.records) {
      const key = `${record.leadId}|${record.primaryAttributeValue}`;
      if (seen.has(key)) duplicates++;
      seen.add(key);
    }
  }
  return duplicates;
}

/** A stack trace line, which the CLI must never print for a user's mistake or Marketo's answer. */
export const STACK_LINE = /\n\s+at /;
