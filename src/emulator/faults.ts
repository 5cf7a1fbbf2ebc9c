/**
 * Fault injection: scripted faults answer chosen calls of an operation (as octokit's test harness
 * scripts responses), either a run of calls or every call within a stretch of the emulator's clock;
 * random faults are drawn from a seeded generator, so a seed replays exactly.
 */
import type { Operation } from "../marketo/endpoints.js";
import {
  DEFAULT_RANDOM_FAULT_KINDS,
  type FaultPeriod,
  type FaultResponse,
  type FaultSpec,
  type RandomFaults,
} from "./options.js";

/** A scripted fault: calls numbered `from` up to `until`, or calls arriving within `during`. */
interface ScheduledFault {
  readonly operation: Operation | "*";
  readonly calls?: { readonly from: number; readonly until: number };
  readonly during?: FaultPeriod;
  readonly respond: FaultResponse;
}

/** mulberry32: a small, fast, seedable PRNG with a 2^32 period; plenty for fault draws (and tests' jitter). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultPlan {
  private readonly scheduled: ScheduledFault[] = [];
  private readonly calls = new Map<Operation | "*", number>();
  private readonly random: (() => number) | undefined;
  private readonly randomKinds: readonly FaultResponse[];
  private readonly randomOperations: ReadonlySet<Operation> | undefined;

  constructor(
    faults: readonly FaultSpec[],
    private readonly randomFaults: RandomFaults | undefined,
  ) {
    if (randomFaults !== undefined) {
      if (!(randomFaults.probability >= 0 && randomFaults.probability <= 1))
        throw new RangeError("randomFaults.probability must be between 0 and 1");
      this.random = mulberry32(randomFaults.seed);
      this.randomKinds = randomFaults.kinds ?? DEFAULT_RANDOM_FAULT_KINDS;
      if (this.randomKinds.length === 0) throw new RangeError("randomFaults.kinds must not be empty");
      this.randomOperations =
        randomFaults.operations === undefined ? undefined : new Set(randomFaults.operations);
    } else {
      this.random = undefined;
      this.randomKinds = [];
      this.randomOperations = undefined;
    }
    for (const fault of faults) this.add(fault);
  }

  /** Schedules a fault; without `nth` or `during` it applies from the next call of its operation. */
  add(fault: FaultSpec): void {
    if (fault.during !== undefined) {
      const { fromMs, untilMs } = fault.during;
      if (fault.nth !== undefined || fault.times !== undefined)
        throw new RangeError(
          "fault.during cannot be combined with nth or times: it applies to every call within the period",
        );
      if (!Number.isFinite(fromMs) || !Number.isFinite(untilMs) || untilMs <= fromMs)
        throw new RangeError(
          "fault.during needs finite fromMs and untilMs (epoch ms of the emulator's clock) with untilMs after fromMs",
        );
      this.scheduled.push({
        operation: fault.operation,
        during: { fromMs, untilMs },
        respond: fault.respond,
      });
      return;
    }
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new RangeError("fault.times must be a positive integer");
    if (fault.nth !== undefined && (!Number.isInteger(fault.nth) || fault.nth < 1))
      throw new RangeError("fault.nth must be a positive integer (1 is the first call)");
    const from = fault.nth ?? (this.calls.get(fault.operation) ?? 0) + 1;
    this.scheduled.push({
      operation: fault.operation,
      calls: { from, until: from + times },
      respond: fault.respond,
    });
  }

  /** Counts a call of `operation` arriving at `at` (epoch ms) and returns the fault to apply to it, if any. */
  next(
    operation: Operation,
    at: number,
  ): { respond: FaultResponse; source: "scripted" | "random" } | undefined {
    const count = this.bump(operation);
    const countAll = this.bump("*");
    const scripted = this.scheduled.find((fault) => {
      if (fault.operation !== "*" && fault.operation !== operation) return false;
      if (fault.during !== undefined) return at >= fault.during.fromMs && at < fault.during.untilMs;
      const n = fault.operation === "*" ? countAll : count;
      return fault.calls !== undefined && n >= fault.calls.from && n < fault.calls.until;
    });
    if (scripted !== undefined) return { respond: scripted.respond, source: "scripted" };
    if (this.random === undefined || this.randomFaults === undefined) return undefined;
    const eligible =
      this.randomOperations === undefined ? operation !== "identity" : this.randomOperations.has(operation);
    if (!eligible) return undefined;
    if (this.random() >= this.randomFaults.probability) return undefined;
    const kind = this.randomKinds[Math.floor(this.random() * this.randomKinds.length)];
    return kind === undefined ? undefined : { respond: kind, source: "random" };
  }

  private bump(key: Operation | "*"): number {
    const count = (this.calls.get(key) ?? 0) + 1;
    this.calls.set(key, count);
    return count;
  }
}
