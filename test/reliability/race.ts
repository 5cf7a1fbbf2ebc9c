/**
 * Two applies of different code racing on one live type, interleaved by a script instead of timing.
 * The type is live with attribute `u1`; one apply (X) declares `u1, u2`, the other (Y) `u1, u9`.
 * Both read the instance first; then their writes go out in the order the script gives, each one
 * only after the one before it landed and its answer reached its process. An event of an apply that
 * already stopped (it found the other's change and failed) is skipped.
 *
 * What must hold (docs/design.md decision 15): no apply reports success for a published version it
 * did not declare; a version mixing both changes is published only when the other's write landed
 * between an apply's last write and its approve (the one-call window: approve takes no precondition),
 * and then that apply fails naming the other change.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EmulatorBehaviour, SeedActivityType } from "../../src/emulator/index.js";
import { serializeManifest } from "../../src/schema/index.js";
import type { CliRun } from "../helpers/cli.js";
import { manifestOf, type Outgoing, startLab } from "./harness.js";

export type Racer = "X" | "Y";
export type RaceEvent = `${Racer}:${"write" | "approve"}`;

const base = {
  apiName: "webinarAttended",
  name: "Webinar Attended",
  triggerName: "Attends Webinar",
  filterName: "Attended Webinar",
  primaryAttribute: { apiName: "webinarName", name: "Webinar Name" },
} as const;
const attribute = (apiName: string) => ({ apiName, name: `Field ${apiName}`, dataType: "string" as const });

/** The attribute each racer adds. */
export const ADDS: Readonly<Record<Racer, string>> = { X: "u2", Y: "u9" };
const other = (racer: Racer): Racer => (racer === "X" ? "Y" : "X");

/** Every order of X's and Y's write and approve, each racer's own order kept: the 6 interleavings. */
export function interleavings(): RaceEvent[][] {
  const x: RaceEvent[] = ["X:write", "X:approve"];
  const y: RaceEvent[] = ["Y:write", "Y:approve"];
  const out: RaceEvent[][] = [];
  const walk = (i: number, j: number, acc: RaceEvent[]) => {
    if (i === x.length && j === y.length) out.push(acc);
    if (i < x.length) walk(i + 1, j, [...acc, x[i]!]);
    if (j < y.length) walk(i, j + 1, [...acc, y[j]!]);
  };
  walk(0, 0, []);
  return out;
}

/** What one race did. */
export interface RaceOutcome {
  readonly script: readonly RaceEvent[];
  /** The events that happened, in order. */
  readonly happened: readonly RaceEvent[];
  readonly runs: Readonly<Record<Racer, CliRun>>;
  /** The attributes Marketo published as each racer's approve landed (sorted), when it approved. */
  readonly published: Partial<Readonly<Record<Racer, readonly string[]>>>;
  /** Whether the other's write landed between this racer's last write and its approve. */
  readonly windowHit: Readonly<Record<Racer, boolean>>;
  /** Requests that came when the script did not expect them (released in arrival order). */
  readonly deviations: readonly string[];
}

