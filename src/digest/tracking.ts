/** The schedule index of the in-process queue: what this instance knows about each chat's
 * subscription, how far its scheduled times are settled, and which time is due next. Pure apart
 * from the logger; "now" is always passed in.
 *
 * Catch-up posts once: after downtime, of the times missed since checked-up-to only the latest
 * inside the catch-up window is posted; older ones are skipped and logged (counted, not listed). */
import type { DigestSubscription, Logger } from "../core/ports.ts";
import { nextRuns, runsBetween } from "./schedule.ts";
import { chatKey } from "./subscriptions.ts";

/** What this instance knows about one chat's subscription. */
export interface Tracked {
  subscription: DigestSubscription;
  /** Every scheduled time at or before this is settled. */
  checkedUpToMs: number;
  /** The first scheduled time after checkedUpToMs (Infinity when the schedule never fires again). */
  nextDueMs: number;
  /** A delivery for this chat is in flight; the next one waits, so posts stay in order. */
  busy: boolean;
}

export interface DuePlan {
  /** The one time to post now, if any: the latest due time inside the catch-up window. */
  post: Date | undefined;
  /** Times passed over: older than the window, or older than a later due time. */
  skipped: number;
}

export interface ScheduleIndex {
  /** Starts tracking a subscription, or updates it. A changed subscription (another updatedAt) starts
   * afresh from floorMs; the same one never moves back. */
  track(subscription: DigestSubscription, floorMs: number): Tracked;
  untrack(platform: DigestSubscription["platform"], chatId: string): void;
  /** Replaces what is tracked with the stored list (the subscriptions and their watermarks). */
  replaceAll(subscriptions: readonly DigestSubscription[], checkedUpTo: ReadonlyMap<string, Date>): void;
  setCheckedUpTo(entry: Tracked, atMs: number): void;
  /** Subscriptions with a time due at nowMs that nothing is delivering yet. */
  due(nowMs: number, canPost: (subscription: DigestSubscription) => boolean): Tracked[];
  /** What to post for a due entry, logging the times skipped. */
  planFor(entry: Tracked, now: Date): DuePlan;
  /** The earliest time any postable entry falls due (Infinity: none). */
  earliestDueMs(canPost: (subscription: DigestSubscription) => boolean): number;
  readonly size: number;
}

export function createScheduleIndex(options: {
  catchupSeconds: number;
  logger: Logger;
  instanceId: string;
}): ScheduleIndex {
  const { logger, instanceId } = options;
  const catchupMs = options.catchupSeconds * 1000;
  const tracked = new Map<string, Tracked>();

  function setCheckedUpTo(entry: Tracked, atMs: number): void {
    entry.checkedUpToMs = atMs;
    const { schedule, tz } = entry.subscription;
    entry.nextDueMs = nextRuns(schedule, tz, new Date(atMs), 1)[0]?.getTime() ?? Number.POSITIVE_INFINITY;
  }

  function track(subscription: DigestSubscription, floorMs: number): Tracked {
    const key = chatKey(subscription.platform, subscription.chatId);
    const existing = tracked.get(key);
    const sameVersion = existing?.subscription.updatedAt === subscription.updatedAt;
    const checkedUpToMs = existing && sameVersion ? Math.max(existing.checkedUpToMs, floorMs) : floorMs;
    if (existing && sameVersion && checkedUpToMs === existing.checkedUpToMs) {
      existing.subscription = subscription; // enabled may have changed elsewhere
      return existing;
    }
    const entry: Tracked = existing ?? { subscription, checkedUpToMs, nextDueMs: 0, busy: false };
    entry.subscription = subscription;
    setCheckedUpTo(entry, checkedUpToMs);
    tracked.set(key, entry);
    return entry;
  }

  return {
    track,
    setCheckedUpTo,

    untrack(platform, chatId) {
      tracked.delete(chatKey(platform, chatId));
    },

    replaceAll(subscriptions, checkedUpTo) {
      const present = new Set<string>();
      for (const subscription of subscriptions) {
        const key = chatKey(subscription.platform, subscription.chatId);
        present.add(key);
        const floorMs = Math.max(checkedUpTo.get(key)?.getTime() ?? 0, Date.parse(subscription.updatedAt));
        track(subscription, floorMs);
      }
      for (const key of tracked.keys()) if (!present.has(key)) tracked.delete(key);
    },

    due(nowMs, canPost) {
      const due: Tracked[] = [];
      for (const entry of tracked.values()) {
        if (!entry.subscription.enabled || entry.busy || entry.nextDueMs > nowMs) continue;
        if (canPost(entry.subscription)) due.push(entry);
      }
      return due;
    },

    planFor(entry, now) {
      const { platform, chatId, schedule, tz } = entry.subscription;
      const cutoffMs = now.getTime() - catchupMs;
      const common = { platform, chatId, catchupSeconds: options.catchupSeconds, instanceId };
      let skipped = 0;
      if (entry.nextDueMs <= cutoffMs) {
        const old = runsBetween(schedule, tz, new Date(entry.checkedUpToMs), new Date(cutoffMs));
        logger.warn("digest: skipped scheduled times older than the catch-up window", {
          ...common,
          // Counted, not listed: a long outage of a frequent schedule misses thousands.
          skipped: old.length,
          first: old[0]?.toISOString(),
          last: old.at(-1)?.toISOString(),
        });
        skipped += old.length;
      }
      const inWindow = runsBetween(schedule, tz, new Date(Math.max(entry.checkedUpToMs, cutoffMs)), now);
      const post = inWindow.at(-1);
      if (inWindow.length > 1) {
        const older = inWindow.slice(0, -1);
        logger.warn("digest: missed several times; posting only the latest", {
          ...common,
          skipped: older.length,
          first: older[0]?.toISOString(),
          last: older.at(-1)?.toISOString(),
          posting: post?.toISOString(),
        });
        skipped += older.length;
      }
      return { post, skipped };
    },

    earliestDueMs(canPost) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const entry of tracked.values()) {
        if (entry.subscription.enabled && !entry.busy && canPost(entry.subscription)) {
          earliest = Math.min(earliest, entry.nextDueMs);
        }
      }
      return earliest;
    },

    get size() {
      return tracked.size;
    },
  };
}
