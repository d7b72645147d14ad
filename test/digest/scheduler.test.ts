/** The digest service with a clock the test moves: subscribing, posting on time, restarts with missed
 * times, failures, retries and shared content. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { DeliveryError } from "../../src/core/errors.ts";
import type { DigestSection, KeyValueStore } from "../../src/core/ports.ts";
import { createMemoryStore, createStore } from "../../src/data/store.ts";
import { memoryNetwork } from "../support/memory-deps.ts";
import {
  fakeClock,
  type Post,
  recordingMessenger,
  sleep,
  testService,
  ttlRecordingStore,
} from "./helpers.ts";

const tempDir = mkdtempSync(join(tmpdir(), "decentra-digest-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

const DAILY: { schedule: string; tz: string; sections: DigestSection[] } = {
  schedule: "0 8 * * *",
  tz: "UTC",
  sections: ["network"],
};
const sub = (chatId: string, extra: Partial<typeof DAILY> = {}) => ({
  platform: "telegram" as const,
  chatId,
  ...DAILY,
  ...extra,
});
const times = (posts: Post[]) => posts.map((p) => `${p.chatId}@${p.scheduledAt}`);
/** The digest keys that mark one chat's scheduled time as taken (a lease) or done (a sent mark). */
const deliveryKeys = async (store: KeyValueStore, chatId: string) =>
  (await store.entries("digest:"))
    .map(([key]) => key)
    .filter((key) => /^digest:(lease|sent):/.test(key) && key.includes(`:${chatId}:`));

describe("subscribing", () => {
  it("subscribing again updates the one subscription", async () => {
    const store = createMemoryStore();
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service } = testService({ store, clock, messengers: [recordingMessenger("telegram", [])] });

    const first = await service.subscribe({ ...sub("-100"), userId: "7" });
    expect(first.created).toBe(true);
    expect(first.nextRuns).toEqual([
      "2026-11-24T08:00:00.000Z",
      "2026-11-25T08:00:00.000Z",
      "2026-11-26T08:00:00.000Z",
    ]);
    clock.advance(60_000);
    const again = await service.subscribe({
      ...sub("-100", { schedule: "0 9 * * 1", tz: "europe/berlin" }),
      userId: "8",
    });
    expect(again.created).toBe(false);
    expect(again.subscription).toMatchObject({
      schedule: "0 9 * * 1",
      tz: "Europe/Berlin",
      createdBy: "7",
      createdAt: "2026-11-24T06:00:00.000Z",
      updatedAt: "2026-11-24T06:01:00.000Z",
    });
    expect(await store.entries("digest:sub:")).toHaveLength(1);
    expect((await service.status("telegram", "-100")).subscription?.schedule).toBe("0 9 * * 1");
  });

  it("refuses a too-frequent schedule without storing anything", async () => {
    const store = createMemoryStore();
    const { service } = testService({
      store,
      clock: fakeClock("2026-11-24T06:00:00Z"),
      messengers: [recordingMessenger("telegram", [])],
    });
    await expect(service.subscribe(sub("1", { schedule: "*/5 * * * *" }))).rejects.toThrow(
      /at most once every 3600 s \(1 h\)/,
    );
    expect(await store.entries("digest:")).toEqual([]);
  });

  it("unsubscribing stops posts, and status says so", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [recordingMessenger("telegram", posts)],
    });
    await service.subscribe(sub("1"));
    expect(await service.unsubscribe("telegram", "1")).toBe(true);
    expect(await service.unsubscribe("telegram", "1")).toBe(false);
    clock.set("2026-11-24T08:00:00Z");
    await service.tick();
    expect(posts).toEqual([]);
    expect(await service.status("telegram", "1")).toEqual({ nextRuns: [] });
  });
});

