/** The live NetworkData port: mempool (and CoinGecko for the price) behind the cache, with the bundled
 * snapshot as the last resort. Every answer says where it came from in its SourceRef:
 *   live / cached  fetched now / within the TTL             (fetchedAt = when we fetched it)
 *   stale          upstream failed, older cached value       (served with its original fetchedAt)
 *   snapshot       nothing cached and upstream failed        (fallback: true, asOf of the snapshot figure)
 * Methods never throw for upstream or store trouble. */
import type {
  Clock,
  DatasetStatus,
  Datum,
  DifficultyAdjustment,
  HashrateInfo,
  Logger,
  NetworkData,
  Observer,
  PoolHistory,
  PoolHistoryWindow,
  PoolSharePeriod,
  PoolStats,
  PoolWindow,
  RewardStats,
  WeeklyPoolShares,
} from "../core/ports.ts";
import type { SourceRef } from "../core/reply.ts";
import { describeSource, type Snapshot, type SourcedValue } from "../core/snapshot.ts";
import type { Cache } from "./cache.ts";
import type { CoinGeckoClient } from "./coingecko.ts";
import { UpstreamError } from "./http.ts";
import type { MempoolClient } from "./mempool.ts";

export interface NetworkTtls {
  priceMs: number;
  hashrateMs: number;
  rewardStatsMs: number;
  tipHeightMs: number;
  difficultyAdjustmentMs: number;
  poolsMs: number;
  /** Long pool windows and the weekly series: they change once a week at most. */
  poolHistoryMs: number;
}

/** mempool refreshes its price about hourly and mining stats every block; these keep us well under
 * its (unpublished) rate limits while answers stay minutes fresh. */
export const DEFAULT_NETWORK_TTLS: NetworkTtls = {
  priceMs: 60_000,
  hashrateMs: 10 * 60_000,
  rewardStatsMs: 10 * 60_000,
  tipHeightMs: 10 * 60_000,
  difficultyAdjustmentMs: 10 * 60_000,
  poolsMs: 60 * 60_000,
  poolHistoryMs: 6 * 60 * 60_000,
};

export interface NetworkDataOptions {
  mempool: MempoolClient;
  /** Second price source; without it a failed mempool price goes straight to stale/snapshot. */
  coingecko?: CoinGeckoClient;
  cache: Cache;
  snapshot: Snapshot;
  clock: Clock;
  logger: Logger;
  ttl?: Partial<NetworkTtls>;
  /** Told of every upstream request and every dataset read (metrics). */
  observer?: Observer;
}

/** How long the price waits on mempool before asking CoinGecko as well. */
const PRICE_HEDGE_MS = 800;

/** The first of two attempts to succeed; the second starts when the first fails or after delayMs. */
function hedge<T>(
  first: () => Promise<T>,
  second: () => Promise<T>,
  delayMs: number,
  onFirstFailed: (error: unknown) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let failures = 0;
    let secondStarted = false;
    let lastError: unknown;
    const fail = (error: unknown) => {
      lastError = error;
      failures += 1;
      if (failures === 2) reject(lastError);
    };
    const startSecond = () => {
      if (secondStarted) return;
      secondStarted = true;
      clearTimeout(timer);
      second().then(resolve, fail);
    };
    const timer = setTimeout(startSecond, delayMs);
    first().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        onFirstFailed(error);
        fail(error);
        startSecond();
      },
    );
  });
}

/** The window of /v1/mining/reward-stats/:blockCount: one day of blocks. */
const REWARD_WINDOW_BLOCKS = 144;
const BLOCKS_PER_RETARGET = 2016;
const TARGET_BLOCK_SECONDS = 600;

/** What the cache stores for a dataset: the value plus where it actually came from (the price may
 * come from either source) and the upstream's own timestamp when it has one. */
interface Fetched<T> {
  value: T;
  source: string;
  /** ISO 8601; absent when the upstream gives no timestamp (then asOf = fetchedAt). */
  asOf?: string;
}

/** One dataset: how to fetch it, how long it stays fresh, and what the snapshot says instead. */
interface Dataset<T> {
  /** Cache key; the version part changes whenever the stored shape changes. */
  cacheKey: string;
  name: string;
  ttlMs: number;
  fetch: () => Promise<Fetched<T>>;
  fromSnapshot: () => Fetched<T> & { asOf: string };
  /** The name when the snapshot answers, if the live name would misdescribe the figure. */
  snapshotName?: string;
}

