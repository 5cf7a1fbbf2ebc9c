import { describe, expect, it } from "vitest";
import { RollingWindowLimiter, Semaphore } from "../../src/marketo/limiter.js";
import { virtualClock } from "../helpers/clock.js";
import { busiestWindow } from "../helpers/windows.js";
import { ok, setup, tick } from "./helpers.js";

describe("rolling-window limiter in the client", () => {
  it("never lets more than N calls start in any window, and does not wait longer than needed", async () => {
    const { client, stub, events } = setup({ rateLimit: { calls: 5, windowMs: 1000 } });
    for (let i = 0; i < 23; i++) stub.reply("listCustomActivityTypes", ok());
    await Promise.all(Array.from({ length: 23 }, () => client.listCustomActivityTypes()));

    const rest = stub.rest();
    expect(rest).toHaveLength(23);
    expect(
      busiestWindow(
        rest.map((r) => r.at),
        1000,
        "closed",
      ),
    ).toBe(5);
    // 23 calls at 5 per second need four more windows after the first; a slot counts on the window's
    // last millisecond too, so each window starts 1001 ms after the previous one.
    const first = rest[0]?.at ?? 0;
    expect(rest.map((r) => r.at - first)).toEqual([
      ...Array(5).fill(0),
      ...Array(5).fill(1001),
      ...Array(5).fill(2002),
      ...Array(5).fill(3003),
      ...Array(3).fill(4004),
    ]);
    expect(events.filter((e) => e.type === "limiterWait").length).toBeGreaterThan(0);
  });

  it("counts a slow call until a window after it ended", async () => {
    const { client, stub, clock } = setup({ rateLimit: { calls: 2, windowMs: 1000 } });
    // The first call takes 600 ms; Marketo may have counted it at any point of those 600 ms.
    stub.reply(
      "listCustomActivityTypes",
      () => {
        clock.advance(600);
        return ok();
      },
      ok(),
      ok(),
    );
    await client.listCustomActivityTypes();
    await client.listCustomActivityTypes();
    await client.listCustomActivityTypes();
    const [a, b, c] = stub.rest().map((r) => r.at);
    expect(b).toBe((a ?? 0) + 600);
    // The third start waits for the first call's end (a + 600) plus the window.
    expect(c).toBe((a ?? 0) + 1601);
  });

  it("does not spend window slots on identity calls", async () => {
    const { client, stub, clock } = setup({ rateLimit: { calls: 1, windowMs: 1000 } });
    stub.reply("listCustomActivityTypes", ok(), ok());
    await client.listCustomActivityTypes();
    expect(clock.sleeps).toEqual([]);
    await client.listCustomActivityTypes();
    expect(clock.sleeps).toEqual([1001]);
    expect(stub.operations()).toEqual(["identity", "listCustomActivityTypes", "listCustomActivityTypes"]);
  });

  it("keeps limits per client instance", async () => {
    const first = setup({ rateLimit: { calls: 1, windowMs: 10_000 } });
    const second = setup({ rateLimit: { calls: 1, windowMs: 10_000 } });
    first.stub.reply("listCustomActivityTypes", ok());
    second.stub.reply("listCustomActivityTypes", ok());
    await first.client.listCustomActivityTypes();
    await second.client.listCustomActivityTypes();
    expect(second.clock.sleeps).toEqual([]);
  });
});

describe("concurrency cap in the client", () => {
  it("never has more than maxConcurrency requests in flight", async () => {
    const { client, stub } = setup({ maxConcurrency: 3 });
    for (let i = 0; i < 12; i++) {
      stub.reply("describeCustomActivityType", async () => {
        await tick();
        await tick();
        return ok([{ apiName: `t${i}` }]);
      });
    }
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.describeCustomActivityType(`t${i}`)),
    );
    expect(results).toHaveLength(12);
    expect(stub.maxInFlight).toBe(3);
  });

  it("defaults to 10 in flight", async () => {
    const { client, stub } = setup();
    for (let i = 0; i < 25; i++) {
      stub.reply("listActivityTypes", async () => {
        await tick();
        return ok();
      });
    }
    await Promise.all(Array.from({ length: 25 }, () => client.listActivityTypes()));
    expect(stub.maxInFlight).toBe(10);
  });
});

describe("RollingWindowLimiter", () => {
  it("waits for an in-flight call to end when every counted call is in flight", async () => {
    const clock = virtualClock(0);
    const limiter = new RollingWindowLimiter(2, 1000, clock.now, clock.sleep);
    const a = await limiter.acquire();
    await limiter.acquire();
    let third: number | undefined;
    const pending = limiter.acquire().then((slot) => {
      third = slot.time;
    });
    await tick();
    expect(third).toBeUndefined();
    clock.advance(300);
    limiter.release(a);
    await pending;
    expect(third).toBe(1301);
  });

  it("gives back a slot whose call was never sent", async () => {
    const clock = virtualClock(0);
    const limiter = new RollingWindowLimiter(1, 1000, clock.now, clock.sleep);
    limiter.cancel(await limiter.acquire());
    await limiter.acquire();
    expect(clock.sleeps).toEqual([]);
  });

  it("fails when configured with a limit below one call", () => {
    const clock = virtualClock(0);
    expect(() => new RollingWindowLimiter(0, 1000, clock.now, clock.sleep)).toThrow(RangeError);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});

describe("Semaphore", () => {
  it("serves waiters first come, first served", async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    await semaphore.acquire();
    const waiters = [1, 2, 3].map((n) =>
      semaphore.acquire().then(() => {
        order.push(n);
        semaphore.release();
      }),
    );
    expect(semaphore.waiting).toBe(3);
    semaphore.release();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(semaphore.inFlight).toBe(0);
  });
});
