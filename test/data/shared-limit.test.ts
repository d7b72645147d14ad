/** The per-sender command limit shared through the local Redis: two instances count one sender
 * together, the notice is given once, and the window slides. Keys under a namespace of this run
 * (containing "scale"), removed afterwards. */
import { randomUUID } from "node:crypto";
import { createClient } from "@redis/client";
import { afterAll, expect, it } from "vitest";
import { createSharedCommandLimiter } from "../../src/data/shared-limit.ts";

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
  const options = { redisUrl: REDIS_URL, namespace, limit: 3, windowMs: 60_000, clock };
  const [a, b] = await Promise.all([
    createSharedCommandLimiter(options),
    createSharedCommandLimiter(options),
  ]);
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
    await Promise.all([a.close(), b.close()]);
  }
});
