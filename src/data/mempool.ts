/** Client for the mempool REST API (the public instance or an operator's own). Every response is
 * validated with zod and mapped to the port types; anything off-contract becomes an UpstreamError of
 * kind "malformed" so a hostile or broken instance can never put NaN or Infinity into an answer.
 * Shapes and caveats: docs/architecture.md "Upstream data". */
import { z } from "zod";
import type {
  DifficultyAdjustment,
  HashrateInfo,
  PoolHistoryWindow,
  PoolSharePeriod,
  PoolStats,
  RewardStats,
  WeeklyPoolShares,
} from "../core/ports.ts";
import { type HttpClient, UpstreamError } from "./http.ts";
import { parseOrThrow } from "./validate.ts";

export const DEFAULT_MEMPOOL_BASE_URL = "https://mempool.space/api";

export interface MempoolPrice {
  usd: number;
  /** When mempool last updated its price (it gives Unix seconds; this is a Date). */
  time: Date;
}

export interface MempoolRewardStats extends RewardStats {
  startHeight: number;
  endHeight: number;
}

export interface MempoolClient {
  /** "mempool.space /v1/prices": the configured host and the route, for SourceRef.source. */
  describe(route: string): string;
  prices(): Promise<MempoolPrice>;
  hashrate3d(): Promise<HashrateInfo>;
  difficultyAdjustment(): Promise<DifficultyAdjustment>;
  rewardStats(blocks?: number): Promise<MempoolRewardStats>;
  /** Any window mempool serves, from 1w to 3y (the same route and shape). */
  pools(window: PoolHistoryWindow): Promise<PoolStats>;
  /** Weekly share of blocks per pool over the period, oldest week first. */
  poolShareHistory(period: PoolSharePeriod): Promise<WeeklyPoolShares[]>;
  tipHeight(): Promise<number>;
}

export interface MempoolClientOptions {
  baseUrl?: string;
  http: HttpClient;
}

const SATS_PER_BTC = 1e8;

// z.number() already rejects NaN and ±Infinity in zod 4 (JSON "1e400" parses to Infinity).
const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();
/** The subsidy reaches zero at block 33 × 210,000 = 6,930,000 (about the year 2140 on mainnet;
 * testnet3, the busiest test chain, is near 4.8 million). A height at or beyond it is not a chain
 * this bot can price (no reward per block): an upstream error, never an answer that blames the
 * user's inputs and never a value cached as live. */
const LAST_SUBSIDISED_HEIGHT = 33 * 210_000 - 1;
const height = z.number().int().nonnegative().max(LAST_SUBSIDISED_HEIGHT, "implausible block height");

/** mempool returns SQL SUM() results as strings of digits ("63811748254"). Accept only plain digit
 * strings (no "1e400", "-5", "0x10", " 12") that stay exact as a JS number; tolerate a real number too. */
const satsSum = z.union([
  z
    .string()
    .regex(/^\d{1,16}$/)
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER)),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
]);

const pricesSchema = z.object({
  time: z.number().int().positive(),
  // mempool reports a missing currency as -1; a price of 0 is equally unusable, and bounds keep a
  // hostile value from turning into Infinity in an answer.
  USD: z.number().min(0.01).max(1e8),
});

const hashrateSchema = z.object({
  // Both are 0 when mempool cannot reach Bitcoin Core; a zero hashrate just means "unknown".
  currentHashrate: nonNegative,
  // Testnets go down to 1; mainnet is ~1.5e14 in 2025. The bound keeps derived figures finite.
  currentDifficulty: z.number().min(1).max(1e18),
});

const difficultyAdjustmentSchema = z.object({
  progressPercent: z.number().min(0).max(100),
  // mempool clamps the estimate to -75 % … +300 %, the consensus limits of a retarget.
  difficultyChange: z.number().min(-100).max(400),
  estimatedRetargetDate: z.number().int().positive(),
  remainingBlocks: z.number().int().min(0).max(2016),
  nextRetargetHeight: height,
});

const rewardStatsSchema = z
  .object({
    startBlock: height,
    endBlock: height,
    totalReward: satsSum,
    totalFee: satsSum,
  })
  .refine((stats) => stats.endBlock >= stats.startBlock, "endBlock before startBlock")
  .refine((stats) => stats.totalFee <= stats.totalReward, "fees exceed the total reward")
  // Every block below the last subsidised height pays a subsidy: a zero total is a broken upstream.
  .refine((stats) => stats.totalReward > 0, "implausible: zero total reward");

const poolsSchema = z
  .object({
    pools: z
      .array(
        z.object({
          name: z.string().min(1).max(100),
          slug: z.string().min(1).max(100),
          blockCount: count,
        }),
      )
      .max(2000),
    blockCount: count,
  })
  // A mempool with mining indexing off answers an empty window: that is no data, not zero blocks.
  .refine((stats) => stats.blockCount > 0, "no blocks in the window")
  // Shares above 100 % would break every concentration figure downstream.
  .refine(
    (stats) => stats.pools.reduce((sum, pool) => sum + pool.blockCount, 0) <= stats.blockCount,
    "pool block counts exceed the total",
  );

