/**
 * One Marketo (the emulator, in process) and the real client, reconciler and activity client, on one
 * virtual clock (test/helpers/clock.ts): backoff, rate windows and a 25 s 606 storm cost no wall time.
 *
 * `deploy` does what `marketo-activities apply` does (read, diff, apply) and reports the calls it made
 * against the minimum its plan names. `killAfterWrites(n)` makes the next deploy stop dead after its
 * n-th write call was carried out by Marketo, before the answer reaches the client: the process was
 * killed there. The hung deploy is abandoned; a new client (a new process) goes on.
 */
import { mulberry32 } from "../../src/emulator/faults.js";
import { type Emulator, type EmulatorOptions, startEmulator } from "../../src/emulator/index.js";
import { isWrite, matchRoute } from "../../src/marketo/endpoints.js";
import { MarketoClient } from "../../src/marketo/index.js";
import {
  type ApplyOptions,
  type ApplyResult,
  applyPlan,
  diff,
  type Plan,
  readInstance,
} from "../../src/reconcile/index.js";
import {
  type ActivityTypeDefinition,
  type ActivityTypeInput,
  buildManifest,
  type Manifest,
  parseActivityType,
} from "../../src/schema/index.js";
import { type VirtualClock, virtualClock } from "../helpers/clock.js";

/** What one deploy did. */
export interface Deployed {
  readonly plan: Plan;
  /** Undefined when apply refused before any write (`refusal` then says why). */
  readonly result?: ApplyResult;
  readonly refusal?: Error;
  /** REST calls made (read and apply), retries included. */
  readonly calls: number;
  /** Of those, resends of an earlier attempt (606, 615, 5xx, ...). */
  readonly retries: number;
  /** Of those, the reads apply made to check its work (`ApplyResult.reads`). */
  readonly reads: number;
  /** The calls the plan names: its reads plus its steps. */
  readonly minimum: number;
  /** Virtual milliseconds the deploy took. */
  readonly elapsedMs: number;
}

/** The settings every manifest of the matrix shares. */
export function manifestOf(
  types: readonly ActivityTypeInput[],
  options: { retired?: readonly string[]; approve?: boolean } = {},
): Manifest {
  return buildManifest({
    instance: { id: "prod", envPrefix: "MARKETO", maxActivityTypes: 10, approve: options.approve ?? true },
    types: types.map((t) => parseActivityType(t)),
    retired: [...(options.retired ?? [])],
  });
}

/** A process that dies right after Marketo carried out its `after`-th write call. */
interface Kill {
  readonly after: number;
  seen: number;
  readonly killed: () => void;
}

export class World {
  readonly clock: VirtualClock = virtualClock();
  #seed = 1;

  private constructor(readonly emulator: Emulator) {}

  static async start(options: EmulatorOptions): Promise<World> {
    const clock = virtualClock();
    const emulator = await startEmulator({ ...options, now: clock.now });
    const world = new World(emulator);
    // The world's clock must be the one the emulator was given.
    Object.defineProperty(world, "clock", { value: clock });
    return world;
  }

  /** A new client, as a new process has: its own token, limiter and counters. */
  client(kill?: Kill): MarketoClient {
    return new MarketoClient({
      baseUrl: this.emulator.url,
      clientId: this.emulator.clientId,
      clientSecret: this.emulator.clientSecret,
      fetch: (url, init) => this.fetch(url, init, kill),
      now: this.clock.now,
      sleep: this.clock.sleep,
      random: mulberry32(this.#seed++),
    });
  }

  /**
   * Brackets every exchange for the virtual clock, and plays the kill: once the process is dead, no
   * answer reaches it and it sends nothing more (a request already on the wire still arrives).
   */
  private async fetch(url: string, init: RequestInit, kill: Kill | undefined): Promise<Response> {
    if (kill !== undefined && kill.seen >= kill.after) return new Promise<Response>(() => {});
    this.clock.io.begin();
    let response: Response;
    let text: string;
    try {
      response = await globalThis.fetch(url, init);
      text = await response.text();
    } finally {
      this.clock.io.end();
    }
    const route = matchRoute(init.method ?? "GET", new URL(url).pathname);
    if (kill !== undefined && "operation" in route) {
      if (isWrite(route.operation)) kill.seen++;
      if (kill.seen >= kill.after) {
        kill.killed();
        return new Promise<Response>(() => {}); // killed before the answer arrived
      }
    }
    if (kill !== undefined && kill.seen >= kill.after) return new Promise<Response>(() => {});
    return new Response(text, { status: response.status, headers: response.headers });
  }

  /** Reads, plans and applies `manifest` with a fresh client, as `marketo-activities apply` does. */
  async deploy(manifest: Manifest, options: ApplyOptions = {}, kill?: Kill): Promise<Deployed> {
    const client = this.client(kill);
    const started = this.clock.now();
    const state = await readInstance(client, manifest);
    const plan = diff(manifest, state, { endpoint: this.emulator.url });
    const done = (extra: { result?: ApplyResult; refusal?: Error }): Deployed => ({
      plan,
      ...extra,
      calls: client.usage().total,
      retries: client.usage().retries,
      reads: extra.result?.reads ?? 0,
      // A refused apply makes no call.
      minimum: plan.calls.read + (extra.refusal === undefined ? plan.calls.apply : 0),
      elapsedMs: this.clock.now() - started,
    });
    try {
      return done({ result: await applyPlan(plan, client, options) });
    } catch (error) {
      return done({ refusal: error as Error });
    }
  }

  /**
   * Deploys and kills the deploy right after Marketo carried out its `writes`-th write call. Resolves
   * when it was killed; false if the deploy ended first (it had fewer writes).
   */
  async deployKilledAfter(manifest: Manifest, writes: number, options: ApplyOptions = {}): Promise<boolean> {
    let kill: Kill | undefined;
    const killed = new Promise<true>((resolve) => {
      kill = { after: writes, seen: 0, killed: () => resolve(true) };
    });
    const finished = this.deploy(manifest, options, kill).then(() => false as const);
    return Promise.race([killed, finished]);
  }

  /** The plan a fresh client makes now (its calls are not counted anywhere). */
  async planNow(manifest: Manifest): Promise<Plan> {
    const client = this.client();
    return diff(manifest, await readInstance(client, manifest), { endpoint: this.emulator.url });
  }

  /** Types the emulator holds that are not deleted, per apiName (more than one is a duplicate). */
  liveCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const type of this.emulator.state().activityTypes) {
      if (type.status === "deleted") continue;
      counts.set(type.apiName, (counts.get(type.apiName) ?? 0) + 1);
    }
    return counts;
  }

  close(): Promise<void> {
    return this.emulator.close();
  }
}

export type { ActivityTypeDefinition };
