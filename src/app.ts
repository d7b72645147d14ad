/** Builds the platform-independent part of the bot from configuration: store, upstream clients,
 * cache, the NetworkData port and the command registry. main.ts and cli.ts start adapters on it. */

import { hostname } from "node:os";
import { createCommandRegistry } from "../commands/index.ts";
import type { Config } from "./config.ts";
import type { Clock, Deps, KeyValueStore, Logger, Messenger, Observer, Registry } from "./core/index.ts";
import { createCache } from "./data/cache.ts";
import { createCoinGeckoClient } from "./data/coingecko.ts";
import { createHttpClient } from "./data/http.ts";
import { createMempoolClient } from "./data/mempool.ts";
import { createNetworkData } from "./data/network.ts";
import { snapshot } from "./data/snapshot.ts";
import { createStore } from "./data/store.ts";
import { trendDatasets } from "./data/trend-datasets.ts";
import type { QueueParts } from "./digest/queue.ts";
import { createDigestService, type DigestService } from "./digest/scheduler.ts";

export interface App {
  registry: Registry;
  deps: Deps;
  store: KeyValueStore;
  /** The digest service posting through these platforms (none: the console, preview only). */
  createDigest(messengers: Messenger[]): DigestService;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  /** Hears about commands, upstream requests and cache reads (the command log, metrics). */
  observer?: Observer;
}

export async function createApp(config: Config, options: AppOptions): Promise<App> {
  const clock = options.clock ?? systemClock;
  const { logger, observer } = options;
  const store = await createStore(config.STORE_URL, {
    namespace: config.STORE_NAMESPACE,
    timeoutMs: config.STORE_TIMEOUT_MS,
  });
  const http = createHttpClient({
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    userAgent: "decentra (+self-hosted bot)",
    clock,
  });
  const network = createNetworkData({
    mempool: createMempoolClient({ baseUrl: config.MEMPOOL_API_URL, http }),
    coingecko: createCoinGeckoClient({
      baseUrl: config.COINGECKO_API_URL,
      apiKey: config.COINGECKO_API_KEY,
      http,
    }),
    cache: createCache({ store, clock, logger }),
    snapshot,
    clock,
    logger,
    ...(observer ? { observer } : {}),
  });
  const registry = createCommandRegistry();
  // With Redis as the store, digests run on BullMQ (shared by every instance); it is loaded only then.
  const redisUrl = /^rediss?:\/\//.test(config.STORE_URL) ? config.STORE_URL : undefined;
  const bullmq = redisUrl ? await import("./digest/bullmq-queue.ts") : undefined;
  const deps: Deps = {
    network,
    snapshot,
    trend: trendDatasets,
    clock,
    logger,
    ...(observer ? { observer } : {}),
  };
  const createDigest = (messengers: Messenger[]) =>
    createDigestService({
      store,
      registry,
      deps,
      messengers,
      clock,
      logger,
      minIntervalSeconds: config.DIGEST_MIN_INTERVAL_SECONDS,
      catchupSeconds: config.DIGEST_CATCHUP_SECONDS,
      instanceId: `${hostname()}:${process.pid}`,
      ...(bullmq && redisUrl
        ? {
            queue: (parts: QueueParts) =>
              bullmq.createBullmqQueue(parts, { redisUrl, prefix: `${config.STORE_NAMESPACE}-bull` }),
          }
        : {}),
    });
  return { registry, deps, store, createDigest, close: () => store.close() };
}
