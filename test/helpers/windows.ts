/**
 * The most of `times` that fall in any one window of `windowMs`: how many calls started in the busiest
 * window. `open` counts windows `(t - windowMs, t]`, the rule the emulator counts 606 by; `closed`
 * counts `[t, t + windowMs]`, the stricter rule the client's limiter keeps (a slot also counts on the
 * window's last millisecond). Used by the client tests and `bench/client.ts`.
 */
export function busiestWindow(
  times: readonly number[],
  windowMs: number,
  ends: "open" | "closed" = "open",
): number {
  const sorted = [...times].sort((a, b) => a - b);
  const outside = (from: number, to: number) =>
    ends === "open" ? to - from >= windowMs : to - from > windowMs;
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while (outside(sorted[from] ?? 0, sorted[to] ?? 0)) from++;
    best = Math.max(best, to - from + 1);
  }
  return best;
}
