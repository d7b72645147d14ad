/** Read-through cache over the KeyValueStore with the staleness rules of docs/architecture.md "Data":
 *   fresh entry (younger than its TTL)  -> "cached", no request
 *   missing or expired                  -> fetch -> store -> "live"
 *   fetch fails, an old entry exists    -> that entry, "stale", with its original fetchedAt
 *   fetch fails, nothing stored         -> null (the caller answers from the snapshot)
 * A store that fails is left alone for a few seconds (storeBackoffMs): the cache then works as a
 * pass-through to the upstream, warning once.
 * Concurrent callers for one key share one lookup and at most one upstream request. Freshness is
 * judged with the injected clock; the store only drops entries after a long retention, so a stale
 * value survives a long upstream outage and a restart. */

import { StoreUnavailableError } from "../core/errors.ts";
import type { Clock, KeyValueStore, Logger } from "../core/ports.ts";
import { UpstreamError } from "./http.ts";

export type CacheStatus = "live" | "cached" | "stale";

export interface CachedValue<T> {
  value: T;
  fetchedAt: Date;
  status: CacheStatus;
}

export interface Cache {
  cached<T>(key: string, ttlMs: number, fetch: () => Promise<T>): Promise<CachedValue<T> | null>;
  /** The stored entry judged against ttlMs ("cached" or "stale"), without fetching; null if none. */
  peek<T>(key: string, ttlMs: number): Promise<CachedValue<T> | null>;
}

export interface CacheOptions {
  store: KeyValueStore;
  clock: Clock;
  logger: Logger;
  /** How long the store keeps an entry after it was written (long, so stale values survive). */
  retentionMs?: number;
  /** After a failed fetch, serve stale/null without asking the upstream again for this long, so an
   * outage costs one timeout per key and window instead of one per user request. */
  failureBackoffMs?: number;
  /** After a store failure (Redis down or frozen, SQLite corrupt), leave the store alone for this
   * long: answers come from upstream at once instead of each waiting out the store timeout. */
  storeBackoffMs?: number;
}

/** What is stored under `cache:<key>`. */
interface CacheEntry<T> {
  value: T;
  /** Unix ms, by the injected clock. */
  fetchedAtMs: number;
}

const DEFAULT_RETENTION_MS = 7 * 24 * 60 * 60_000;
const DEFAULT_FAILURE_BACKOFF_MS = 10_000;
const DEFAULT_STORE_BACKOFF_MS = 5_000;
const STORE_PREFIX = "cache:";

export function createCache(options: CacheOptions): Cache {
  const { store, clock, logger } = options;
  const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const failureBackoffMs = options.failureBackoffMs ?? DEFAULT_FAILURE_BACKOFF_MS;
  const storeBackoffMs = options.storeBackoffMs ?? DEFAULT_STORE_BACKOFF_MS;
  /** Unix ms (clock) before which the store is not asked; 0 while it works. */
  let storeDownUntilMs = 0;
  const storeDown = () => storeDownUntilMs > clock.now().getTime();
  /** One warning per back-off period, however many requests meet the broken store. */
  function storeFailed(operation: string, key: string, error: unknown): void {
    const wasDown = storeDownUntilMs !== 0;
    storeDownUntilMs = clock.now().getTime() + storeBackoffMs;
    if (!wasDown) {
      logger.warn("cache store unavailable; answering from upstream without it", {
        operation,
        key,
        retryInSeconds: storeBackoffMs / 1000,
        error: describeError(error),
      });
    }
  }
  function storeWorked(): void {
    if (storeDownUntilMs !== 0) logger.info("cache store answering again");
    storeDownUntilMs = 0;
  }
  /** key -> the lookup in progress; the single-flight map. */
  const inFlight = new Map<string, Promise<CachedValue<unknown> | null>>();
  /** key -> Unix ms (clock) before which a failed key is not fetched again. */
  const failedUntilMs = new Map<string, number>();

  async function readEntry<T>(key: string): Promise<CacheEntry<T> | undefined> {
    if (storeDown()) return undefined;
    try {
      const entry = await store.get<CacheEntry<T>>(STORE_PREFIX + key);
      storeWorked();
      return entry;
    } catch (error) {
      // A broken store must not take live data down with it: treat it as a miss.
      storeFailed("read", key, error);
      return undefined;
    }
  }

  function judge<T>(entry: CacheEntry<T>, ttlMs: number): CachedValue<T> {
    const ageMs = clock.now().getTime() - entry.fetchedAtMs;
    return {
      value: entry.value,
      fetchedAt: new Date(entry.fetchedAtMs),
      status: ageMs < ttlMs ? "cached" : "stale",
    };
  }

  async function lookup<T>(
    key: string,
    ttlMs: number,
    fetch: () => Promise<T>,
  ): Promise<CachedValue<T> | null> {
    const entry = await readEntry<T>(key);
    if (entry !== undefined) {
      const judged = judge(entry, ttlMs);
      if (judged.status === "cached") return judged;
    }

    const nowMs = clock.now().getTime();
    if ((failedUntilMs.get(key) ?? 0) > nowMs) return entry === undefined ? null : judge(entry, ttlMs);

    try {
      const value = await fetch();
      const fetchedAtMs = clock.now().getTime();
      failedUntilMs.delete(key);
      if (!storeDown()) {
        try {
          await store.set<CacheEntry<T>>(STORE_PREFIX + key, { value, fetchedAtMs }, retentionMs);
        } catch (error) {
          storeFailed("write", key, error);
        }
      }
      return { value, fetchedAt: new Date(fetchedAtMs), status: "live" };
    } catch (error) {
      failedUntilMs.set(key, clock.now().getTime() + failureBackoffMs);
      if (entry === undefined) {
        logger.warn("upstream failed and nothing cached", { key, error: describeError(error) });
        return null;
      }
      const ageSeconds = Math.round((clock.now().getTime() - entry.fetchedAtMs) / 1000);
      logger.warn("upstream failed; serving stale value", { key, ageSeconds, error: describeError(error) });
      return judge(entry, ttlMs);
    }
  }

  return {
    cached<T>(key: string, ttlMs: number, fetch: () => Promise<T>) {
      const pending = inFlight.get(key);
      if (pending !== undefined) return pending as Promise<CachedValue<T> | null>;
      const started = lookup(key, ttlMs, fetch).finally(() => inFlight.delete(key));
      inFlight.set(key, started);
      return started;
    },

    async peek<T>(key: string, ttlMs: number) {
      const entry = await readEntry<T>(key);
      return entry === undefined ? null : judge(entry, ttlMs);
    },
  };
}

/** UpstreamErrors are built to be logged (kind, redacted URL); anything else is unexpected and is
 * logged by message only. */
function describeError(error: unknown): string {
  if (error instanceof UpstreamError) return error.message;
  if (error instanceof StoreUnavailableError) return `store unavailable: ${error.detail}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
