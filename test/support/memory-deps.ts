/** In-memory Deps for command tests: fixed network figures with a chosen status, the real snapshot,
 * a fixed clock and a logger that records lines. */
import type {
  Datum,
  Deps,
  Invocation,
  NetworkData,
  PoolCount,
  PoolHistoryWindow,
  SourceRef,
  WeeklyPoolShares,
} from "../../src/core/index.ts";
import { snapshot } from "../../src/data/snapshot.ts";
import { trendDatasets } from "../../src/data/trend-datasets.ts";

export const NOW = new Date("2026-11-24T12:00:00Z");

export interface NetworkFigures {
  btcPriceUsd: number;
  difficulty: number;
  hashrateHs: number;
  feesPerBlockBtc: number;
  tipHeight: number;
  pools: { name: string; slug: string; blockCount: number }[];
  /** Pool tables per window for poolHistory; a window left out answers `pools`, one set to null is
   * missing (as when the upstream is down and nothing is cached). */
  poolWindows: Partial<Record<PoolHistoryWindow, PoolCount[] | null>>;
  /** Weekly pool shares for poolHistory; null: the series is missing. */
  weeklyShares: WeeklyPoolShares[] | null;
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
  poolWindows: {},
  weeklyShares: [1, 2, 3, 4].map((week) => ({
    // Four weeks ending 2026-11-03 … 2026-11-24, each with the pools table above as shares.
    asOf: new Date(Date.parse("2026-11-24T00:00:00Z") - (4 - week) * 7 * 86_400_000).toISOString(),
    pools: [
      { name: "Foundry USA", share: 0.3 },
      { name: "AntPool", share: 0.2 },
      { name: "ViaBTC", share: 0.1 },
      { name: "Binance Pool", share: 0.1 },
      { name: "F2Pool", share: 0.2 },
      { name: "Unknown", share: 0.1 },
    ],
  })),
};

const HISTORY_WINDOWS: PoolHistoryWindow[] = ["3y", "2y", "1y", "6m", "3m", "1m", "1w"];

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
    poolHistory: async (period = "3y") => {
      const missing: string[] = [];
      const windows = [];
      for (const window of HISTORY_WINDOWS) {
        const table = window in f.poolWindows ? f.poolWindows[window] : f.pools;
        if (table === null || table === undefined) {
          missing.push(`pools ${window}: upstream unavailable and no bundled figure`);
          continue;
        }
        const totalBlocks = table.reduce((s, p) => s + p.blockCount, 0);
        windows.push({ window, ...(await datum(`Pool blocks (${window})`, { pools: table, totalBlocks })) });
      }
      if (f.weeklyShares === null) missing.push(`weekly pool shares (${period}): upstream unavailable`);
      const weekly =
        f.weeklyShares === null ? undefined : await datum(`Weekly pool shares (${period})`, f.weeklyShares);
      return { windows, ...(weekly ? { weekly } : {}), missing };
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
    trend: trendDatasets,
    clock: { now: () => NOW },
    logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
    logged,
    ...overrides,
  };
}

export const consoleInvocation: Invocation = { platform: "cli", chatId: "console", canManage: true };
