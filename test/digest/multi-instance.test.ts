/** Two digest services sharing the real local Redis, as two bot processes would: each has its own
 * connection, clock and messengers, both tick concurrently (now one ahead, now the other, sometimes
 * only one) over many scheduled times, and every (chat, scheduled time) is posted exactly once. */
import { randomUUID } from "node:crypto";
import { afterAll, expect, it, vi } from "vitest";
import { DeliveryError } from "../../src/core/errors.ts";
import type { KeyValueStore } from "../../src/core/ports.ts";
import { createStore } from "../../src/data/store.ts";
import type { TickReport } from "../../src/digest/scheduler.ts";
import { fakeClock, type Post, recordingMessenger, testService } from "./helpers.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const namespace = `decentra-test-digest-${randomUUID()}`;
const opened: KeyValueStore[] = [];

afterAll(async () => {
  const store = await createStore(REDIS_URL, { namespace });
  for (const [key] of await store.entries("")) await store.delete(key);
  await store.close();
  for (const store of opened) await store.close().catch(() => {});
});

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

it("two instances on one Redis post each (chat, scheduled time) exactly once", async () => {
  const START = "2026-11-24T08:00:00Z";
  const STEP_MS = 10_000;
  const STEPS = 60;
  const posts: Post[] = [];

  const instances = await Promise.all(
    ["a", "b"].map(async (instanceId) => {
      const store = await createStore(REDIS_URL, { namespace });
      opened.push(store);
      const clock = fakeClock(START);
      const { service } = testService({
        store,
        clock,
        instanceId,
        minIntervalSeconds: 10,
        refreshIntervalMs: 5000,
        messengers: [recordingMessenger("telegram", posts), recordingMessenger("discord", posts)],
      });
      return { instanceId, service, clock, reports: [] as TickReport[] };
    }),
  );
  const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];

  const chats = ["t1", "t2", "t3", "d1", "d2", "d3"];
  for (const chatId of chats) {
    await a.service.subscribe({
      platform: chatId.startsWith("t") ? "telegram" : "discord",
      chatId,
      schedule: "*/10 * * * * *",
      tz: "UTC",
      sections: ["edge_ai"],
    });
  }

  const next = random(42);
  /** Clock readings of every tick, to work out which times someone looked at (see below). */
  const tickedAtMs: number[] = [];
  for (let step = 1; step <= STEPS; step++) {
    const scheduledMs = Date.parse(START) + step * STEP_MS;
    const ticks: Array<Promise<void>> = [];
    for (const instance of [a, b]) {
      // Each instance is somewhere between 1 s early and 3 s late; one in five ticks is missed.
      if (next() < 0.2) continue;
      instance.clock.set(new Date(scheduledMs - 1000 + Math.floor(next() * 4000)));
      tickedAtMs.push(instance.clock.now().getTime());
      ticks.push(instance.service.tick().then((report) => void instance.reports.push(report)));
    }
    await Promise.all(ticks);
  }
  const endMs = Date.parse(START) + STEPS * STEP_MS + 5000;
  for (const instance of [a, b]) instance.clock.set(new Date(endMs));
  tickedAtMs.push(endMs);
  await Promise.all([a.service.tick(), b.service.tick()]);

  // A time T is posted when some instance ticked in [T, T + 10 s), before the next time fell due.
  // When neither did (both skipped, or both ticked early), the next tick finds two times due and a
  // catch-up posts only the later one: that time is missed on purpose, not lost.
  const lookedAt = new Set<string>();
  for (let step = 1; step <= STEPS; step++) {
    const scheduledMs = Date.parse(START) + step * STEP_MS;
    if (tickedAtMs.some((t) => t >= scheduledMs && t < scheduledMs + STEP_MS)) {
      lookedAt.add(new Date(scheduledMs).toISOString());
    }
  }
  expect(lookedAt.size).toBeGreaterThan(STEPS / 2);
  const expected = chats.flatMap((chatId) =>
    [...lookedAt].map((at) => `${chatId.startsWith("t") ? "telegram" : "discord"}:${chatId}@${at}`),
  );

  const perDelivery = new Map<string, number>();
  for (const post of posts) {
    const key = `${post.platform}:${post.chatId}@${post.scheduledAt}`;
    perDelivery.set(key, (perDelivery.get(key) ?? 0) + 1);
  }
  const duplicates = [...perDelivery].filter(([, n]) => n > 1);
  expect(duplicates).toEqual([]);
  expect([...perDelivery.keys()].sort()).toEqual(expected.sort());
  expect(posts).toHaveLength(chats.length * lookedAt.size);

  // Both really competed: each posted some, and each lost some claims to the other.
  const total = (instance: typeof a, field: keyof TickReport) =>
    instance.reports.reduce((sum, r) => sum + r[field], 0);
  for (const instance of [a, b]) {
    expect(total(instance, "delivered")).toBeGreaterThan(0);
    expect(total(instance, "claimedElsewhere")).toBeGreaterThan(0);
    expect(total(instance, "failed")).toBe(0);
  }
});

it("a time one instance failed to post is posted once, by the other, after the first lets go of it", async () => {
  const START = "2026-11-24T07:59:00Z";
  const posts: Post[] = [];
  let releaseA = () => {};
  const aMayFail = new Promise<void>((resolve) => {
    releaseA = resolve;
  });
  const instance = async (instanceId: string, messenger: ReturnType<typeof recordingMessenger>) => {
    const store = await createStore(REDIS_URL, { namespace });
    opened.push(store);
    const clock = fakeClock(START);
    const { service } = testService({
      store,
      clock,
      instanceId,
      retry: { maxAttempts: 1 },
      messengers: [messenger],
    });
    return { service, clock, messenger };
  };
  // A's post fails with a 502 (retryable), but only once B has looked and found A holding the time.
  const a = await instance(
    "a",
    recordingMessenger("telegram", posts, async () => {
      await aMayFail;
      throw new DeliveryError("502 Bad Gateway", { permanent: false });
    }),
  );
  const b = await instance("b", recordingMessenger("telegram", posts));
  await a.service.subscribe({
    platform: "telegram",
    chatId: "retried",
    schedule: "0 8 * * *",
    tz: "UTC",
    sections: ["edge_ai"],
  });

  const at = (iso: string) => {
    a.clock.set(iso);
    b.clock.set(iso);
  };
  at("2026-11-24T08:00:00.100Z");
  const aTick = a.service.tick();
  await vi.waitFor(() => expect(a.messenger.attempts.get("retried")).toBe(1));
  expect(await b.service.tick()).toMatchObject({ delivered: 0, claimedElsewhere: 1 });
  releaseA();
  expect(await aTick).toMatchObject({ delivered: 0, failed: 1 });

  // B looks again a moment later: A let go, nobody posted it, so B does.
  at("2026-11-24T08:00:01.200Z");
  expect(await b.service.tick()).toMatchObject({ delivered: 1 });
  // A's own retry finds it done.
  at("2026-11-24T08:01:30Z");
  expect(await a.service.tick()).toMatchObject({ delivered: 0, failed: 0 });
  expect(await b.service.tick()).toMatchObject({ delivered: 0, failed: 0 });
  expect(a.messenger.attempts.get("retried")).toBe(1);
  expect(posts.map((p) => `${p.chatId}@${p.scheduledAt}`)).toEqual(["retried@2026-11-24T08:00:00.000Z"]);
});
