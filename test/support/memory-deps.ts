/** In-memory Deps for command tests: fixed network figures with a chosen status, the real snapshot,
 * a fixed clock and a logger that records lines. */
import type { Datum, Deps, Invocation, NetworkData, SourceRef } from "../../src/core/index.ts";
import { snapshot } from "../../src/data/snapshot.ts";

export const NOW = new Date("2026-11-24T12:00:00Z");

export interface NetworkFigures {
  btcPriceUsd: number;
  difficulty: number;
  hashrateHs: number;
  feesPerBlockBtc: number;
  tipHeight: number;
  pools: { name: string; slug: string; blockCount: number }[];
}

/** Late-2025 figures, chosen so hand arithmetic stays simple. */
export const FIGURES: NetworkFigures = {
  btcPriceUsd: 90_000,
  difficulty: 155.97e12,
  hashrateHs: 1.1e21,
  feesPerBlockBtc: 0.036,
  tipHeight: 925_000,
  pools: [
    { name: "Foundry USA", slug: "foundryusa", blockCount: 300 },
    { name: "AntPool", slug: "antpool", blockCount: 200 },
    { name: "ViaBTC", slug: "viabtc", blockCount: 100 },
    { name: "Binance Pool", slug: "binancepool", blockCount: 100 },
    { name: "F2Pool", slug: "f2pool", blockCount: 200 },
    { name: "Unknown", slug: "unknown", blockCount: 100 },
  ],
};

export function memoryNetwork(
  figures: Partial<NetworkFigures> = {},
  status: SourceRef["status"] = "live",
): NetworkData & { calls: string[] } {
  const f = { ...FIGURES, ...figures };
  const calls: string[] = [];
  const datum = <T>(name: string, value: T): Promise<Datum<T>> => {
    calls.push(name);
    const source: SourceRef = {
      name,
      source: "test upstream",
      asOf: new Date(NOW.getTime() - 30_000).toISOString(),
      fetchedAt: new Date(NOW.getTime() - 30_000).toISOString(),
      status,
      ...(status === "snapshot" ? { fallback: true } : {}),
    };
    return Promise.resolve({ value, source });
  };
  return {
    calls,
    btcPriceUsd: () => datum("BTC price", f.btcPriceUsd),
    hashrate: () => datum("Network difficulty", { difficulty: f.difficulty, hashrateHs: f.hashrateHs }),
    rewardStats: () =>
      datum("Fees per block", {
        blockCount: 144,
        totalRewardBtc: 144 * (3.125 + f.feesPerBlockBtc),
        totalFeeBtc: 144 * f.feesPerBlockBtc,
        feesPerBlockBtc: f.feesPerBlockBtc,
      }),
    tipHeight: () => datum("Block height", f.tipHeight),
    difficultyAdjustment: () =>
      datum("Difficulty adjustment", {
        progressPercent: 50,
        difficultyChangePct: 1.5,
        estimatedRetargetMs: NOW.getTime() + 7 * 86_400_000,
        remainingBlocks: 1008,
        nextRetargetHeight: 927_360,
      }),
    pools: (window) => {
      const pools = f.pools;
      return datum(`Pool blocks (${window})`, {
        pools,
        totalBlocks: pools.reduce((s, p) => s + p.blockCount, 0),
      });
    },
    datasets: async () => [
      {
        name: "BTC price",
        source: "test upstream",
        asOf: NOW.toISOString(),
        fetchedAt: NOW.toISOString(),
        status,
      },
    ],
  };
}

export function memoryDeps(overrides: Partial<Deps> = {}): Deps & { logged: string[] } {
  const logged: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return {
    network: memoryNetwork(),
    snapshot,
    clock: { now: () => NOW },
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    logged,
    ...overrides,
  };
}

export const consoleInvocation: Invocation = { platform: "cli", chatId: "console", canManage: true };
