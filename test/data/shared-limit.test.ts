/** Limits shared through the local Redis: the per-sender command limit (two instances count one
 * sender together, the notice is given once, the window slides) and the shared sliding windows
 * Telegram's outgoing limits use (all or nothing, timed by Redis). Keys under a namespace of this
 * run (containing "scale"), removed afterwards. */
import { randomUUID } from "node:crypto";
import { createClient } from "@redis/client";
import { afterAll, describe, expect, it } from "vitest";
import { createSharedOutgoingLimiter } from "../../src/adapters/telegram/flood.ts";
import { connectSharedLimits } from "../../src/data/shared-limit.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const namespace = `scale-limit-${randomUUID().slice(0, 8)}`;

afterAll(async () => {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 100 })) {
    if (keys.length) await client.del(keys);
  }
  await client.quit();
});

it("counts one sender across two instances, tells them once, and frees up as the window slides", async () => {
  let nowMs = Date.parse("2026-12-01T00:00:00Z");
  const clock = { now: () => new Date(nowMs) };
  const [one, two] = await Promise.all([
    connectSharedLimits({ redisUrl: REDIS_URL, namespace }),
    connectSharedLimits({ redisUrl: REDIS_URL, namespace }),
  ]);
  const a = one.commandLimiter({ limit: 3, windowMs: 60_000, clock });
  const b = two.commandLimiter({ limit: 3, windowMs: 60_000, clock });
  try {
    expect(await a.check("tg:7")).toEqual({ allowed: true }); // t = 0
    nowMs += 10_000;
    expect(await b.check("tg:7")).toEqual({ allowed: true }); // t = 10 s, the other instance
    nowMs += 10_000;
    expect(await a.check("tg:7")).toEqual({ allowed: true }); // t = 20 s: 3 of 3
    nowMs += 5_000;
    // t = 25 s: the first hit (t = 0) leaves the window at 60 s: 60 − 25 = 35 s to wait.
    expect(await b.check("tg:7")).toEqual({ allowed: false, notify: true, retryAfterMs: 35_000 });
    expect(await a.check("tg:7")).toEqual({ allowed: false, notify: false, retryAfterMs: 35_000 });
    // Another sender is not affected.
    expect(await a.check("tg:8")).toEqual({ allowed: true });
    nowMs += 35_000; // t = 60 s: the t = 0 hit is out
    expect(await b.check("tg:7")).toEqual({ allowed: true });
    // The accepted command re-arms the notice.
    expect(await a.check("tg:7")).toMatchObject({ allowed: false, notify: true });
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
});

describe("shared windows", () => {
  it("count across two connections, all or nothing, and say how long until there is room", async () => {
    const [one, two] = await Promise.all([
      connectSharedLimits({ redisUrl: REDIS_URL, namespace }),
      connectSharedLimits({ redisUrl: REDIS_URL, namespace }),
    ]);
    try {
      const full = { key: "w:full", count: 3, windowMs: 2000 };
      const roomy = { key: "w:roomy", count: 3, windowMs: 2000 };
      expect(await one.windows.take([full], "a1")).toBe(0);
      expect(await two.windows.take([full], "b1")).toBe(0);
      expect(await one.windows.take([full], "a2")).toBe(0);
      // The fourth in 2 s waits until the first leaves the window: (0, 2000] ms from now.
      const waitMs = await two.windows.take([roomy, full], "b2");
      expect(waitMs).toBeGreaterThan(1500);
      expect(waitMs).toBeLessThanOrEqual(2000);
      // Refused as a whole: the roomy window did not count it, so it still has all three places.
      for (const ticket of ["r1", "r2", "r3"]) expect(await one.windows.take([roomy], ticket)).toBe(0);
      expect(await one.windows.take([roomy], "r4")).toBeGreaterThan(0);
      // Finishing moves an event to now: 300 ms after it was taken and finished, a one-place
      // window waits the whole 2 s again, not the 1.7 s left from when it was taken.
      const single = { key: "w:single", count: 1, windowMs: 2000 };
      expect(await one.windows.take([single], "s1")).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await one.windows.finish([single], "s1");
      expect(await two.windows.take([single], "s2")).toBeGreaterThan(1950);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });

  it("hold two instances' Telegram limiters together: never more than the limit in any window", async () => {
    const [one, two] = await Promise.all([
      connectSharedLimits({ redisUrl: REDIS_URL, namespace }),
      connectSharedLimits({ redisUrl: REDIS_URL, namespace }),
    ]);
    try {
      // Telegram's shape scaled down: 5 messages in any 400 ms for the token, 3 in 3 s per chat.
      const limits = {
        global: { count: 5, windowMs: 400 },
        privateChat: [{ count: 3, windowMs: 3000 }],
        group: [],
      };
      const a = createSharedOutgoingLimiter(one.windows, { botId: "123", limits });
      const b = createSharedOutgoingLimiter(two.windows, { botId: "123", limits });
      const grantedAt: number[] = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          (i % 2 ? a : b).acquire(1000 + i).then((done) => {
            grantedAt.push(performance.now() - started);
            done();
          }),
        ),
      );
      grantedAt.sort((x, y) => x - y);
      // 15 messages at 5 per 400 ms: three windows, the last opening 800 ms after the first.
      expect(grantedAt.slice(0, 5).every((t) => t < 300)).toBe(true);
      expect(grantedAt[14]!).toBeGreaterThanOrEqual(780);
      // Any six consecutive grants span at least the window (less a few ms of two clocks).
      for (let i = 0; i + 5 < grantedAt.length; i++)
        expect(grantedAt[i + 5]! - grantedAt[i]!).toBeGreaterThan(380);
      // Another bot's token has windows of its own.
      const other = createSharedOutgoingLimiter(one.windows, { botId: "456", limits });
      const before = performance.now();
      (await other.acquire(1000))();
      expect(performance.now() - before).toBeLessThan(200);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