/** A dataset the snapshot has no figure for (long pool windows, the weekly series). */
type LiveOnlyDataset<T> = Omit<Dataset<T>, "fromSnapshot">;

/** The pool windows of the trend, longest first; 1w and 1m are the concentration command's own. */
const POOL_HISTORY_WINDOWS: readonly PoolHistoryWindow[] = ["3y", "2y", "1y", "6m", "3m", "1m", "1w"];

export function createNetworkData(options: NetworkDataOptions): NetworkData {
  const { mempool, coingecko, cache, snapshot, clock, logger, observer } = options;
  const ttl = { ...DEFAULT_NETWORK_TTLS, ...options.ttl };
  const figures = snapshot.network;

  const price: Dataset<number> = {
    cacheKey: "network:v1:btc-price",
    name: "BTC price",
    ttlMs: ttl.priceMs,
    async fetch() {
      const fromMempool = async () => {
        const { usd, time } = await mempool.prices();
        return { value: usd, source: mempool.describe("/v1/prices"), asOf: time.toISOString() };
      };
      if (coingecko === undefined) return fromMempool();
      const fromCoinGecko = async () => {
        const { usd, lastUpdatedAt } = await coingecko.btcPriceUsd();
        return {
          value: usd,
          source: coingecko.describe("/simple/price"),
          ...(lastUpdatedAt === undefined ? {} : { asOf: new Date(lastUpdatedAt).toISOString() }),
        };
      };
      // Hedged: if mempool has not answered within PRICE_HEDGE_MS, ask CoinGecko too and take the
      // first good answer, so a hanging upstream costs one timeout, not two in a row.
      // Debug only: when both fail the cache warns once per back-off period for the dataset.
      return hedge(fromMempool, fromCoinGecko, PRICE_HEDGE_MS, (error) =>
        logger.debug("mempool price failed; asking CoinGecko", { error: String(error) }),
      );
    },
    fromSnapshot: () => fromFigure(figures.btcPriceUsd, (usd) => usd),
  };

  const hashrate: Dataset<HashrateInfo> = {
    cacheKey: "network:v1:hashrate-3d",
    name: "Network difficulty",
    ttlMs: ttl.hashrateMs,
    fetch: async () => ({
      value: await mempool.hashrate3d(),
      source: mempool.describe("/v1/mining/hashrate/3d"),
    }),
    // The snapshot has no upstream hashrate estimate; 0 means unknown (see HashrateInfo).
    fromSnapshot: () => fromFigure(figures.difficulty, (difficulty) => ({ difficulty, hashrateHs: 0 })),
  };

  const rewardStats: Dataset<RewardStats> = {
    cacheKey: `network:v1:reward-stats-${REWARD_WINDOW_BLOCKS}`,
    name: `Fees per block (last ${REWARD_WINDOW_BLOCKS} blocks)`,
    ttlMs: ttl.rewardStatsMs,
    async fetch() {
      const {
        startHeight: _start,
        endHeight: _end,
        ...stats
      } = await mempool.rewardStats(REWARD_WINDOW_BLOCKS);
      return { value: stats, source: mempool.describe(`/v1/mining/reward-stats/${REWARD_WINDOW_BLOCKS}`) };
    },
    fromSnapshot: () =>
      fromFigure(figures.feesPerBlockBtc, (fees) => rewardStatsFromFees(fees, figures.tipHeight.value)),
    // The bundled figure is not a 144-block window (it is a longer average; its basis says which).
    snapshotName: `Fees per block (bundled figure, ${figures.feesPerBlockBtc.asOf})`,
  };

  const tipHeight: Dataset<number> = {
    cacheKey: "network:v1:tip-height",
    name: "Block height",
    ttlMs: ttl.tipHeightMs,
    fetch: async () => ({ value: await mempool.tipHeight(), source: mempool.describe("/blocks/tip/height") }),
    fromSnapshot: () => fromFigure(figures.tipHeight, (height) => height),
  };

  const difficultyAdjustment: Dataset<DifficultyAdjustment> = {
    cacheKey: "network:v1:difficulty-adjustment",
    name: "Difficulty adjustment",
    ttlMs: ttl.difficultyAdjustmentMs,
    fetch: async () => ({
      value: await mempool.difficultyAdjustment(),
      source: mempool.describe("/v1/difficulty-adjustment"),
    }),
    // The snapshot has no retarget figures; derive them from its block height (no change estimate).
    fromSnapshot: () =>
      fromFigure(figures.tipHeight, (height) => retargetFromHeight(height, figures.tipHeight.asOf, clock)),
  };

  const pools: Record<PoolWindow, Dataset<PoolStats>> = {
    "1w": poolsDataset("1w", figures.pools1w),
    "1m": poolsDataset("1m", figures.pools1m),
  };

  function poolsDataset(window: PoolWindow, figure: SourcedValue<PoolStats["pools"]>): Dataset<PoolStats> {
    return {
      cacheKey: `network:v1:pools-${window}`,
      name: `Pool blocks (${window})`,
      ttlMs: ttl.poolsMs,
      fetch: async () => ({
        value: await mempool.pools(window),
        source: mempool.describe(`/v1/mining/pools/${window}`),
      }),
      fromSnapshot: () =>
        fromFigure(figure, (list) => ({
          pools: list,
          totalBlocks: list.reduce((sum, pool) => sum + pool.blockCount, 0),
        })),
    };
  }

  /** Long windows use the pools TTL scaled up: a 3-year count barely moves in an hour. */
  function longPoolsDataset(window: Exclude<PoolHistoryWindow, PoolWindow>): LiveOnlyDataset<PoolStats> {
    return {
      cacheKey: `network:v1:pools-${window}`,
      name: `Pool blocks (${window})`,
      ttlMs: ttl.poolHistoryMs,
      fetch: async () => ({
        value: await mempool.pools(window),
        source: mempool.describe(`/v1/mining/pools/${window}`),
      }),
    };
  }

  function weeklySharesDataset(period: PoolSharePeriod): LiveOnlyDataset<WeeklyPoolShares[]> {
    return {
      cacheKey: `network:v1:pool-shares-weekly-${period}`,
      name: `Weekly pool shares (${period})`,
      ttlMs: ttl.poolHistoryMs,
      fetch: async () => ({
        value: await mempool.poolShareHistory(period),
        source: mempool.describe(`/v1/mining/hashrate/pools/${period}`),
      }),
    };
  }

  async function poolHistory(period: PoolSharePeriod = "3y"): Promise<PoolHistory> {
    const missing: string[] = [];
    const windows = await Promise.all(
      POOL_HISTORY_WINDOWS.map(async (window) => {
        if (window === "1w" || window === "1m") return { window, ...(await resolve(pools[window])) };
        const datum = await resolveCached(longPoolsDataset(window));
        if (datum === null) missing.push(`pools ${window}: upstream unavailable and no bundled figure`);
        return datum === null ? null : { window, ...datum };
      }),
    );
    const weekly = await resolveCached(weeklySharesDataset(period));
    if (weekly === null)
      missing.push(`weekly pool shares (${period}): upstream unavailable and no bundled figure`);
    return {
      windows: windows.filter((w) => w !== null),
      ...(weekly === null ? {} : { weekly }),
      missing,
    };
  }

  /** The dataset's fetch, counted: one upstream request and how it ended. */
  function countedFetch<T>(dataset: LiveOnlyDataset<T>): () => Promise<Fetched<T>> {
    return async () => {
      try {
        const fetched = await dataset.fetch();
        observer?.upstreamRequest({ dataset: dataset.cacheKey, outcome: "ok" });
        return fetched;
      } catch (error) {
        const outcome = error instanceof UpstreamError ? error.kind : "error";
        observer?.upstreamRequest({ dataset: dataset.cacheKey, outcome });
        throw error;
      }
    };
  }

  const CACHE_RESULT = { cached: "hit", live: "miss", stale: "stale" } as const;

  /** The cached or fetched value, or null when neither the upstream nor the store has one. */
  async function resolveCached<T>(dataset: LiveOnlyDataset<T>): Promise<Datum<T> | null> {
    try {
      const hit = await cache.cached(dataset.cacheKey, dataset.ttlMs, countedFetch(dataset));
      observer?.cacheLookup({
        dataset: dataset.cacheKey,
        result: hit === null ? "fallback" : CACHE_RESULT[hit.status],
      });
      if (hit !== null) {
        const fetchedAt = hit.fetchedAt.toISOString();
        const source: SourceRef = {
          name: dataset.name,
          source: hit.value.source,
          asOf: hit.value.asOf ?? fetchedAt,
          fetchedAt,
          status: hit.status,
        };
        return { value: hit.value.value, source };
      }
    } catch (error) {
      // The cache already absorbs upstream and store failures; this is a bug, but users still get
      // an answer.
      logger.error("network dataset failed unexpectedly", { dataset: dataset.name, error: String(error) });
    }
    return null;
  }

  async function resolve<T>(dataset: Dataset<T>): Promise<Datum<T>> {
    return (await resolveCached(dataset)) ?? fromSnapshotDatum(dataset);
  }

  function fromSnapshotDatum<T>(dataset: Dataset<T>): Datum<T> {
    const { value, source, asOf } = dataset.fromSnapshot();
    const name = dataset.snapshotName ?? dataset.name;
    return { value, source: { name, source, asOf, status: "snapshot", fallback: true } };
  }

  const allDatasets: Array<Dataset<unknown>> = [
    price,
    hashrate,
    rewardStats,
    tipHeight,
    difficultyAdjustment,
    pools["1w"],
    pools["1m"],
  ];

  return {
    btcPriceUsd: () => resolve(price),
    hashrate: () => resolve(hashrate),
    rewardStats: () => resolve(rewardStats),
    tipHeight: () => resolve(tipHeight),
    difficultyAdjustment: () => resolve(difficultyAdjustment),
    pools: (window) => resolve(pools[window]),
    poolHistory,

    async datasets() {
      return Promise.all(
        allDatasets.map(async (dataset): Promise<DatasetStatus> => {
          const entry = await cache.peek<Fetched<unknown>>(dataset.cacheKey, dataset.ttlMs).catch(() => null);
          if (entry === null) {
            const { source } = fromSnapshotDatum(dataset);
            return { name: source.name, source: source.source, asOf: source.asOf, status: "snapshot" };
          }
          const fetchedAt = entry.fetchedAt.toISOString();
          return {
            name: dataset.name,
            source: entry.value.source,
            asOf: entry.value.asOf ?? fetchedAt,
            fetchedAt,
            status: entry.status,
          };
        }),
      );
    },
  };
}