/** Plays one interleaving; `behaviour` flips an open Marketo behaviour (e.g. approve answering no type). */
export async function race(
  script: readonly RaceEvent[],
  behaviour: EmulatorBehaviour = {},
): Promise<RaceOutcome> {
  const seed: SeedActivityType = { ...base, attributes: [attribute("u1")] };
  const lab = await startLab({ seed: { activityTypes: [seed] }, behaviour });
  try {
    const paths = {} as Record<Racer, string>;
    for (const racer of ["X", "Y"] as const) {
      const dir = join(lab.dir, racer);
      mkdirSync(dir);
      paths[racer] = join(dir, "marketo-activities.prod.json");
      const manifest = manifestOf([{ ...base, attributes: [attribute("u1"), attribute(ADDS[racer])] }]);
      writeFileSync(paths[racer], serializeManifest(manifest));
    }

    const pending = [...script];
    const happened: RaceEvent[] = [];
    const deviations: string[] = [];
    const published: Partial<Record<Racer, string[]>> = {};
    const arrived = new Set<Racer>();
    const finished = new Set<Racer>();
    const waiting = new Map<Racer, { event: RaceEvent; release: () => void }>();

    const pump = () => {
      // Skip the events of an apply that stopped.
      while (pending.length > 0 && finished.has(pending[0]!.slice(0, 1) as Racer)) pending.shift();
      // Writes wait until both applies have read the instance (each has reached a write, or ended).
      if (!(["X", "Y"] as const).every((r) => arrived.has(r) || finished.has(r))) return;
      const head = pending[0];
      const match = [...waiting.values()].find((w) => w.event === head);
      if (match !== undefined) {
        waiting.delete(match.event.slice(0, 1) as Racer);
        match.release();
        return;
      }
      // Every apply still running waits, and none for the next event: release in arrival order.
      const running = (["X", "Y"] as const).filter((r) => !finished.has(r));
      if (running.length > 0 && running.every((r) => waiting.has(r))) {
        const [racer, first] = [...waiting.entries()][0]!;
        deviations.push(`${first.event} came while the script expected ${head ?? "nothing"}`);
        waiting.delete(racer);
        first.release();
      }
    };

    const wire = (racer: Racer) => ({
      gate: (request: Outgoing) => {
        if (!request.write) return Promise.resolve();
        arrived.add(racer);
        const event: RaceEvent = `${racer}:${request.operation === "approveCustomActivityType" ? "approve" : "write"}`;
        return new Promise<void>((release) => {
          waiting.set(racer, { event, release });
          pump();
        });
      },
      answered: (request: Outgoing) => {
        if (!request.write) return;
        const event: RaceEvent = `${racer}:${request.operation === "approveCustomActivityType" ? "approve" : "write"}`;
        happened.push(event);
        if (event.endsWith("approve")) {
          const live = lab.emulator.state().activityTypes.find((t) => t.apiName === base.apiName)?.live;
          published[racer] = (live?.attributes ?? []).map((a) => a.apiName).sort();
        }
        if (pending[0] === event) pending.shift();
        // Let the racer's process read its answer before the next event goes.
        setImmediate(pump);
      },
    });

    const runOne = (racer: Racer) =>
      lab.run(["apply", "--manifest", paths[racer], "--auto-approve"], { wire: wire(racer) }).finally(() => {
        finished.add(racer);
        pump();
      });
    const [x, y] = await Promise.all([runOne("X"), runOne("Y")]);

    const windowHit = (racer: Racer): boolean => {
      const approve = happened.indexOf(`${racer}:approve`);
      if (approve < 0) return false;
      const lastWrite = happened.lastIndexOf(`${racer}:write`, approve);
      return happened.slice(lastWrite + 1, approve).includes(`${other(racer)}:write`);
    };
    return {
      script,
      happened,
      runs: { X: x, Y: y },
      published,
      windowHit: { X: windowHit("X"), Y: windowHit("Y") },
      deviations,
    };
  } finally {
    await lab.close();
  }
}

/** What an outcome breaks, or an empty list: the figure's rule for one race. */
export function raceViolations(outcome: RaceOutcome): string[] {
  const problems = [...outcome.deviations];
  for (const racer of ["X", "Y"] as const) {
    const run = outcome.runs[racer];
    const declared = ["u1", ADDS[racer]].sort().join(",");
    const published = outcome.published[racer]?.join(",");
    const output = `${run.stdout}\n${run.stderr}`;
    if (run.code === 0 && published !== declared)
      problems.push(`${racer} reported success, but its approve published ${published ?? "nothing"}`);
    if (run.code === 0 && !output.includes("Apply complete"))
      problems.push(`${racer} exited 0 without "Apply complete"`);
    const held = outcome.published[racer] ?? [];
    const mixed = held.includes(ADDS.X) && held.includes(ADDS.Y);
    if (mixed && !outcome.windowHit[racer])
      problems.push(`${racer} published a mixed version (${published}) outside the one-call window`);
    if (mixed && (run.code === 0 || !/published a version this apply did not declare/.test(output)))
      problems.push(`${racer} published a mixed version without reporting it`);
    if (run.code !== 0 && !output.includes(`attributes.${ADDS[other(racer)]}`))
      problems.push(`${racer} failed without naming the other change (attributes.${ADDS[other(racer)]})`);
    if (/\n\s+at /.test(run.stderr)) problems.push(`${racer} printed a stack trace`);
  }
  return problems;
}