describe("posting on schedule", () => {
  it("posts each scheduled time once, on time, and records it", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service, logger } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [recordingMessenger("telegram", posts)],
    });
    await service.subscribe(sub("1"));

    clock.set("2026-11-24T07:59:59.900Z");
    expect((await service.tick()).delivered).toBe(0);
    clock.set("2026-11-24T08:00:00.300Z");
    expect(await service.tick()).toEqual({ delivered: 1, claimedElsewhere: 0, skipped: 0, failed: 0 });
    clock.set("2026-11-24T08:00:01.300Z");
    expect((await service.tick()).delivered).toBe(0);
    clock.set("2026-11-25T08:00:00.100Z");
    await service.tick();

    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z", "1@2026-11-25T08:00:00.000Z"]);
    expect(posts[0]!.reply.title).toBe("Decentra digest — 2026-11-24 08:00 UTC");
    expect((await service.status("telegram", "1")).lastDeliveredAt).toBe("2026-11-25T08:00:00.100Z");
    expect(logger.lines.filter((l) => l.startsWith("info digest: posted"))).toHaveLength(2);
  });

  it("posts in the subscription's time zone across a daylight-saving change", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-10-24T12:00:00Z");
    const { service } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [recordingMessenger("telegram", posts)],
    });
    await service.subscribe(sub("1", { schedule: "30 2 * * *", tz: "Europe/Berlin" }));
    // Tick every 15 minutes for two days: 02:30 occurs twice on 2026-10-25 but is posted once.
    for (let i = 0; i < 2 * 96; i++) {
      clock.advance(15 * 60_000);
      await service.tick();
    }
    expect(times(posts)).toEqual(["1@2026-10-25T00:30:00.000Z", "1@2026-10-26T01:30:00.000Z"]);
  });

  it("posts a @weekly subscription once a week, at midnight in its zone", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [recordingMessenger("telegram", posts)],
    });
    const { subscription } = await service.subscribe(sub("1", { schedule: "@WEEKLY", tz: "Europe/Berlin" }));
    expect(subscription.schedule).toBe("@weekly");
    for (let i = 0; i < 15 * 24; i++) {
      clock.advance(3600_000);
      await service.tick();
    }
    expect(times(posts)).toEqual(["1@2026-11-28T23:00:00.000Z", "1@2026-12-05T23:00:00.000Z"]);
  });

  it("does not post for times before the subscription was made", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T08:30:00Z");
    const { service } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [recordingMessenger("telegram", posts)],
    });
    await service.subscribe(sub("1"));
    await service.tick();
    expect(posts).toEqual([]);
  });

  it("leaves subscriptions of a platform it cannot post to for another instance", async () => {
    const store = createMemoryStore();
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service } = testService({ store, clock, messengers: [recordingMessenger("telegram", [])] });
    await service.subscribe({ ...sub("1"), platform: "discord" });
    clock.set("2026-11-24T08:00:00Z");
    await service.tick();
    expect(await store.entries("digest:sent:")).toEqual([]);
  });
});

