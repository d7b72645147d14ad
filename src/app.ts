/** Builds the platform-independent part of the bot from configuration: store, upstream clients,
 * cache, the NetworkData port and the command registry. main.ts and cli.ts start adapters on it. */
import { createCommandRegistry } from "../commands/index.ts";
import type { Config } from "./config.ts";
import type { AnyCommand, Clock, Deps, KeyValueStore, Logger, Registry } from "./core/index.ts";
import { createCache } from "./data/cache.ts";
import { createCoinGeckoClient } from "./data/coingecko.ts";
import { createHttpClient } from "./data/http.ts";
import { createMempoolClient } from "./data/mempool.ts";
import { createNetworkData } from "./data/network.ts";
import { snapshot } from "./data/snapshot.ts";
import { createStore } from "./data/store.ts";

export interface App {
  registry: Registry;
  deps: Deps;
  store: KeyValueStore;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

export async function createApp(
  config: Config,
  options: { logger: Logger; clock?: Clock; extraCommands?: (store: KeyValueStore) => AnyCommand[] },
): Promise<App> {
  const clock = options.clock ?? systemClock;
  const { logger } = options;
  const store = await createStore(config.STORE_URL, { namespace: config.STORE_NAMESPACE });
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
  });
  const registry = createCommandRegistry(options.extraCommands?.(store) ?? []);
  return { registry, deps: { network, snapshot, clock, logger }, store, close: () => store.close() };
}
