/** The promises every DigestQueue keeps (src/digest/queue.ts), as one suite run against each
 * implementation in real time: schedules with seconds, a real store, the real queue. */
import { describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/core/errors.ts";
import type { KeyValueStore, Messenger } from "../../src/core/ports.ts";
import type { DigestQueue, QueueParts } from "../../src/digest/queue.ts";
import { type FakeClock, type Post, recordingMessenger, sleep, testService } from "./helpers.ts";

export interface QueueUnderTest {
  name: string;
  /** A fresh store for one test (its own namespace). */
  store(): Promise<KeyValueStore>;
  /** The queue factory for createDigestService; undefined: the in-process default. */
  queue(test: string): ((parts: QueueParts) => DigestQueue) | undefined;
  cleanup(): Promise<void>;
}

const systemClock: FakeClock = { now: () => new Date(), set: () => {}, advance: () => {} };
const EVERY_2_S = "*/2 * * * * *";

export function queueContract(subject: QueueUnderTest): void {
  describe(`DigestQueue contract: ${subject.name}`, { timeout: 20_000 }, () => {
    async function build(
      test: string,
      store: KeyValueStore,
      messengers: Messenger[],
      extra: { catchupSeconds?: number } = {},
    ) {
      const queue = subject.queue(test);
      return testService({
        store,
        clock: systemClock,
        messengers,
        minIntervalSeconds: 1,
        realSleep: true,
        tickIntervalMs: 200,
        retry: { baseDelayMs: 200 },
        ...extra,
        ...(queue ? { queue } : {}),
      });
    }
    const sub = (chatId: string) => ({
      platform: "telegram" as const,
      chatId,
      schedule: EVERY_2_S,
      tz: "UTC",
      sections: ["edge_ai" as const],
    });
    const perChat = (posts: Post[], chatId: string) =>
      posts.filter((p) => p.chatId === chatId).map((p) => p.scheduledAt!);

    it("posts each scheduled time once to each chat, on time; unsubscribing stops the posts", async () => {
      const store = await subject.store();
      const posts: Post[] = [];
      const { service } = await build("ontime", store, [recordingMessenger("telegram", posts)]);
      await service.start();
      await service.subscribe(sub("1"));
      await service.subscribe(sub("2"));
      await sleep(5200);
      await service.unsubscribe("telegram", "2");
      const afterUnsubscribe = perChat(posts, "2").length;
      await sleep(2200);
      await service.stop();
      await store.close();

      for (const chatId of ["1", "2"]) {
        const times = perChat(posts, chatId);
        expect(new Set(times).size, `chat ${chatId} got a time twice: ${times}`).toBe(times.length);
        // Every time is an even second (the schedule), and consecutive ones are 2 s apart.
        for (const at of times) expect(new Date(at).getUTCSeconds() % 2).toBe(0);
        for (let i = 1; i < times.length; i++)
          expect(Date.parse(times[i]!) - Date.parse(times[i - 1]!)).toBe(2000);
      }
      // 5.2 s of a 2-s schedule holds 2 or 3 times; 2.2 s more adds at least one for chat 1.
      expect(perChat(posts, "1").length).toBeGreaterThanOrEqual(3);
      expect(afterUnsubscribe).toBeGreaterThanOrEqual(2);
      expect(perChat(posts, "2")).toHaveLength(afterUnsubscribe);
    });

    it("a permanent failure pauses only that chat's subscription", async () => {
      const store = await subject.store();
      const posts: Post[] = [];
      const messenger = recordingMessenger("telegram", posts, (chatId) => {
        if (chatId === "kicked") throw new DeliveryError("Forbidden: bot was kicked", { permanent: true });
      });
      const { service } = await build("permanent", store, [messenger]);
      await service.start();
      await service.subscribe(sub("kicked"));
      await service.subscribe(sub("fine"));
      await sleep(4500);
      const status = await service.status("telegram", "kicked");
      await service.stop();
      await store.close();
      expect(messenger.attempts.get("kicked")).toBe(1);
      expect(status.subscription?.enabled).toBe(false);
      expect(status.subscription?.disabledReason).toContain("bot was kicked");
      expect(perChat(posts, "fine").length).toBeGreaterThanOrEqual(2);
    });

    it("a 429 is retried after its retry_after and posted once", async () => {
      const store = await subject.store();
      const posts: Post[] = [];
      const attemptsAt: number[] = [];
      const messenger = recordingMessenger("telegram", posts, (_chatId, attempt) => {
        attemptsAt.push(performance.now());
        if (attempt === 1) {
          throw new DeliveryError("Telegram sendMessage failed: 429 Too Many Requests: retry after 1", {
            permanent: false,
            retryAfterMs: 1000,
          });
        }
      });
      const { service } = await build("retry-after", store, [messenger]);
      await service.start();
      await service.subscribe({ ...sub("1"), schedule: "*/5 * * * * *" });
      // The first time is within 5 s; its retry 1 s later.
      const deadline = performance.now() + 9000;
      while (posts.length === 0 && performance.now() < deadline) await sleep(50);
      await service.stop();
      await store.close();
      expect(posts).toHaveLength(1);
      expect(attemptsAt).toHaveLength(2);
      expect(attemptsAt[1]! - attemptsAt[0]!).toBeGreaterThanOrEqual(990);
    });

    it("after downtime posts once, for the latest missed time, then goes on", async () => {
      const store = await subject.store();
      const posts: Post[] = [];
      const first = await build("catchup", store, [recordingMessenger("telegram", posts)], {
        catchupSeconds: 60,
      });
      await first.service.start();
      await first.service.subscribe(sub("1"));
      await sleep(2500);
      await first.service.stop();
      const beforeDowntime = posts.length;
      // Down for 5 s: two or three times of the 2-s schedule are missed.
      await sleep(5000);
      const downUntil = Date.now();
      const second = await build("catchup", store, [recordingMessenger("telegram", posts)], {
        catchupSeconds: 60,
      });
      await second.service.start();
      await sleep(2500);
      await second.service.stop();
      await store.close();

      expect(beforeDowntime).toBeGreaterThanOrEqual(1);
      const lastBeforeMs = Date.parse(posts[beforeDowntime - 1]!.scheduledAt!);
      const after = posts.slice(beforeDowntime).map((p) => Date.parse(p.scheduledAt!));
      // 2–3 times fell in the downtime; of them at most the latest is posted (none, if a newer time
      // came due before the restart had looked), and nothing older than the latest time at restart.
      const latestAtRestartMs = Math.floor(downUntil / 2000) * 2000;
      expect(latestAtRestartMs - lastBeforeMs).toBeGreaterThanOrEqual(4000);
      expect(after.filter((t) => t > lastBeforeMs && t <= downUntil).length).toBeLessThanOrEqual(1);
      expect(after[0]!).toBeGreaterThanOrEqual(latestAtRestartMs);
      // Then the schedule goes on, each time once and 2 s apart.
      expect(after.length).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!).toBe(2000);
      expect(second.logger.lines.some((l) => l.includes("posting only the latest"))).toBe(true);
    });
  });
}
