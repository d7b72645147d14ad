/** Limits held in Redis, so several instances (webhook replicas behind a load balancer, or a
 * restart) count together:
 *
 *   - the per-sender command limit: the same rule as the in-memory limiter
 *     (src/adapters/telegram/rate-limit.ts): at most `limit` commands in any `windowMs`; a sender
 *     over it is told once, with when to try again, until a command is accepted again;
 *   - shared sliding windows (the SharedWindows port), which the Telegram adapter uses to keep
 *     every instance together under Telegram's per-token outgoing limits.
 *
 * One Lua script per check, so the read-count-add is atomic across instances, and the windows are
 * timed by Redis's own clock (TIME), so instances whose clocks disagree still share one window.
 * One connection serves both. */
import { randomUUID } from "node:crypto";
import { createClient } from "@redis/client";
import type { Clock, SharedWindow, SharedWindows } from "../core/ports.ts";

export type SharedLimitDecision =
  | { allowed: true }
  | { allowed: false; notify: boolean; retryAfterMs: number };

export interface SharedCommandLimiter {
  check(senderKey: string): Promise<SharedLimitDecision>;
}

export interface SharedLimits {
  commandLimiter(options: { limit: number; windowMs: number; clock: Clock }): SharedCommandLimiter;
  /** Windows whose keys are placed under the namespace. */
  windows: SharedWindows;
  close(): Promise<void>;
}

// KEYS[1] accepted times (zset), KEYS[2] told flag; ARGV now, window, limit, member
const COMMAND_SCRIPT = `
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

// KEYS: one sorted set of event times per window; ARGV[1] the ticket, then count and windowMs
// for each key. Returns 0 when counted in every window, else the ms to wait.
const TAKE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local size = redis.call('ZCARD', key)
  if size >= count then
    local freeing = tonumber(redis.call('ZRANGE', key, size - count, size - count, 'WITHSCORES')[2])
    wait = math.max(wait, freeing + window - now)
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
`;

// Same keys and arguments: the ticket's time in each window becomes now.
const FINISH_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return 0
`;

export async function connectSharedLimits(options: {
  redisUrl: string;
  /** Key prefix: the store namespace. */
  namespace: string;
}): Promise<SharedLimits> {
  const client = createClient({ url: options.redisUrl });
  await client.connect();
  const { namespace } = options;
  let sequence = 0;
  // A unique member per command, whichever connection counts it: two in the same millisecond both count.
  const connection = randomUUID().slice(0, 8);
  const member = (nowMs: number) => `${nowMs}:${connection}:${++sequence}`;
  const windowsCall = (windows: readonly SharedWindow[], ticket: string) => ({
    keys: windows.map((w) => `${namespace}:window:${w.key}`),
    arguments: [ticket, ...windows.flatMap((w) => [String(w.count), String(w.windowMs)])],
  });

  return {
    commandLimiter({ limit, windowMs, clock }) {
      return {
        async check(senderKey) {
          const nowMs = clock.now().getTime();
          const base = `${namespace}:limit:${senderKey}`;
          const [allowed, notify, retryAfterMs] = (await client.eval(COMMAND_SCRIPT, {
            keys: [`${base}:hits`, `${base}:told`],
            arguments: [String(nowMs), String(windowMs), String(limit), member(nowMs)],
          })) as [number, number, number];
          return allowed === 1 ? { allowed: true } : { allowed: false, notify: notify === 1, retryAfterMs };
        },
      };
    },
    windows: {
      async take(windows, ticket) {
        return Number(await client.eval(TAKE_SCRIPT, windowsCall(windows, ticket)));
      },
      async finish(windows, ticket) {
        await client.eval(FINISH_SCRIPT, windowsCall(windows, ticket));
      },
    },
    async close() {
      await client.quit();
    },
  };
}