describe("restart", () => {
  /** A service over the SQLite file, started like production; returns what it posted. */
  async function runInstance(file: string, at: string, posts: Post[], catchupSeconds = 6 * 3600) {
    // Only the default data/ folder is created by the store (issue 11).
    mkdirSync(dirname(file), { recursive: true });
    const store = await createStore(`sqlite://${file}`);
    const clock = fakeClock(at);
    const { service, logger } = testService({
      store,
      clock,
      catchupSeconds,
      tickIntervalMs: 3_600_000, // start() ticks once; the test drives the rest
      messengers: [recordingMessenger("telegram", posts)],
    });
    return { service, logger, clock, store };
  }

  it("posts a time missed during downtime once when it is inside the catch-up window", async () => {
    const file = join(tempDir, "inside", "store.sqlite");
    const posts: Post[] = [];
    const a = await runInstance(file, "2026-11-24T06:00:00Z", posts);
    await a.service.subscribe(sub("1"));
    await a.service.start();
    a.clock.set("2026-11-24T08:00:00.200Z");
    await a.service.tick();
    await a.service.stop();
    await a.store.close();

    // Down from 08:00:01 on the 24th until 10:00 on the 25th: the 08:00 post is 2 h late, < 6 h.
    const b = await runInstance(file, "2026-11-25T10:00:00Z", posts);
    await b.service.start();
    // start() only starts the catch-up post; stopping before it is claimed would leave it to c.
    await vi.waitFor(() => expect(posts).toHaveLength(2));
    await b.service.stop();
    await b.store.close();

    // A third process right after must not repeat it.
    const c = await runInstance(file, "2026-11-25T10:00:05Z", posts);
    await c.service.tick();
    await c.store.close();

    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z", "1@2026-11-25T08:00:00.000Z"]);
    expect(b.logger.lines.some((l) => l.includes("digest: posted") && l.includes('"lateMs":7200000'))).toBe(
      true,
    );
  });

  it("skips and logs a time missed by more than the catch-up window, then carries on", async () => {
    const file = join(tempDir, "outside", "store.sqlite");
    const posts: Post[] = [];
    const a = await runInstance(file, "2026-11-24T06:00:00Z", posts);
    await a.service.subscribe(sub("1"));
    await a.store.close();

    // Back at 15:00: the 08:00 post would be 7 h late, over the 6 h window.
    const b = await runInstance(file, "2026-11-24T15:00:00Z", posts);
    expect(await b.service.tick()).toMatchObject({ delivered: 0, skipped: 1 });
    expect(
      b.logger.lines.filter((l) =>
        l.startsWith("warn digest: skipped scheduled times older than the catch-up window"),
      ),
    ).toEqual([
      expect.stringContaining(
        '"skipped":1,"first":"2026-11-24T08:00:00.000Z","last":"2026-11-24T08:00:00.000Z"',
      ),
    ]);
    b.clock.set("2026-11-25T08:00:00Z");
    await b.service.tick();
    await b.store.close();
    expect(times(posts)).toEqual(["1@2026-11-25T08:00:00.000Z"]);
  });

  it("after a longer outage posts once, for the latest missed time, and skips and logs the rest", async () => {
    // Catch-up posts once (changed on purpose: this used to post every missed time in the window,
    // one after another: an hourly schedule down for 6 h posted 6 identical digests).
    const file = join(tempDir, "hourly", "store.sqlite");
    const posts: Post[] = [];
    const a = await runInstance(file, "2026-11-24T00:30:00Z", posts, 3 * 3600);
    await a.service.subscribe(sub("1", { schedule: "0 * * * *" }));
    await a.store.close();

    // Down until 10:30 with a 3 h window (cut-off 07:30): 01:00–07:00 are outside it (7 times),
    // 08:00 and 09:00 are inside but older than 10:00 (2 more); 10:00 is posted. 7 + 2 = 9 skipped.
    const b = await runInstance(file, "2026-11-24T10:30:00Z", posts, 3 * 3600);
    expect(await b.service.tick()).toMatchObject({ delivered: 1, skipped: 9 });
    expect(times(posts)).toEqual(["1@2026-11-24T10:00:00.000Z"]);
    expect(b.logger.lines.filter((l) => l.includes("posting only the latest"))).toEqual([
      expect.stringContaining(
        '"skipped":2,"first":"2026-11-24T08:00:00.000Z","last":"2026-11-24T09:00:00.000Z","posting":"2026-11-24T10:00:00.000Z"',
      ),
    ]);
    // Then the schedule goes on: 11:00 is posted, nothing is posted twice.
    b.clock.set("2026-11-24T11:00:00Z");
    expect(await b.service.tick()).toMatchObject({ delivered: 1, skipped: 0 });
    await b.store.close();
    expect(times(posts)).toEqual(["1@2026-11-24T10:00:00.000Z", "1@2026-11-24T11:00:00.000Z"]);
  });

  it("a crash before the checked-up-to mark was saved does not repeat a post (the claim remembers)", async () => {
    const store = createMemoryStore();
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const first = testService({ store, clock, messengers: [recordingMessenger("telegram", posts)] });
    await first.service.subscribe(sub("1"));
    clock.set("2026-11-24T08:00:00Z");
    await first.service.tick();
    // As if the process died between posting and saving its mark.
    await store.delete("digest:checked:telegram:1");

    clock.set("2026-11-24T08:05:00Z");
    const second = testService({ store, clock, messengers: [recordingMessenger("telegram", posts)] });
    expect(await second.service.tick()).toMatchObject({ delivered: 0, claimedElsewhere: 1 });
    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z"]);
  });
});

