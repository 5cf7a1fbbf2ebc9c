/**
 * One kill point, as kill-points.test.ts plays it, returned as data for scripts/soak.ts: the apply
 * killed after its n-th write, then a fresh apply with no flag (and, if that refuses, one with
 * --discard-foreign-drafts), and what the instance holds after.
 */
import type { EmulatorBehaviour, SeedActivityType } from "../../src/emulator/index.js";
import type { ActivityTypeInput } from "../../src/schema/index.js";
import { divergence, runKilledAfter, startLab, writesIn } from "./harness.js";

export interface KillScenario {
  readonly seed: readonly SeedActivityType[];
  readonly types: readonly ActivityTypeInput[];
  readonly retired?: readonly string[];
  readonly approve?: boolean;
  /** Flags the killed apply needs (the first apply of the scenario would need them too). */
  readonly flags?: readonly string[];
}

export interface KillPoint {
  readonly writes: number;
  /** The write the process died after, or undefined when the apply ended first. */
  readonly killedAfter?: string;
  /** The rerun with no flag finished (exit 0, the instance as declared, the next plan empty). */
  readonly finishedWithoutFlag: boolean;
  /** It refused, naming --discard-foreign-drafts, having written nothing. */
  readonly refusedCleanly: boolean;
  /** With --discard-foreign-drafts after such a refusal, it finished. */
  readonly finishedWithFlag: boolean;
  /** What differs at the end (empty when it converged). */
  readonly diverged: readonly string[];
}

export async function killPoint(
  scenario: KillScenario,
  writes: number,
  behaviour: EmulatorBehaviour = {},
): Promise<KillPoint> {
  const lab = await startLab({ seed: { activityTypes: [...scenario.seed] }, behaviour });
  try {
    const manifest = lab.manifest(scenario.types, {
      retired: scenario.retired ?? [],
      ...(scenario.approve === undefined ? {} : { approve: scenario.approve }),
    });
    const apply = ["apply", "--manifest", lab.manifestPath, "--auto-approve"];
    const plan = ["plan", "--manifest", lab.manifestPath, "--detailed-exitcode"];
    const { killed } = await runKilledAfter(lab, [...apply, ...(scenario.flags ?? [])], writes);
    const mark = lab.emulator.requests.length;
    const rerun = await lab.run(apply);
    let refusedCleanly = false;
    let finishedWithFlag = false;
    if (rerun.code !== 0) {
      refusedCleanly =
        rerun.stderr.includes("--discard-foreign-drafts") &&
        writesIn(lab.emulator, mark).length === 0 &&
        !/\n\s+at /.test(rerun.stderr);
      if (refusedCleanly)
        finishedWithFlag = (await lab.run([...apply, "--discard-foreign-drafts"])).code === 0;
    }
    const diverged = divergence(lab.emulator, manifest);
    const empty = (await lab.run(plan)).code === 0;
    const converged = diverged.length === 0 && empty;
    return {
      writes,
      ...(killed === undefined
        ? {}
        : { killedAfter: `${killed.operation ?? "?"}${killed.apiName ? ` ${killed.apiName}` : ""}` }),
      finishedWithoutFlag: rerun.code === 0 && converged,
      refusedCleanly,
      finishedWithFlag: finishedWithFlag && converged,
      diverged: empty ? diverged : [...diverged, "the next plan is not empty"],
    };
  } finally {
    await lab.close();
  }
}

/** Kill points 1, 2, ... until an apply ends before its kill point. */
export async function everyKillPoint(
  scenario: KillScenario,
  behaviour: EmulatorBehaviour = {},
): Promise<KillPoint[]> {
  const points: KillPoint[] = [];
  for (let writes = 1; writes < 100; writes++) {
    const point = await killPoint(scenario, writes, behaviour);
    if (point.killedAfter === undefined) break;
    points.push(point);
  }
  return points;
}
