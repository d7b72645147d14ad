/** The interfaces commands depend on. Production passes the cached live sources (src/data);
 * tests pass in-memory implementations. */
import type { Reply, SourceRef } from "./reply.ts";
import type { PoolCount, Snapshot } from "./snapshot.ts";
import type { TrendDatasets } from "./trend-data.ts";

/** A value and where it came from (status says live, cached, stale or snapshot). */
export interface Datum<T> {
  value: T;
  source: SourceRef;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type PoolWindow = "1w" | "1m";
/** The windows of /v1/mining/pools/{window} the trend reads, longest first. */
export type PoolHistoryWindow = "3y" | "2y" | "1y" | "6m" | "3m" | "1m" | "1w";
/** How far back /v1/mining/hashrate/pools/{period} goes. */
export type PoolSharePeriod = "1y" | "2y" | "3y";

export interface HashrateInfo {
  difficulty: number;
  /** Network hashrate as estimated by the upstream (H/s); 0 when unknown. */
  hashrateHs: number;
}

export interface RewardStats {
  blockCount: number;
  totalRewardBtc: number;
  totalFeeBtc: number;
  /** totalFeeBtc / blockCount */
  feesPerBlockBtc: number;
}

export interface DifficultyAdjustment {
  progressPercent: number;
  /** Estimated change at the next retarget, percent. */
  difficultyChangePct: number;
  /** Unix ms */
  estimatedRetargetMs: number;
  remainingBlocks: number;
  nextRetargetHeight: number;
}

export interface PoolStats {
  pools: PoolCount[];
  /** Blocks in the window, including Unknown. */
  totalBlocks: number;
}

/** One week of /v1/mining/hashrate/pools: each listed pool's share of that week's blocks (0–1). */
export interface WeeklyPoolShares {
  /** ISO 8601 instant the week ends. */
  asOf: string;
  pools: { name: string; share: number }[];
}

/** Pool statistics over growing windows and week by week. A window or series with no live, cached or
 * bundled figure is left out and named in `missing`, never invented. */
export interface PoolHistory {
  /** Longest window first, i.e. oldest centre first. */
  windows: Array<{ window: PoolHistoryWindow } & Datum<PoolStats>>;
  weekly?: Datum<WeeklyPoolShares[]>;
  missing: string[];
}

/** One line of the sources command. */
export interface DatasetStatus {
  name: string;
  source: string;
  asOf: string;
  fetchedAt?: string;
  status: SourceRef["status"];
}

/** Live Bitcoin network data. Never throws for upstream trouble: it answers from cache, stale cache
 * or the snapshot and says so in `source`. */
export interface NetworkData {
  btcPriceUsd(): Promise<Datum<number>>;
  hashrate(): Promise<Datum<HashrateInfo>>;
  rewardStats(): Promise<Datum<RewardStats>>;
  tipHeight(): Promise<Datum<number>>;
  difficultyAdjustment(): Promise<Datum<DifficultyAdjustment>>;
  pools(window: PoolWindow): Promise<Datum<PoolStats>>;
  /** Every pool window from 3y to 1w plus the weekly pool shares over `period` (default 3y). */
  poolHistory(period?: PoolSharePeriod): Promise<PoolHistory>;
  /** What is known about each dataset right now, without fetching. */
  datasets(): Promise<DatasetStatus[]>;
}

export interface Deps {
  network: NetworkData;
  snapshot: Snapshot;
  clock: Clock;
  logger: Logger;
  /** Absent when digests are turned off for this instance (or in the console). */
  digest?: DigestPort;
  /** Bundled history datasets (open models, dated country and maker shares, fleet efficiency);
   * absent in builds that do not bundle them, and trend says so. */
  trend?: TrendDatasets;
  /** Hears about every command answered (logs and metrics); absent in most tests. */
  observer?: Observer;
}

/** One command answered, as the operator sees it. */
export interface CommandEvent {
  command: string;
  platform: string;
  durationMs: number;
  /** "ok", or the error code ("invalid_value", "internal", …). */
  outcome: string;
  errorId?: string;
  /** The arguments as given: user text, logged only at debug. */
  args?: Record<string, unknown>;
}

/** What the operator side (the per-command log line, Prometheus counters) is told. Implementations
 * must not throw and must not block: they count and return. Core and data call it; only src/http
 * knows about Prometheus. */
export interface Observer {
  commandFinished(event: CommandEvent): void;
  /** One request to an upstream for a dataset: "ok" or the failure kind (timeout, http, …). */
  upstreamRequest(event: { dataset: string; outcome: string }): void;
  /** One read of a dataset: "hit" (fresh in cache), "miss" (fetched), "stale", "fallback" (snapshot). */
  cacheLookup(event: { dataset: string; result: "hit" | "miss" | "stale" | "fallback" }): void;
  /** One digest post: "ok", "failed" (will be retried) or "refused" (permanent). */
  digestPost(event: { platform: string; outcome: "ok" | "failed" | "refused" }): void;
}

/** The persistent store (SQLite file or Redis, chosen by STORE_URL). Keys are namespaced by the
 * caller ("cache:", "digest:sub:", "digest:sent:"). Values are JSON-serialisable. */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Atomically sets the key only if it is absent or expired; true when this caller won. Several
   * processes sharing one store use it so that exactly one of them does a piece of work. */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Every unexpired entry whose key starts with prefix. */
  entries<T>(prefix: string): Promise<Array<[string, T]>>;
  close(): Promise<void>;
}