describe("delivery failures", () => {
  it("a permanent failure disables only that subscription, with a log line", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const messenger = recordingMessenger("telegram", posts, (chatId) => {
      if (chatId === "kicked")
        throw new DeliveryError("Forbidden: bot was kicked from the group chat", { permanent: true });
    });
    const { service, logger, sleeps } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [messenger],
    });
    for (const chatId of ["a", "kicked", "c"]) await service.subscribe(sub(chatId));

    clock.set("2026-11-24T08:00:00Z");
    expect(await service.tick()).toMatchObject({ delivered: 2, failed: 1 });
    clock.set("2026-11-25T08:00:00Z");
    await service.tick();

    expect(times(posts).sort()).toEqual([
      "a@2026-11-24T08:00:00.000Z",
      "a@2026-11-25T08:00:00.000Z",
      "c@2026-11-24T08:00:00.000Z",
      "c@2026-11-25T08:00:00.000Z",
    ]);
    expect(messenger.attempts.get("kicked")).toBe(1); // permanent: no retry, and no post the next day
    expect(sleeps).toEqual([]);
    const status = await service.status("telegram", "kicked");
    expect(status.subscription).toMatchObject({ enabled: false });
    expect(status.subscription?.disabledReason).toContain("bot was kicked");
    expect(status.nextRuns).toEqual([]);
    expect(logger.lines.filter((l) => l.startsWith("error digest: subscription disabled"))).toHaveLength(1);

    // Subscribing again turns it back on.
    await service.subscribe(sub("kicked"));
    expect((await service.status("telegram", "kicked")).subscription?.enabled).toBe(true);
  });

  it("retries 429 with backoff, honouring retry-after, then posts once", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const messenger = recordingMessenger("telegram", posts, (_chatId, attempt) => {
      if (attempt <= 2)
        throw new DeliveryError("429 Too Many Requests", { permanent: false, retryAfterMs: 1500 });
    });
    const { service, sleeps } = testService({ store: createMemoryStore(), clock, messengers: [messenger] });
    await service.subscribe(sub("1"));
    clock.set("2026-11-24T08:00:00Z");
    expect(await service.tick()).toMatchObject({ delivered: 1, failed: 0 });
    // Attempt 1: backoff 1 s < retry-after 1.5 s; attempt 2: backoff 2 s > 1.5 s.
    expect(sleeps).toEqual([1500, 2000]);
    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z"]);
  });

  it("after the attempt limit on 5xx, logs it, keeps the subscription, and posts that time on a later tick, once", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    let down = true;
    const messenger = recordingMessenger("telegram", posts, () => {
      if (down) throw new DeliveryError("502 Bad Gateway", { permanent: false });
    });
    const store = ttlRecordingStore(createMemoryStore());
    const { service, logger, sleeps } = testService({ store, clock, messengers: [messenger] });
    await service.subscribe(sub("1"));
    clock.set("2026-11-24T08:00:00Z");
    expect(await service.tick()).toMatchObject({ delivered: 0, failed: 1 });
    expect(messenger.attempts.get("1")).toBe(5);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
    expect(logger.lines.some((l) => l.startsWith("error digest: not posted after retries"))).toBe(true);
    // Nothing holds the time: this instance, another one or a restarted process may post it.
    expect(await deliveryKeys(store, "1")).toEqual([]);
    expect(await store.get("digest:checked:telegram:1")).toBeUndefined();

    down = false;
    clock.set("2026-11-24T08:00:30Z");
    await service.tick();
    expect(messenger.attempts.get("1")).toBe(5); // the platform gets a minute's rest first
    clock.set("2026-11-24T08:01:00Z");
    expect(await service.tick()).toMatchObject({ delivered: 1, failed: 0 });
    clock.set("2026-11-24T08:02:00Z");
    await service.tick();
    clock.set("2026-11-25T08:00:00Z");
    await service.tick();
    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z", "1@2026-11-25T08:00:00.000Z"]);
    expect((await service.status("telegram", "1")).subscription?.enabled).toBe(true);

    // The lease is short; the sent mark lasts the catch-up window and a day, not a week.
    const sent = "digest:sent:telegram:1:2026-11-24T08:00:00.000Z";
    const lease = "digest:lease:telegram:1:2026-11-24T08:00:00.000Z";
    expect(store.ttls.get(lease)).toBeLessThanOrEqual(5 * 60_000);
    expect(store.ttls.get(sent)).toBe((6 + 24) * 3600_000);
    expect(await store.get(sent)).toBeDefined();
  });

  it("a process that died holding a lease does not lose the time: it is posted once the lease runs out", async () => {
    const store = createMemoryStore();
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    // The first process hangs in its post and is never heard from again.
    const dead = testService({
      store,
      clock,
      leaseTtlMs: 100,
      messengers: [recordingMessenger("telegram", [], () => new Promise<void>(() => {}))],
    });
    await dead.service.subscribe(sub("1"));
    clock.set("2026-11-24T08:00:00Z");
    void dead.service.tick();
    await vi.waitFor(async () => expect(await deliveryKeys(store, "1")).toHaveLength(1));

    const next = testService({ store, clock, messengers: [recordingMessenger("telegram", posts)] });
    clock.set("2026-11-24T08:00:05Z");
    expect(await next.service.tick()).toMatchObject({ delivered: 0, claimedElsewhere: 1 });
    await sleep(150);
    clock.set("2026-11-24T08:00:10Z");
    expect(await next.service.tick()).toMatchObject({ delivered: 1 });
    clock.set("2026-11-24T08:00:20Z");
    expect(await next.service.tick()).toMatchObject({ delivered: 0 });
    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z"]);
  });

  it("does not wait out a retry-after longer than its lease allows; the time is retried later", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    let flooded = true;
    const messenger = recordingMessenger("telegram", posts, () => {
      if (flooded)
        throw new DeliveryError("429 Too Many Requests", { permanent: false, retryAfterMs: 600_000 });
    });
    const store = createMemoryStore();
    const { service, logger, sleeps } = testService({ store, clock, messengers: [messenger] });
    await service.subscribe(sub("1"));
    clock.set("2026-11-24T08:00:00Z");
    // Waiting 10 min with a 5-min lease would let another instance take the time and post it too.
    expect(await service.tick()).toMatchObject({ delivered: 0, failed: 1 });
    expect(sleeps).toEqual([]);
    expect(logger.lines.some((l) => l.includes("would exceed"))).toBe(true);
    expect(await deliveryKeys(store, "1")).toEqual([]);

    flooded = false;
    clock.set("2026-11-24T08:01:00Z");
    expect(await service.tick()).toMatchObject({ delivered: 1 });
    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z"]);
  });

  it("stop() ends a long retry-after wait at once instead of waiting it out", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const messenger = recordingMessenger("telegram", posts, () => {
      throw new DeliveryError("429 Too Many Requests", { permanent: false, retryAfterMs: 60_000 });
    });
    // The service's own (abortable) sleep this time.
    const store = createMemoryStore();
    const { service, logger } = testService({
      store,
      clock,
      messengers: [messenger],
      realSleep: true,
    });
    await service.subscribe(sub("1"));
    clock.set("2026-11-24T08:00:00Z");
    const ticking = service.tick();
    await vi.waitFor(() => expect(messenger.attempts.get("1")).toBe(1));
    const stoppedAtMs = performance.now();
    await service.stop();
    expect(await ticking).toMatchObject({ delivered: 0, failed: 1 });
    expect(performance.now() - stoppedAtMs).toBeLessThan(1000);
    expect(messenger.attempts.get("1")).toBe(1);
    expect(logger.lines.some((l) => l.includes("not retried: shutting down"))).toBe(true);

    // Given up for the shutdown, not for good: the restarted process posts it.
    const restarted = testService({ store, clock, messengers: [recordingMessenger("telegram", posts)] });
    clock.set("2026-11-24T08:00:20Z");
    expect(await restarted.service.tick()).toMatchObject({ delivered: 1 });
    expect(times(posts)).toEqual(["1@2026-11-24T08:00:00.000Z"]);
  });

  it("stop() returns without waiting for queued posts, leaves them unclaimed, and a restart posts them once", async () => {
    const store = createMemoryStore();
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const chats = Array.from({ length: 60 }, (_, i) => `c${i}`);
    const { service } = testService({
      store,
      clock,
      maxConcurrentDeliveries: 2,
      tickIntervalMs: 3_600_000, // start() plans once; nothing else ticks
      messengers: [recordingMessenger("telegram", posts, () => sleep(50))],
    });
    for (const chatId of chats) await service.subscribe(sub(chatId));
    clock.set("2026-11-24T08:00:00Z");
    await service.start();
    await sleep(60);
    const stoppedAtMs = performance.now();
    await service.stop();
    // At most the two posts in flight are waited for, not the 58 queued behind them (1.5 s).
    expect(performance.now() - stoppedAtMs).toBeLessThan(400);
    const postedBeforeStop = posts.map((p) => p.chatId);
    expect(postedBeforeStop.length).toBeLessThanOrEqual(6);
    for (const chatId of chats.filter((c) => !postedBeforeStop.includes(c))) {
      expect(await deliveryKeys(store, chatId), chatId).toEqual([]);
    }

    const restarted = testService({
      store,
      clock,
      maxConcurrentDeliveries: 2,
      messengers: [recordingMessenger("telegram", posts)],
    });
    clock.set("2026-11-24T08:00:30Z");
    expect((await restarted.service.tick()).delivered).toBe(60 - postedBeforeStop.length);
    expect(times(posts).sort()).toEqual(chats.map((c) => `${c}@2026-11-24T08:00:00.000Z`).sort());
  });

  it("one slow chat does not hold up the others", async () => {
    const posts: Post[] = [];
    const clock = fakeClock("2026-11-24T06:00:00Z");
    let releaseSlow = () => {};
    const slow = new Promise<void>((resolve) => {
      releaseSlow = resolve;
    });
    const messenger = recordingMessenger("telegram", posts, (chatId) =>
      chatId === "slow" ? slow : undefined,
    );
    const { service } = testService({
      store: createMemoryStore(),
      clock,
      messengers: [messenger],
      maxConcurrentDeliveries: 2,
    });
    for (const chatId of ["slow", "b", "c", "d"]) await service.subscribe(sub(chatId));
    clock.set("2026-11-24T08:00:00Z");
    const ticking = service.tick();
    await vi.waitFor(() => expect(posts.map((p) => p.chatId).sort()).toEqual(["b", "c", "d"]));
    releaseSlow();
    expect((await ticking).delivered).toBe(4);
  });
});

