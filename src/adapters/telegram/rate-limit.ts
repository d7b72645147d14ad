/** Per-sender command limit over a sliding window. A sender over the limit is told once, with when
 * to try again, and then ignored until the window frees; the next accepted command re-arms the
 * notice. Memory stays bounded: senders with no command inside the window are swept out. */
import type { Clock } from "../../core/index.ts";

export type LimitDecision = { allowed: true } | { allowed: false; notify: boolean; retryAfterMs: number };

/** What the bot asks before running a command: this in-memory limiter, or one shared by every
 * instance through Redis (src/data/shared-limit.ts), which answers asynchronously. */
export interface CommandLimitPolicy {
  check(senderKey: string): LimitDecision | Promise<LimitDecision>;
}

export interface CommandLimiter {
  check(senderKey: string): LimitDecision;
  /** Senders currently tracked (for tests). */
  size(): number;
}

interface SenderState {
  /** Times (ms) of accepted commands inside the window, oldest first. */
  hits: number[];
  notified: boolean;
}

export function createCommandLimiter(options: {
  limit: number;
  windowMs: number;
  clock: Clock;
}): CommandLimiter {
  const { limit, windowMs, clock } = options;
  const senders = new Map<string, SenderState>();
  let lastSweep = 0;

  const sweep = (now: number) => {
    lastSweep = now;
    for (const [key, state] of senders) if (state.hits.every((t) => t <= now - windowMs)) senders.delete(key);
  };

  return {
    check(senderKey) {
      const now = clock.now().getTime();
      if (now - lastSweep >= windowMs) sweep(now);
      const state = senders.get(senderKey) ?? { hits: [], notified: false };
      senders.set(senderKey, state);
      while (state.hits.length && state.hits[0]! <= now - windowMs) state.hits.shift();
      if (state.hits.length < limit) {
        state.hits.push(now);
        state.notified = false;
        return { allowed: true };
      }
      const retryAfterMs = state.hits[0]! + windowMs - now;
      const notify = !state.notified;
      state.notified = true;
      return { allowed: false, notify, retryAfterMs };
    },
    size: () => senders.size,
  };
}
