/** The in-memory app most adapter tests start from: the real createApp (commands, cache, network
 * data) over a memory store, pointed at a fake upstream. */
import { type App, createApp } from "../../src/app.ts";
import { parseConfig } from "../../src/config.ts";
import type { Clock, Logger } from "../../src/core/index.ts";

export interface TestAppOptions {
  upstream: { mempoolUrl: string; coingeckoUrl: string };
  logger: Logger;
  clock?: Clock;
  /** Any other variable, as in the environment. */
  env?: Record<string, string>;
}

export function createTestApp(options: TestAppOptions): Promise<App> {
  const config = parseConfig({
    MEMPOOL_API_URL: options.upstream.mempoolUrl,
    COINGECKO_API_URL: options.upstream.coingeckoUrl,
    STORE_URL: "memory://",
    UPSTREAM_TIMEOUT_MS: "1000",
    ...options.env,
  });
  return createApp(config, { logger: options.logger, ...(options.clock ? { clock: options.clock } : {}) });
}
