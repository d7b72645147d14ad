/** Telegram's outgoing limits without artificial delay: a message under every limit goes out at
 * once; one over a limit waits exactly until the oldest message in that window ages out.
 *
 *   all chats       30 messages in any 1.01 s (Telegram: 30/s per bot token; 10 ms for clocks that
 *                   do not tick quite together)
 *   a private chat  3 in any 3 s (about 1/s, with the short burst Telegram tolerates, so a
 *                   multi-part answer is not held back)
 *   a group         1 in any 1 s, and 20 in any 60 s
 *
 * Each limit is a sliding window of messages (a rolling count, which never lets more through in a
 * second than Telegram allows, unlike a bucket refilled once a second). A message enters its
 * windows when it is let go and is moved to the time Telegram answered it (`done`): Telegram
 * counts a message when it arrives, somewhere between the two, so a window timed from the answers
 * never lets the next second's messages arrive inside this second's, however long requests take.
 * Timed from the moment they were let go, a burst that took 170 ms to reach Telegram (two busy
 * processes) drew 429s even with a 50-ms margin. Waiters for the all-chats window are served in
 * arrival order; the per-chat windows come first, so a chat at its limit never holds the others
 * up. This replaced a throttler that spaced each chat's messages a minimum time apart and
 * scheduled every call through timers, which added 10–15 ms to every single answer. */
import type { SharedWindow, SharedWindows } from "../../core/index.ts";
import { createLines } from "./lines.ts";

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
  global: { count: 30, windowMs: 1010 },
  privateChat: [{ count: 3, windowMs: 3000 }],
  group: [
    { count: 1, windowMs: 1000 },
    { count: 20, windowMs: 60_000 },
  ],
};

/** Called when Telegram has answered the message (or the request failed). */
export type Done = () => void;

export interface OutgoingLimiter {
  /** Resolves when a message to this chat may go out (and counts it); call done() once it was
   * answered. */
  acquire(chatId: number | string): Promise<Done>;
  /** Chats with a window open (for tests: memory stays bounded). */
  readonly trackedChats: number;
}

/** One message in a window: when it was let go, then when it was answered. */
interface Slot {
  atMs: number;
}

/** A sliding-window gate: at most `count` slots in any `windowMs`, waiters served in order. */
function createWindowGate(limit: WindowLimit, nowMs: () => number) {
  /** Oldest first. */
  const slots: Slot[] = [];
  const waiting: Array<(slot: Slot) => void> = [];
  let timer: NodeJS.Timeout | undefined;

  const prune = (now: number) => {
    while (slots.length && slots[0]!.atMs <= now - limit.windowMs) slots.shift();
  };
  const take = (now: number): Slot => {
    const slot = { atMs: now };
    slots.push(slot);
    return slot;
  };
  const pump = () => {
    timer = undefined;
    const now = nowMs();
    prune(now);
    while (waiting.length && slots.length < limit.count) waiting.shift()!(take(now));
    if (waiting.length) timer = setTimeout(pump, Math.max(1, slots[0]!.atMs + limit.windowMs - now));
  };

  return {
    acquire(): Promise<Slot> {
      const now = nowMs();
      prune(now);
      if (waiting.length === 0 && slots.length < limit.count) return Promise.resolve(take(now));
      return new Promise<Slot>((resolve) => {
        waiting.push(resolve);
        if (!timer) pump();
      });
    },
    /** The message was answered: it counts from now (the newest, so the order stays sorted). */
    done(slot: Slot): void {
      const index = slots.indexOf(slot);
      if (index >= 0) slots.splice(index, 1);
      slot.atMs = nowMs();
      slots.push(slot);
    },
    /** Nothing inside the window and nobody waiting: the gate can be dropped. */
    idle(now: number): boolean {
      prune(now);
      return slots.length === 0 && waiting.length === 0;
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
      const taken: Array<[Gate, Slot]> = [];
      for (const gate of gates) taken.push([gate, await gate.acquire()]);
      taken.push([global, await global.acquire()]);
      return () => {
        for (const [gate, slot] of taken) gate.done(slot);
      };
    },
    get trackedChats() {
      return perChat.size;
    },
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
  const onError = options.onError ?? (() => {});
  const local = createOutgoingLimiter(limits);
  const inLine = createLines();
  const prefix = `tg:${options.botId}`;
  const globalWindow: SharedWindow[] = [{ key: `${prefix}:all`, ...limits.global }];
  const chatWindows = (chatId: string): SharedWindow[] =>
    (Number(chatId) < 0 ? limits.group : limits.privateChat).map((limit) => ({
      key: `${prefix}:chat:${chatId}:${limit.windowMs}`,
      ...limit,
    }));
  const takeWhenFree = async (windows: readonly SharedWindow[], ticket: string) => {
    for (let waitMs = await shared.take(windows, ticket); waitMs > 0; ) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      waitMs = await shared.take(windows, ticket);
    }
  };
  // Tickets unique across instances: this limiter's id and a counter.
  const instance = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  let sequence = 0;
  let chatsInLine = 0;

  return {
    async acquire(chatId) {
      const key = String(chatId);
      const ticket = `${instance}:${++sequence}`;
      const windows = chatWindows(key);
      chatsInLine++;
      try {
        await inLine(`chat:${key}`, () => takeWhenFree(windows, ticket));
        await inLine("all", () => takeWhenFree(globalWindow, ticket));
      } catch (error) {
        onError(error);
        return local.acquire(chatId);
      } finally {
        chatsInLine--;
      }
      return () => void shared.finish([...windows, ...globalWindow], ticket).catch(onError);
    },
    get trackedChats() {
      return chatsInLine + local.trackedChats;
    },
  };
}