function fromFigure<F, T>(figure: SourcedValue<F>, toValue: (value: F) => T): Fetched<T> & { asOf: string } {
  return { value: toValue(figure.value), source: describeSource(figure.source), asOf: figure.asOf };
}

/** Block subsidy in BTC: 50, halved every 210,000 blocks (3.125 from block 840,000). */
function subsidyBtc(height: number): number {
  return 50 / 2 ** Math.floor(height / 210_000);
}

/** The snapshot only knows average fees per block; rebuild a one-day window around them. */
function rewardStatsFromFees(feesPerBlockBtc: number, height: number): RewardStats {
  const blockCount = REWARD_WINDOW_BLOCKS;
  return {
    blockCount,
    totalFeeBtc: feesPerBlockBtc * blockCount,
    totalRewardBtc: (subsidyBtc(height) + feesPerBlockBtc) * blockCount,
    feesPerBlockBtc,
  };
}

/** Where the snapshot's block height sits in its 2016-block epoch, assuming 10-minute blocks from the
 * snapshot date; the estimated change is unknown and reported as 0. */
function retargetFromHeight(height: number, asOf: string, clock: Clock): DifficultyAdjustment {
  const blocksIntoEpoch = height % BLOCKS_PER_RETARGET;
  const remainingBlocks = BLOCKS_PER_RETARGET - blocksIntoEpoch;
  const asOfMs = Date.parse(asOf);
  const fromMs = Number.isNaN(asOfMs) ? clock.now().getTime() : asOfMs;
  return {
    progressPercent: (blocksIntoEpoch / BLOCKS_PER_RETARGET) * 100,
    difficultyChangePct: 0,
    estimatedRetargetMs: fromMs + remainingBlocks * TARGET_BLOCK_SECONDS * 1000,
    remainingBlocks,
    nextRetargetHeight: height + remainingBlocks,
  };
}
