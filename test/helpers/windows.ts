/**
 * Most of `times` in any window `(t - windowMs, t]`: how many calls started in the busiest window,
 * by the rule the emulator counts 606 with. Used by the client tests and `bench/client.ts`.
 */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[from] ?? 0) <= (sorted[to] ?? 0) - windowMs) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}