/** /v1/mining/hashrate/pools/:interval: one row per (week, pool) for the pools active in the last
 * week, `share` the pool's fraction of that week's blocks and `timestamp` the week's end in Unix
 * seconds (mempool backend HashratesRepository.$getPoolsWeeklyHashrate). Three years is ~156 weeks of
 * ~15 pools; the bound leaves room and stops a hostile body early. */
const poolShareHistorySchema = z
  .array(
    z.object({
      timestamp: z.number().int().positive().max(1e10),
      avgHashrate: nonNegative,
      share: z.number().min(0).max(1),
      poolName: z.string().min(1).max(100),
    }),
  )
  .max(20_000);

/** Shares of one week may add up to a hair over 1 from rounding in mempool's database; more than
 * this is a broken answer. */
const WEEK_SHARE_TOLERANCE = 1e-3;

/** Unix seconds stop at ~1e10 until the year 2286; anything smaller is seconds, not ms. The API docs'
 * example shows seconds for estimatedRetargetDate while the code returns ms, so accept both. */
const SECONDS_BELOW = 1e11;

export function createMempoolClient(options: MempoolClientOptions): MempoolClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_MEMPOOL_BASE_URL).replace(/\/+$/, "");
  const { http } = options;
  const host = new URL(baseUrl).host;

  async function getValidated<T>(route: string, schema: z.ZodType<T>): Promise<T> {
    const url = `${baseUrl}${route}`;
    return parseOrThrow(url, schema, await http.getJson(url));
  }

  return {
    describe: (route) => `${host} ${route}`,

    async prices() {
      const body = await getValidated("/v1/prices", pricesSchema);
      return { usd: body.USD, time: new Date(body.time * 1000) };
    },

    async hashrate3d() {
      const body = await getValidated("/v1/mining/hashrate/3d", hashrateSchema);
      return { difficulty: body.currentDifficulty, hashrateHs: body.currentHashrate };
    },

    async difficultyAdjustment() {
      const body = await getValidated("/v1/difficulty-adjustment", difficultyAdjustmentSchema);
      const retarget = body.estimatedRetargetDate;
      return {
        progressPercent: body.progressPercent,
        difficultyChangePct: body.difficultyChange,
        estimatedRetargetMs: retarget < SECONDS_BELOW ? retarget * 1000 : retarget,
        remainingBlocks: body.remainingBlocks,
        nextRetargetHeight: body.nextRetargetHeight,
      };
    },

    async rewardStats(blocks = 144) {
      const body = await getValidated(`/v1/mining/reward-stats/${blocks}`, rewardStatsSchema);
      const blockCount = body.endBlock - body.startBlock + 1;
      const totalFeeBtc = body.totalFee / SATS_PER_BTC;
      return {
        blockCount,
        totalRewardBtc: body.totalReward / SATS_PER_BTC,
        totalFeeBtc,
        feesPerBlockBtc: totalFeeBtc / blockCount,
        startHeight: body.startBlock,
        endHeight: body.endBlock,
      };
    },

    async pools(window) {
      const body = await getValidated(`/v1/mining/pools/${window}`, poolsSchema);
      return {
        // "Unknown" (blocks without a recognised coinbase tag) stays a pool here; consumers decide
        // how to count it.
        pools: body.pools.map(({ name, slug, blockCount }) => ({ name, slug, blockCount })),
        totalBlocks: body.blockCount,
      };
    },

    async poolShareHistory(period) {
      const route = `/v1/mining/hashrate/pools/${period}`;
      const rows = await getValidated(route, poolShareHistorySchema);
      const byWeek = new Map<number, WeeklyPoolShares["pools"]>();
      for (const row of rows) {
        const week = byWeek.get(row.timestamp) ?? [];
        week.push({ name: row.poolName, share: row.share });
        byWeek.set(row.timestamp, week);
      }
      for (const [timestamp, pools] of byWeek) {
        const total = pools.reduce((sum, p) => sum + p.share, 0);
        if (total > 1 + WEEK_SHARE_TOLERANCE)
          throw new UpstreamError(
            "malformed",
            `${baseUrl}${route}`,
            `pool shares of the week ending ${timestamp} add up to ${total.toFixed(3)} (more than 1)`,
          );
      }
      return [...byWeek.entries()]
        .sort(([a], [b]) => a - b)
        .map(([timestamp, pools]) => ({ asOf: new Date(timestamp * 1000).toISOString(), pools }));
    },

    async tipHeight() {
      const url = `${baseUrl}/blocks/tip/height`;
      const text = (await http.getText(url)).trim();
      if (!/^\d{1,9}$/.test(text)) throw new UpstreamError("malformed", url, "tip height is not an integer");
      const tip = Number(text);
      if (tip > LAST_SUBSIDISED_HEIGHT) {
        throw new UpstreamError("malformed", url, `implausible tip height ${tip} (no block subsidy left)`);
      }
      return tip;
    },
  };
}
