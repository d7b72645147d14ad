/** CoinGecko simple price: the second BTC price source, asked only when mempool's price fails. */
import { z } from "zod";
import type { HttpClient } from "./http.ts";
import { parseOrThrow } from "./validate.ts";

export const DEFAULT_COINGECKO_BASE_URL = "https://api.coingecko.com/api/v3";

export interface CoinGeckoPrice {
  usd: number;
  /** When CoinGecko last updated the price, Unix ms (it sends seconds). */
  lastUpdatedAt?: number;
}

export interface CoinGeckoClient {
  /** "api.coingecko.com /simple/price", for SourceRef.source. */
  describe(route: string): string;
  btcPriceUsd(): Promise<CoinGeckoPrice>;
}

export interface CoinGeckoClientOptions {
  baseUrl?: string;
  /** Demo-plan key, sent as a header (never in the URL, so it cannot end up in logs). */
  apiKey?: string;
  http: HttpClient;
}

const simplePriceSchema = z.object({
  bitcoin: z.object({
    usd: z.number().positive(),
    last_updated_at: z.number().int().positive().optional(),
  }),
});

export function createCoinGeckoClient(options: CoinGeckoClientOptions): CoinGeckoClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_COINGECKO_BASE_URL).replace(/\/+$/, "");
  const host = new URL(baseUrl).host;
  const headers: Record<string, string> = options.apiKey ? { "x-cg-demo-api-key": options.apiKey } : {};

  return {
    describe: (route) => `${host} ${route}`,

    async btcPriceUsd() {
      const url = `${baseUrl}/simple/price?ids=bitcoin&vs_currencies=usd&include_last_updated_at=true`;
      const body = parseOrThrow(url, simplePriceSchema, await options.http.getJson(url, headers));
      const { usd, last_updated_at: lastUpdatedSeconds } = body.bitcoin;
      return lastUpdatedSeconds === undefined ? { usd } : { usd, lastUpdatedAt: lastUpdatedSeconds * 1000 };
    },
  };
}
