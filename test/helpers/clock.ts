/**
 * A virtual clock for tests, with no real waits and no global fake timers: `sleep(ms)` records the
 * duration and registers a virtual timer, and time jumps to the earliest timer only once everything
 * else has settled (checked with `setImmediate`), like a discrete-event simulation. So a sleeping
 * caller does not make calls in flight look slow, and no test ever waits in real time.
 *
 * With real I/O in between (an HTTP exchange with an in-process server), wrap each exchange in
 * `io.begin()`/`io.end()`: time never jumps while one is in flight, since a request takes no virtual
 * time. `advance(ms)` moves time by hand (e.g. for latency).
 */

/** 2026-01-15T12:00:00Z: where every virtual clock starts unless told otherwise. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

export function virtualClock(start = T0) {
  let time = start;
  const sleeps: number[] = [];
  const timers: { due: number; seq: number; resolve: () => void }[] = [];
  let seq = 0;
  let pumping = false;
  let inFlight = 0;
  const pump = () => {
    pumping = false;
    if (inFlight > 0) return; // io.end schedules the pump again
    timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const next = timers.shift();
    if (next === undefined) return;
    time = Math.max(time, next.due);
    next.resolve();
    schedule();
  };
  const schedule = () => {
    if (pumping || timers.length === 0 || inFlight > 0) return;
    pumping = true;
    setImmediate(pump);
  };
  return {
    now: (): number => time,
    sleep: (ms: number): Promise<void> => {
      sleeps.push(ms);
      return new Promise<void>((resolve) => {
        timers.push({ due: time + ms, seq: seq++, resolve });
        schedule();
      });
    },
    advance: (ms: number): void => {
      time += ms;
    },
    /** Every duration passed to `sleep`, in order. */
    sleeps,
    io: {
      begin: (): void => {
        inFlight++;
      },
      end: (): void => {
        inFlight--;
        schedule();
      },
    },
  };
}
export type VirtualClock = ReturnType<typeof virtualClock>;
