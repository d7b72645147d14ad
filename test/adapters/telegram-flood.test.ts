/** Telegram's outgoing limits as sliding windows: no wait under a limit, and exactly the wait until
 * the oldest message in the window ages out over it. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createOutgoingLimiter,
  createSharedOutgoingLimiter,
  type OutgoingLimiter,
} from "../../src/adapters/telegram/flood.ts";
import type { SharedWindow } from "../../src/core/index.ts";

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts an acquire and records when (fake ms) it was granted. */
/** Starts an acquire, records when (fake ms) it was granted, and has Telegram answer at once. */
function track(limiter: OutgoingLimiter, chatId: number, grantedAt: number[]) {
  return limiter.acquire(chatId).then((done) => {
    grantedAt.push(Date.now());
    done();
  });
}

describe("outgoing limiter", () => {
  it("lets 30 messages to different chats through at once and the 31st after 1010 ms", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const grantedAt: number[] = [];
    const all = Array.from({ length: 31 }, (_, i) => track(limiter, i + 1, grantedAt));
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual(Array(30).fill(0));
    await vi.advanceTimersByTimeAsync(1009);
    expect(grantedAt).toHaveLength(30);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(all);
    expect(grantedAt.at(-1)).toBe(1010);
  });

  it("counts a message until Telegram answered it: answered at 200 ms, the 31st goes at 200 + 1010 ms", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const dones = await Promise.all(Array.from({ length: 30 }, (_, i) => limiter.acquire(i + 1)));
    let grantedAt: number | undefined;
    const last = limiter.acquire(31).then((done) => {
      grantedAt = Date.now();
      done();
    });
    await vi.advanceTimersByTimeAsync(200);
    for (const done of dones) done(); // the requests took 200 ms to be answered
    await vi.advanceTimersByTimeAsync(1009);
    expect(grantedAt).toBeUndefined(); // 1010 ms after the send, Telegram may still see it inside its second
    await vi.advanceTimersByTimeAsync(1);
    await last;
    expect(grantedAt).toBe(1210);
  });

  it("holds a sustained stream to 30 per 1.01 s: 90 messages in three windows, 0, 1010 and 2020 ms", async () => {
    const limiter = createOutgoingLimiter(undefined, () => Date.now());
    const grantedAt: number[] = [];
    const all = Array.from({ length: 90 }, (_, i) => track(limiter, i + 1, grantedAt));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(all);
    expect(grantedAt.filter((t) => t === 0)).toHaveLength(30);
    expect(grantedAt.filter((t) => t === 1010)).toHaveLength(30);
    expect(grantedAt.filter((t) => t === 2020)).toHaveLength(30);
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
  it("takes the chat's windows, then the token's, waits as long as they say, and finishes both", async () => {
    const calls: string[] = [];
    const waits = [0, 250, 0]; // chat: free; all chats: full for 250 ms, then free
    const describe = (windows: readonly SharedWindow[]) =>
      windows.map((w) => `${w.key} ${w.count}/${w.windowMs}`);
    const shared = {
      async take(windows: readonly SharedWindow[], ticket: string) {
        calls.push(`take ${describe(windows).join(", ")} #${ticket.split(":")[1]}`);
        return waits.shift() ?? 0;
      },
      async finish(windows: readonly SharedWindow[], ticket: string) {
        calls.push(`finish ${describe(windows).join(", ")} #${ticket.split(":")[1]}`);
      },
    };
    const limiter = createSharedOutgoingLimiter(shared, { botId: "42" });
    let grantedAt: number | undefined;
    const done = limiter.acquire(-100123).then((finish) => {
      grantedAt = Date.now();
      finish();
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(grantedAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(grantedAt).toBe(250);
    const chat = "tg:42:chat:-100123:1000 1/1000, tg:42:chat:-100123:60000 20/60000";
    expect(calls).toEqual([
      `take ${chat} #1`,
      "take tg:42:all 30/1010 #1",
      "take tg:42:all 30/1010 #1",
      `finish ${chat}, tg:42:all 30/1010 #1`,
    ]);
  });

  it("falls back to this process's own windows when the shared ones cannot be reached", async () => {
    const errors: unknown[] = [];
    const refused = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    const shared = { take: refused, finish: refused };
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
