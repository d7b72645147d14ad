/** Telegram's outgoing limits without artificial delay: a message under every limit goes out at
 * once; one over a limit waits exactly until the oldest message in that window ages out.
 *
 *   all chats       30 messages in any 1.05 s (Telegram: 30/s per bot token; the 50 ms are for
 *                   requests that reach Telegram a little later or earlier than they left, which
 *                   against an exact 30/s window drew 429s for 11% of a 1,000-chat fan-out)
 *   a private chat  3 in any 3 s (about 1/s, with the short burst Telegram tolerates, so a
 *                   multi-part answer is not held back)
 *   a group         1 in any 1 s, and 20 in any 60 s
 *
 * Each limit is a sliding window of the times messages went out (a rolling count, which never lets
 * more through in a second than Telegram allows, unlike a bucket refilled once a second). Waiters
 * for the all-chats window are served in arrival order; the per-chat windows come first, so a
 * chat at its limit never holds the others up. This replaced a throttler that spaced each chat's
 * messages a minimum time apart and scheduled every call through timers, which added 10–15 ms to
 * every single answer. */
import type { SharedWindow, SharedWindows } from "../../core/index.ts";

export interface WindowLimit {
  count: number;
  windowMs: number;
}

export interface OutgoingLimits {
  global: WindowLimit;
  /** Every window applies. */
  privateChat: readonly WindowLimit[];
  group: readonly WindowLimit[];
}

export const TELEGRAM_LIMITS: OutgoingLimits = {
  global: { count: 30, windowMs: 1050 },
  privateChat: [{ count: 3, windowMs: 3000 }],
  group: [
    { count: 1, windowMs: 1000 },
    { count: 20, windowMs: 60_000 },
  ],
};

export interface OutgoingLimiter {
  /** Resolves when a message to this chat may go out (and counts it). */
  acquire(chatId: number | string): Promise<void>;
  /** Chats with a window open (for tests: memory stays bounded). */
  readonly trackedChats: number;
}

/** A sliding-window gate: at most `count` grants in any `windowMs`, waiters served in order. */
function createWindowGate(limit: WindowLimit, nowMs: () => number) {
  const granted: number[] = [];
  const waiting: Array<() => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const prune = (now: number) => {
    while (granted.length && granted[0]! <= now - limit.windowMs) granted.shift();
  };
  const pump = () => {
    timer = undefined;
    const now = nowMs();
    prune(now);
    while (waiting.length && granted.length < limit.count) {
      granted.push(now);
      waiting.shift()!();
    }
    if (waiting.length) timer = setTimeout(pump, Math.max(1, granted[0]! + limit.windowMs - now));
  };

  return {
    acquire(): Promise<void> {
      const now = nowMs();
      prune(now);
      if (waiting.length === 0 && granted.length < limit.count) {
        granted.push(now);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (!timer) pump();
      });
    },
    /** Nothing granted inside the window and nobody waiting: the gate can be dropped. */
    idle(now: number): boolean {
      prune(now);
      return granted.length === 0 && waiting.length === 0;
    },
  };
}

type Gate = ReturnType<typeof createWindowGate>;

export function createOutgoingLimiter(
  limits: OutgoingLimits = TELEGRAM_LIMITS,
  nowMs: () => number = () => performance.now(),
): OutgoingLimiter {
  const global = createWindowGate(limits.global, nowMs);
  const perChat = new Map<string, Gate[]>();
  const longestWindowMs = Math.max(...[...limits.privateChat, ...limits.group].map((l) => l.windowMs));
  let lastSweepMs = nowMs();

  /** Chats idle for a whole group window are forgotten, so memory follows the active chats. */
  const sweep = (now: number) => {
    if (now - lastSweepMs < longestWindowMs) return;
    lastSweepMs = now;
    for (const [key, gates] of perChat) if (gates.every((g) => g.idle(now))) perChat.delete(key);
  };

  return {
    async acquire(chatId) {
      const key = String(chatId);
      sweep(nowMs());
      let gates = perChat.get(key);
      if (!gates) {
        // Negative ids are groups, supergroups and channels; positive ones private chats.
        const windows = Number(chatId) < 0 ? limits.group : limits.privateChat;
        gates = windows.map((limit) => createWindowGate(limit, nowMs));
        perChat.set(key, gates);
      }
      for (const gate of gates) await gate.acquire();
      await global.acquire();
    },
    get trackedChats() {
      return perChat.size;
    },
  };
}

/** Promises chained per key: each task starts when the one before it in its line has settled, so
 * waiters keep their arrival order and only a line's head is waiting on anything. */
function createLines() {
  const tails = new Map<string, Promise<void>>();
  return (key: string, task: () => Promise<void>): Promise<void> => {
    const next = (tails.get(key) ?? Promise.resolve()).then(task, task);
    tails.set(key, next);
    const forget = () => {
      if (tails.get(key) === next) tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  };
}

/** The same limits held across every instance sending with this bot token (through Redis when it
 * is the store): the chat's windows, then the all-chats one, each taken by the head of a local
 * line (so a burst asks Redis once per message, not once per waiter per retry). If the shared
 * windows cannot be reached, messages fall back to this process's own windows rather than wait:
 * an answer is never lost to the limiter. */
export function createSharedOutgoingLimiter(
  shared: SharedWindows,
  options: {
    /** Keys the windows to one bot: the numeric id at the start of its token (not a secret). */
    botId: string;
    limits?: OutgoingLimits;
    onError?: (error: unknown) => void;
  },
): OutgoingLimiter {
  const limits = options.limits ?? TELEGRAM_LIMITS;
  const local = createOutgoingLimiter(limits);
  const inLine = createLines();
  const prefix = `tg:${options.botId}`;
  const globalWindow: SharedWindow[] = [{ key: `${prefix}:all`, ...limits.global }];
  const chatWindows = (chatId: string): SharedWindow[] =>
    (Number(chatId) < 0 ? limits.group : limits.privateChat).map((limit) => ({
      key: `${prefix}:chat:${chatId}:${limit.windowMs}`,
      ...limit,
    }));
  const takeWhenFree = async (windows: readonly SharedWindow[]) => {
    for (let waitMs = await shared.take(windows); waitMs > 0; waitMs = await shared.take(windows)) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  };
  let chatsInLine = 0;

  return {
    async acquire(chatId) {
      const key = String(chatId);
      chatsInLine++;
      try {
        await inLine(`chat:${key}`, () => takeWhenFree(chatWindows(key)));
        await inLine("all", () => takeWhenFree(globalWindow));
      } catch (error) {
        options.onError?.(error);
        await local.acquire(chatId);
      } finally {
        chatsInLine--;
      }
    },
    get trackedChats() {
      return chatsInLine + local.trackedChats;
    },
  };
}
