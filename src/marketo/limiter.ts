/**
 * The two limits the client keeps by itself, per client instance (never module globals): a rolling
 * window on call starts and a cap on calls in flight. Marketo allows 100 calls per rolling 20 s (606)
 * and 10 concurrent calls (615) per instance, shared by every integration (docs/marketo-api.md section 3).
 */

/** One taken window slot. Its time is the call's start while in flight, then the call's end. */
export interface WindowSlot {
  /** The start time while the call is in flight; the end time once released. */
  time: number;
  /** True until `release`. */
  open: boolean;
}

/**
 * A rolling-window limiter: a call may start only if fewer than `calls` calls started in the last
 * `windowMs` (measured with the injected clock; waiting with the injected sleep).
 *
 * It is stricter than that in one way: a slot counts from the call's start until `windowMs` after the
 * call *ended*. Marketo counts a call when the request arrives, somewhere between our start and our end,
 * so measuring from the end keeps any `calls + 1` arrivals at least `windowMs` apart whatever the
 * latency. The cost is one round trip per window. A slot also counts on the window's last millisecond
 * (`[end, end + windowMs]`), so the limit holds whether Marketo's window is open or closed at its ends.
 *
 * Waiters are served first come, first served.
 */
export class RollingWindowLimiter {
  private readonly slots: WindowSlot[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private releaseWaiters: (() => void)[] = [];

  /**
   * @param calls most calls in any window
   * @param windowMs the window length
   * @param now the clock
   * @param sleep waits the given milliseconds
   */
  constructor(
    private readonly calls: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    if (!Number.isInteger(calls) || calls < 1)
      throw new RangeError("rateLimit.calls must be a whole number >= 1");
    if (!Number.isFinite(windowMs) || windowMs < 0) throw new RangeError("rateLimit.windowMs must be >= 0");
  }

  /**
   * Waits for a slot and takes it. `onWait` is told each time the caller has to wait for the window,
   * with the planned wait in milliseconds. Release the slot with `release` when the call has ended.
   */
  public acquire(onWait?: (waitMs: number) => void): Promise<WindowSlot> {
    const taken = this.queue.then(() => this.take(onWait));
    this.queue = taken.catch(() => undefined);
    return taken;
  }

  /** Marks a call as ended; its slot now expires `windowMs` after this moment. */
  public release(slot: WindowSlot): void {
    if (!slot.open) return;
    slot.open = false;
    slot.time = Math.max(slot.time, this.now());
    const waiters = this.releaseWaiters;
    this.releaseWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Gives back a slot whose call was never sent, as if it had not been taken. */
  public cancel(slot: WindowSlot): void {
    const index = this.slots.indexOf(slot);
    if (index !== -1) this.slots.splice(index, 1);
    slot.open = false;
    const waiters = this.releaseWaiters;
    this.releaseWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Calls counted in the window right now (in flight, or ended less than `windowMs` ago). */
  public inWindow(): number {
    this.prune(this.now());
    return this.slots.length;
  }

  private async take(onWait?: (waitMs: number) => void): Promise<WindowSlot> {
    for (;;) {
      const now = this.now();
      this.prune(now);
      if (this.slots.length < this.calls) {
        const slot: WindowSlot = { time: now, open: true };
        this.slots.push(slot);
        return slot;
      }
      let oldestEnded: number | undefined;
      for (const slot of this.slots) {
        if (!slot.open && (oldestEnded === undefined || slot.time < oldestEnded)) oldestEnded = slot.time;
      }
      if (oldestEnded === undefined) {
        // Every counted call is still in flight: the earliest a slot can free up is after one ends.
        await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
        continue;
      }
      const waitMs = Math.max(1, oldestEnded + this.windowMs + 1 - now);
      onWait?.(waitMs);
      await this.sleep(waitMs);
    }
  }

  private prune(now: number): void {
    for (let i = this.slots.length - 1; i >= 0; i--) {
      const slot = this.slots[i];
      if (slot !== undefined && !slot.open && slot.time + this.windowMs < now) this.slots.splice(i, 1);
    }
  }
}

/** A counting semaphore: at most `max` holders at once; waiters are served first come, first served. */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  /** @param max most holders at once */
  constructor(private readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError("maxConcurrency must be a whole number >= 1");
  }

  /** Holders right now. */
  public get inFlight(): number {
    return this.active;
  }

  /** Callers waiting right now. */
  public get waiting(): number {
    return this.waiters.length;
  }

  /** Waits until fewer than `max` hold it, then holds it. Call `release` exactly once afterwards. */
  public acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Lets the next waiter in, or frees the place. */
  public release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) next();
    else this.active = Math.max(0, this.active - 1);
  }
}