/** One sliding window of a limit several instances share: at most `count` events in any
 * `windowMs`, counted under `key`. */
export interface SharedWindow {
  key: string;
  count: number;
  windowMs: number;
}

/** Sliding-window counters shared by every instance (Redis when it is the store), so a limit that
 * Telegram applies per bot token holds however many processes send with that token. An event is
 * named by a ticket unique among all instances. */
export interface SharedWindows {
  /** Counts the event in every window when each has room, and returns 0; otherwise counts it in
   * none and returns the milliseconds until the fullest one has room. */
  take(windows: readonly SharedWindow[], ticket: string): Promise<number>;
  /** Moves a counted event to now in each of its windows (it finished now), so it counts until
   * then. */
  finish(windows: readonly SharedWindow[], ticket: string): Promise<void>;
}

/** What the digest needs from a platform adapter: post a Reply to a chat, through the adapter's own
 * rendering, rate limiting and retries. Throws DeliveryError when it cannot. */
export interface Messenger {
  platform: "discord" | "telegram";
  send(chatId: string, reply: Reply): Promise<void>;
}

export const DIGEST_SECTIONS = [
  "network",
  "mining_cost",
  "migration",
  "concentration",
  "edge_ai",
  "trend",
] as const;
export type DigestSection = (typeof DIGEST_SECTIONS)[number];

export interface DigestSubscription {
  platform: "discord" | "telegram";
  chatId: string;
  /** Cron, 5 fields or 6 with seconds. */
  schedule: string;
  /** IANA time zone. */
  tz: string;
  sections: DigestSection[];
  createdBy?: string;
  createdAt: string;
  updatedAt: string;
  enabled: boolean;
  /** Why delivery stopped (bot removed, missing permission), shown by status. */
  disabledReason?: string;
}

/** What the digest command needs; present in Deps only when the digest scheduler runs. */
export interface DigestPort {
  /** Creates or updates this chat's subscription (never a second one). Throws UserError for a bad
   * schedule, time zone or an interval below the minimum. */
  subscribe(input: {
    platform: "discord" | "telegram";
    chatId: string;
    schedule: string;
    tz: string;
    sections: DigestSection[];
    userId?: string;
  }): Promise<{ subscription: DigestSubscription; created: boolean; nextRuns: string[] }>;
  unsubscribe(platform: "discord" | "telegram", chatId: string): Promise<boolean>;
  status(
    platform: "discord" | "telegram",
    chatId: string,
  ): Promise<{ subscription?: DigestSubscription; nextRuns: string[]; lastDeliveredAt?: string }>;
  /** The digest as it would be posted now. */
  preview(sections: DigestSection[]): Promise<Reply>;
}
