/** The digest's parts on their own: the schedule index (catch-up once), the loop (back-off after
 * failed passes) and the coordinator's answer when the store cannot save. */
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import type { DigestSubscription, KeyValueStore } from "../../src/core/ports.ts";
import { createMemoryStore } from "../../src/data/store.ts";
import { createLoop } from "../../src/digest/loop.ts";
import { createScheduleIndex } from "../../src/digest/tracking.ts";
import { fakeClock, recordingLogger, recordingMessenger, sleep, testService } from "./helpers.ts";

const subscription = (extra: Partial<DigestSubscription> = {}): DigestSubscription => ({
  platform: "telegram",
  chatId: "1",
  schedule: "0 * * * *",
  tz: "UTC",
  sections: ["network"],
  createdAt: "2026-11-24T00:30:00.000Z",
  updatedAt: "2026-11-24T00:30:00.000Z",
  enabled: true,
  ...extra,
});
const always = () => true;

describe("schedule index", () => {
  it("plans one post for the latest missed time and counts the others as skipped", () => {
    const logger = recordingLogger();
    const index = createScheduleIndex({ catchupSeconds: 3 * 3600, logger, instanceId: "t" });
    const entry = index.track(subscription(), Date.parse("2026-11-24T00:30:00Z"));
    expect(new Date(entry.nextDueMs).toISOString()).toBe("2026-11-24T01:00:00.000Z");
    const now = Date.parse("2026-11-24T10:30:00Z");
    expect(index.due(now, always)).toEqual([entry]);
    // 01:00 … 10:00 are 10 times; cut-off 07:30 leaves 08:00, 09:00, 10:00 inside; 10:00 is posted.
    const plan = index.planFor(entry, new Date(now));
    expect(plan.post?.toISOString()).toBe("2026-11-24T10:00:00.000Z");
    expect(plan.skipped).toBe(9);
    expect(logger.lines).toHaveLength(2);
  });

  it("plans nothing, and says so, when every missed time is older than the window", () => {
    const logger = recordingLogger();
    const index = createScheduleIndex({ catchupSeconds: 1800, logger, instanceId: "t" });
    const entry = index.track(subscription({ schedule: "0 8 * * *" }), Date.parse("2026-11-24T00:30:00Z"));
    // 08:00 is 7 h before 15:00, outside a 30-min window.
    const plan = index.planFor(entry, new Date("2026-11-24T15:00:00Z"));
    expect(plan).toEqual({ post: undefined, skipped: 1 });
  });

  it("a changed subscription starts afresh, the same one never moves back, busy ones are not due", () => {
    const index = createScheduleIndex({ catchupSeconds: 3600, logger: recordingLogger(), instanceId: "t" });
    const first = index.track(subscription(), Date.parse("2026-11-24T05:00:00Z"));
    index.track(subscription(), Date.parse("2026-11-24T01:00:00Z"));
    expect(new Date(first.checkedUpToMs).toISOString()).toBe("2026-11-24T05:00:00.000Z");
    const changed = index.track(
      subscription({ updatedAt: "2026-11-24T02:00:00.000Z" }),
      Date.parse("2026-11-24T02:00:00Z"),
    );
    expect(new Date(changed.checkedUpToMs).toISOString()).toBe("2026-11-24T02:00:00.000Z");
    changed.busy = true;
    expect(index.due(Date.parse("2026-11-24T09:00:00Z"), always)).toEqual([]);
    expect(index.earliestDueMs(always)).toBe(Number.POSITIVE_INFINITY);
    index.replaceAll([], new Map());
    expect(index.size).toBe(0);
  });
});

describe("loop", () => {
  it("backs off after failed passes (1 s, 2 s, 4 s … up to the cap) and resets after a good one", async () => {
    const logger = recordingLogger();
    const startedAt: number[] = [];
    let failuresLeft = 4;
    const loop = createLoop({
      instanceId: "t",
      logger,
      failureBaseDelayMs: 20,
      failureMaxDelayMs: 50,
      async pass() {
        startedAt.push(performance.now());
        if (failuresLeft-- > 0) throw new Error("store down");
        return 10_000;
      },
    });
    await loop.start();
    // Waits 20, 40, 50 (capped), 50 ms: 160 ms until the fifth pass, which succeeds.
    await sleep(400);
    loop.stop();
    expect(startedAt).toHaveLength(5);
    const gaps = startedAt.slice(1).map((t, i) => t - startedAt[i]!);
    const expected = [20, 40, 50, 50];
    gaps.forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(expected[i]! - 2);
      expect(gap).toBeLessThan(expected[i]! + 60);
    });
    expect(logger.lines.filter((l) => l.startsWith("error digest: tick failed"))).toHaveLength(4);
    expect(logger.lines.at(-1)).toContain('digest: tick recovered {"afterFailures":4');
    expect(loop.consecutiveFailures).toBe(0);
  });

  it("a store that breaks while running costs two failed ticks in 1.5 s, not dozens", async () => {
    const store = createMemoryStore();
    let broken = false;
    const flaky: KeyValueStore = {
      ...store,
      entries: async (prefix) => {
        if (broken) throw new Error("ECONNREFUSED");
        return store.entries(prefix);
      },
    };
    const clock = { now: () => new Date() };
    const { service, logger } = testService({
      store: flaky,
      clock: { ...fakeClock("2026-11-24T06:00:00Z"), ...clock },
      refreshIntervalMs: 0,
      tickIntervalMs: 20,
      messengers: [recordingMessenger("telegram", [])],
    });
    await service.start();
    broken = true;
    await sleep(1500);
    await service.stop();
    // Fails at ~20 ms, waits 1 s, fails again at ~1.02 s, then waits 2 s: two failures. Before the
    // back-off a pass failed every tick (here every 20 ms: 75 in 1.5 s).
    const failures = logger.lines.filter((l) => l.startsWith("error digest: tick failed"));
    expect(failures).toHaveLength(2);
    expect(failures[1]).toContain('"consecutiveFailures":2,"retryInMs":2000');
  });
});

describe("subscribe when the store cannot save", () => {
  it("says the store cannot save, in words, and logs the cause", async () => {
    const store = createMemoryStore();
    const failing: KeyValueStore = {
      ...store,
      set: async () => {
        throw new Error("SQLITE_READONLY: attempt to write a readonly database");
      },
    };
    const clock = fakeClock("2026-11-24T06:00:00Z");
    const { service, logger } = testService({
      store: failing,
      clock,
      messengers: [recordingMessenger("telegram", [])],
    });
    const error = await service
      .subscribe({ platform: "telegram", chatId: "1", schedule: "0 8 * * *", tz: "UTC", sections: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("unavailable");
    expect((error as UserError).message).toBe(
      "The digest settings could not be saved: the bot's store is not answering. Nothing was changed; try again in a minute.",
    );
    expect((error as UserError).message).not.toContain("SQLITE");
    expect(logger.lines.some((l) => l.includes("SQLITE_READONLY"))).toBe(true);
  });
});
