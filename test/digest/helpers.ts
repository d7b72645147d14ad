/** Shared pieces for the digest tests: a clock the test moves, a messenger that records (or fails)
 * posts, and a service wired to in-memory deps. */
import { createCommandRegistry } from "../../commands/index.ts";
import type { KeyValueStore, Logger, Messenger, NetworkData, Reply } from "../../src/core/index.ts";
import { createDigestService, type DigestServiceOptions } from "../../src/digest/scheduler.ts";
import type { FakeClock } from "../support/clock.ts";
import { memoryDeps } from "../support/memory-deps.ts";

export { type FakeClock, fakeClock } from "../support/clock.ts";

export interface Post {
  platform: Messenger["platform"];
  chatId: string;
  scheduledAt: string | undefined;
  reply: Reply;
}

/** A messenger that records each post; `behaviour` may throw (DeliveryError) or wait, per chat. */
export function recordingMessenger(
  platform: Messenger["platform"],
  posts: Post[],
  behaviour: (chatId: string, attempt: number) => Promise<void> | void = () => {},
): Messenger & { attempts: Map<string, number> } {
  const attempts = new Map<string, number>();
  return {
    platform,
    attempts,
    async send(chatId, reply) {
      const attempt = (attempts.get(chatId) ?? 0) + 1;
      attempts.set(chatId, attempt);
      await behaviour(chatId, attempt);
      posts.push({ platform, chatId, scheduledAt: reply.data.scheduledAt as string | undefined, reply });
    },
  };
}

/** The store, recording the TTL of every claim and of every set that has one, by key. */
export function ttlRecordingStore(store: KeyValueStore): KeyValueStore & { ttls: Map<string, number> } {
  const ttls = new Map<string, number>();
  return {
    ttls,
    get: <T>(key: string) => store.get<T>(key),
    delete: (key) => store.delete(key),
    entries: <T>(prefix: string) => store.entries<T>(prefix),
    close: () => store.close(),
    async set(key, value, ttlMs) {
      if (ttlMs !== undefined) ttls.set(key, ttlMs);
      await store.set(key, value, ttlMs);
    },
    async claim(key, ttlMs) {
      ttls.set(key, ttlMs);
      return store.claim(key, ttlMs);
    },
  };
}

export { sleep } from "../support/net.ts";

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { lines, debug: () => {}, info: log("info"), warn: log("warn"), error: log("error") };
}

export function testService(
  overrides: Partial<Omit<DigestServiceOptions, "logger">> & {
    store: KeyValueStore;
    clock: FakeClock;
    messengers: Messenger[];
    network?: NetworkData;
    /** Use the service's own sleep instead of recording waits and returning at once. */
    realSleep?: boolean;
  },
) {
  const logger = recordingLogger();
  const deps = memoryDeps({
    clock: overrides.clock,
    logger,
    ...(overrides.network ? { network: overrides.network } : {}),
  });
  const sleeps: number[] = [];
  const service = createDigestService({
    registry: createCommandRegistry(),
    deps,
    logger,
    minIntervalSeconds: 3600,
    catchupSeconds: 6 * 3600,
    instanceId: "test",
    refreshIntervalMs: 0,
    ...(overrides.realSleep
      ? {}
      : {
          sleep: async (ms: number) => {
            sleeps.push(ms);
          },
        }),
    ...overrides,
  });
  return { service, logger, sleeps };
}
