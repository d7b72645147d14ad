/** Telegram's outgoing limits as sliding windows: no wait under a limit, and exactly the wait until
 * the oldest message in the window ages out over it. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOutgoingLimiter, createSharedOutgoingLimiter } from "../../src/adapters/telegram/flood.ts";
import type { SharedWindow } from "../../src/core/index.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts an acquire and records when (fake ms) it was granted. */
function track(limiter: { acquire(chatId: number): Promise<void> }, chatId: number, grantedAt: number[]) {
  return limiter.acquire(chatId).then(() => void grantedAt.push(Date.now()));
}

describe("outgoing limiter", () => {
  it("lets 30 messages to different chats through at once and the 31st after 1050 ms", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const grantedAt: number[] = [];
    const all = Array.from({ length: 31 }, (_, i) => track(limiter, i + 1, grantedAt));
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual(Array(30).fill(0));
    await vi.advanceTimersByTimeAsync(1049);
    expect(grantedAt).toHaveLength(30);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(all);
    expect(grantedAt.at(-1)).toBe(1050);
  });

  it("holds a sustained stream to 30 per 1.05 s: 90 messages in three windows, 0, 1050 and 2100 ms", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const grantedAt: number[] = [];
    const all = Array.from({ length: 90 }, (_, i) => track(limiter, i + 1, grantedAt));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(all);
    expect(grantedAt.filter((t) => t === 0)).toHaveLength(30);
    expect(grantedAt.filter((t) => t === 1050)).toHaveLength(30);
    expect(grantedAt.filter((t) => t === 2100)).toHaveLength(30);
  });

  it("holds one private chat to 3 in 3 s without holding other chats", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const busy: number[] = [];
    const other: number[] = [];
    const sends = [1, 2, 3, 4].map(() => track(limiter, 42, busy));
    await vi.advanceTimersByTimeAsync(0);
    sends.push(track(limiter, 43, other));
    await vi.advanceTimersByTimeAsync(0);
    expect(busy).toEqual([0, 0, 0]);
    expect(other).toEqual([0]);
    await vi.advanceTimersByTimeAsync(3000);
    await Promise.all(sends);
    expect(busy).toEqual([0, 0, 0, 3000]);
  });

  it("holds a group to 1 a second and 20 in 60 s, and forgets idle chats", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const grantedAt: number[] = [];
    const sends = Array.from({ length: 21 }, () => track(limiter, -100123, grantedAt));
    await vi.advanceTimersByTimeAsync(59_999);
    // One a second: 0, 1000, …, 19 000 ms; the 21st waits for the first to leave the 60-s window.
    expect(grantedAt).toEqual(Array.from({ length: 20 }, (_, i) => i * 1000));
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(sends);
    expect(grantedAt.at(-1)).toBe(60_000);
    expect(limiter.trackedChats).toBe(1);
    await vi.advanceTimersByTimeAsync(120_000);
    await limiter.acquire(7);
    expect(limiter.trackedChats).toBe(1); // the group was swept; only chat 7 is left
  });
});

describe("shared outgoing limiter", () => {
  it("asks the shared windows for the chat's and then the token's, and waits as long as they say", async () => {
    const asked: string[][] = [];
    const waits = [0, 250, 0]; // chat: free; all chats: full for 250 ms, then free
    const shared = {
      async take(windows: readonly SharedWindow[]) {
        asked.push(windows.map((w) => `${w.key} ${w.count}/${w.windowMs}`));
        return waits.shift() ?? 0;
      },
    };
    const limiter = createSharedOutgoingLimiter(shared, { botId: "42" });
    let grantedAt: number | undefined;
    const done = limiter.acquire(-100123).then(() => {
      grantedAt = Date.now();
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(grantedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(grantedAt).toBe(250);
    expect(asked).toEqual([
      ["tg:42:chat:-100123:1000 1/1000", "tg:42:chat:-100123:60000 20/60000"],
      ["tg:42:all 30/1050"],
      ["tg:42:all 30/1050"],
    ]);
  });

  it("falls back to this process's own windows when the shared ones cannot be reached", async () => {
    const errors: unknown[] = [];
    const shared = {
      take: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379")),
    };
    const limiter = createSharedOutgoingLimiter(shared, { botId: "42", onError: (e) => errors.push(e) });
    const grantedAt: number[] = [];
    const sends = [1, 2, 3, 4].map(() => track(limiter, 7, grantedAt));
    await vi.advanceTimersByTimeAsync(3000);
    await Promise.all(sends);
    // Still limited (3 in 3 s for a private chat), never lost.
    expect(grantedAt).toEqual([0, 0, 0, 3000]);
    expect(errors).toHaveLength(4);
  });
});