describe("content", () => {
  it("is built once per scheduled time for each distinct set of sections", async () => {
    const posts: Post[] = [];
    const network = memoryNetwork();
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service } = testService({
      store: createMemoryStore(),
      clock,
      network,
      messengers: [recordingMessenger("telegram", posts), recordingMessenger("discord", posts)],
    });
    const shared = ["network", "concentration"] as const;
    await service.subscribe(sub("1", { sections: [...shared] }));
    await service.subscribe(sub("2", { sections: ["concentration", "network", "network"] }));
    await service.subscribe({ ...sub("3", { sections: [...shared] }), platform: "discord" });
    await service.subscribe(sub("4", { sections: ["edge_ai"] }));

    clock.set("2026-11-24T08:00:00Z");
    await service.tick();
    expect(posts).toHaveLength(4);
    const count = (name: string) => network.calls.filter((c) => c === name).length;
    expect(count("Difficulty adjustment")).toBe(1);
    expect(count("Pool blocks (1w)")).toBe(1);
    expect(count("BTC price")).toBe(1);
    const sharedPosts = posts.filter((p) => p.chatId !== "4");
    expect(new Set(sharedPosts.map((p) => p.reply)).size).toBe(1);
    expect(sharedPosts[0]!.reply.fields.map((f) => f.name)).toEqual(["Network", "Concentration"]);

    // The next scheduled time builds afresh.
    clock.set("2026-11-25T08:00:00Z");
    await service.tick();
    expect(count("Difficulty adjustment")).toBe(2);
  });

  it("is built once for a time caught up after a restart, however many ticks the posts take", async () => {
    const store = createMemoryStore();
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const chats = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const before = testService({ store, clock, messengers: [recordingMessenger("telegram", [])] });
    for (const chatId of chats) await before.service.subscribe(sub(chatId));

    // Back at 10:00: the 08:00 digest goes out 2 h late, two chats at a time, while the loop ticks on.
    clock.set("2026-11-24T10:00:00Z");
    const posts: Post[] = [];
    const network = memoryNetwork();
    const { service } = testService({
      store,
      clock,
      network,
      maxConcurrentDeliveries: 2,
      tickIntervalMs: 5,
      messengers: [recordingMessenger("telegram", posts, () => sleep(5))],
    });
    await service.start();
    await vi.waitFor(() => expect(posts).toHaveLength(40), { timeout: 5000 });
    await service.stop();
    expect(network.calls.filter((c) => c === "Difficulty adjustment")).toHaveLength(1);
    expect(new Set(posts.map((p) => p.reply)).size).toBe(1);
  });
});
