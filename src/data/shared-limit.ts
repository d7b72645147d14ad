/** The per-sender command limit held in Redis, so several instances (webhook replicas behind a load
 * balancer, or a restart) count one sender's commands together. Same rule as the in-memory limiter
 * (src/adapters/telegram/rate-limit.ts): at most `limit` commands in any `windowMs`; a sender over
 * it is told once, with when to try again, until a command is accepted again.
 *
 * One Lua script per check, so the read-count-add is atomic across instances: a sorted set of
 * accepted times per sender (expiring with the window) and a "told" flag. */
import { createClient } from "@redis/client";
import type { Clock } from "../core/ports.ts";

export type SharedLimitDecision =
  | { allowed: true }
  | { allowed: false; notify: boolean; retryAfterMs: number };

export interface SharedCommandLimiter {
  check(senderKey: string): Promise<SharedLimitDecision>;
  close(): Promise<void>;
}

// KEYS[1] accepted times (zset), KEYS[2] told flag; ARGV now, window, limit, member
const SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('DEL', KEYS[2])
  return {1, 0, 0}
end
local oldest = tonumber(redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2])
local retry = oldest + window - now
local told = redis.call('SET', KEYS[2], '1', 'NX', 'PX', math.max(1, retry))
return {0, told and 1 or 0, retry}
`;

export async function createSharedCommandLimiter(options: {
  redisUrl: string;
  /** Key prefix: the store namespace. */
  namespace: string;
  limit: number;
  windowMs: number;
  clock: Clock;
}): Promise<SharedCommandLimiter> {
  const client = createClient({ url: options.redisUrl });
  await client.connect();
  let sequence = 0;
  return {
    async check(senderKey) {
      const nowMs = options.clock.now().getTime();
      const base = `${options.namespace}:limit:${senderKey}`;
      const [allowed, notify, retryAfterMs] = (await client.eval(SCRIPT, {
        keys: [`${base}:hits`, `${base}:told`],
        // A unique member per hit: two commands in the same millisecond both count.
        arguments: [
          String(nowMs),
          String(options.windowMs),
          String(options.limit),
          `${nowMs}:${process.pid}:${++sequence}`,
        ],
      })) as [number, number, number];
      return allowed === 1 ? { allowed: true } : { allowed: false, notify: notify === 1, retryAfterMs };
    },
    async close() {
      await client.quit();
    },
  };
}
