/** The in-process DigestQueue: one timer for all subscriptions over the schedule index, deliveries
 * claimed with leases and sent marks in the store (any store: SQLite, memory, or Redis when BullMQ
 * is not used). See scheduler.ts for why each time is posted exactly once. */
import type { DigestSubscription } from "../core/ports.ts";
import { createDeliverer, type DeliveryResult, SETTLED } from "./claims.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./deliver.ts";
import { createLimiter } from "./limit.ts";
import { createLoop } from "./loop.ts";
import { type DigestQueue, type QueueParts, SENT_MARK_MARGIN_MS } from "./queue.ts";
import { createScheduleIndex, type DuePlan, type Tracked } from "./tracking.ts";

export interface InProcessQueueOptions {
  /** The longest the loop sleeps between looks (it wakes earlier when a digest falls due). Default 1000. */
  tickIntervalMs?: number;
  /** How often the subscription list is re-read, to see changes made through other instances.
   * Default 5000; 0 re-reads on every tick. Changes made through this instance apply at once. */
  refreshIntervalMs?: number;
  /** Posts in flight at once, across chats. Default 16. */
  maxConcurrentDeliveries?: number;
  /** How long a lease on one delivery lasts. Default 5 min: far longer than a post and its retries
   * take (their waits are held to half of it), short enough that a time held by a process that died
   * is posted by another soon after. */
  leaseTtlMs?: number;
}

export interface TickReport {
  delivered: number;
  /** Being posted by another instance, or already posted (by another instance or before a restart). */
  claimedElsewhere: number;
  /** Missed by more than the catch-up window, or passed over for a later missed time. */
  skipped: number;
  /** Not posted: retried later, or the subscription disabled for a permanent failure. */
  failed: number;
}

export interface InProcessQueue extends DigestQueue {
  /** Finds and posts what is due at `now` (default clock.now()), resolving when those posts are done.
   * The loop calls it without waiting for the posts; tests call it with a fake clock. */
  tick(now?: Date): Promise<TickReport>;
}

const DEFAULT_LEASE_TTL_MS = 5 * 60 * 1000;
/** After a post failed retryably on every attempt, the platform gets this long before the next try. */
const RETRY_FAILED_AFTER_MS = 60 * 1000;
/** Another instance holds the lease: it is usually done within moments, so look again soon. */
const RECHECK_LEASED_AFTER_MS = 1000;
/** Shared content is kept this long after a chat last asked for it; that covers retries and the
 * chats queued behind a burst. */
const CONTENT_RETENTION_MS = 15 * 60 * 1000;

export function createInProcessQueue(parts: QueueParts, options: InProcessQueueOptions = {}): InProcessQueue {
  const { repo, content, clock, logger, instanceId, messengers } = parts;
  const refreshIntervalMs = options.refreshIntervalMs ?? 5000;
  const tickIntervalMs = options.tickIntervalMs ?? 1000;
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  // The waits may take half the lease; the other half is left for the sends themselves.
  const retryPolicy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxTotalWaitMs: leaseTtlMs / 2,
    ...parts.retry,
  };
  /** Aborted by stop(): retry waits end at once and no further attempt is made. */
  let stopSignal = new AbortController();
  const stopping = () => stopSignal.signal.aborted;
  const deliver = createDeliverer({
    store: parts.store,
    repo,
    content,
    messengers,
    clock,
    logger,
    instanceId,
    retryPolicy,
    sleep: parts.sleep ?? ((ms) => sleepUnlessStopped(ms, stopSignal.signal)),
    stopping,
    leaseTtlMs,
    sentMarkTtlMs: parts.catchupSeconds * 1000 + SENT_MARK_MARGIN_MS,
  });
  const index = createScheduleIndex({ catchupSeconds: parts.catchupSeconds, logger, instanceId });
  const limit = createLimiter(options.maxConcurrentDeliveries ?? 16);
  const canPost = (subscription: DigestSubscription) => messengers.has(subscription.platform);
  const inFlight = new Set<Promise<unknown>>();
  let lastRefreshMs = Number.NEGATIVE_INFINITY;
  let skippedCount = 0;

  const loop = createLoop({
    instanceId,
    logger,
    async pass() {
      for (const job of await plan(clock.now())) {
        inFlight.add(job);
        void job.finally(() => inFlight.delete(job));
      }
      return delayToNextTickMs();
    },
  });

  /** Re-reads subscriptions and watermarks, picking up changes made through other instances. */
  async function refresh(now: Date): Promise<void> {
    const [subscriptions, marks] = await Promise.all([repo.list(), repo.allCheckedUpTo()]);
    index.replaceAll(subscriptions, marks);
    lastRefreshMs = now.getTime();
  }

  /** Finds what is due and starts delivering it; returns the deliveries without waiting for them. */
  async function plan(now: Date): Promise<Array<Promise<DeliveryResult | undefined>>> {
    if (now.getTime() - lastRefreshMs >= refreshIntervalMs) await refresh(now);
    content.prune(new Date(now.getTime() - CONTENT_RETENTION_MS));
    return index.due(now.getTime(), canPost).map((entry) => {
      const due = index.planFor(entry, now);
      skippedCount += due.skipped;
      // busy keeps this chat out of the ticks until its delivery has settled.
      entry.busy = true;
      return deliverDue(entry, due, now).finally(() => {
        entry.busy = false;
        // Its next time may be close (a catch-up post ran into the following one).
        loop.wake(delayToNextTickMs());
      });
    });
  }

  /** Posts one chat's due time, then moves its checked-up-to mark past it if it settled. A time that
   * did not settle is looked at again (after a pause) by this instance, another one or a restart. */
  async function deliverDue(
    entry: Tracked,
    { post, skipped }: DuePlan,
    plannedAt: Date,
  ): Promise<DeliveryResult | undefined> {
    const subscription = entry.subscription;
    const result = post ? (await limit(() => deliver(subscription, post))).result : undefined;
    const settled = result === undefined || SETTLED.has(result);
    const settledUpTo = settled ? plannedAt : new Date(post!.getTime() - 1);
    if (result === "disabled" && entry.subscription.updatedAt === subscription.updatedAt) {
      entry.subscription = { ...subscription, enabled: false };
    }
    if (entry.subscription.updatedAt === subscription.updatedAt) {
      // A refresh may have moved the mark on meanwhile (another instance settled these times).
      index.setCheckedUpTo(entry, Math.max(entry.checkedUpToMs, settledUpTo.getTime()));
      if (!settled) {
        const pauseMs = result === "leased_elsewhere" ? RECHECK_LEASED_AFTER_MS : RETRY_FAILED_AFTER_MS;
        entry.nextDueMs = Math.max(entry.nextDueMs, clock.now().getTime() + pauseMs);
      }
    }
    // Unsubscribed or changed meanwhile: its new state has its own watermark (or none).
    if (result === "superseded") return result;
    // Not settled and nothing skipped: the stored mark is before this time already.
    if (!settled && skipped === 0) return result;
    await repo.setCheckedUpTo(subscription.platform, subscription.chatId, settledUpTo).catch((error) =>
      logger.error("digest: could not save the checked-up-to mark", {
        platform: subscription.platform,
        chatId: subscription.chatId,
        error: String(error),
        instanceId,
      }),
    );
    return result;
  }

  /** Wakes up when the next digest falls due rather than on a fixed beat, so posts go out within
   * milliseconds of their time; never sleeps longer than tickIntervalMs, so changes made through
   * other instances and chats whose post was in flight are looked at again soon. */
  function delayToNextTickMs(): number {
    const earliestDueMs = index.earliestDueMs(canPost);
    return Math.min(tickIntervalMs, earliestDueMs - clock.now().getTime());
  }

  return {
    kind: "in-process",

    async scheduled(subscription) {
      index.track(subscription, Date.parse(subscription.updatedAt));
      loop.wake(delayToNextTickMs());
    },

    async unscheduled(platform, chatId) {
      index.untrack(platform, chatId);
    },

    async tick(now = clock.now()) {
      const skippedBefore = skippedCount;
      const results = await Promise.all(await plan(now));
      const count = (result: DeliveryResult) => results.filter((r) => r === result).length;
      return {
        delivered: count("delivered"),
        claimedElsewhere: count("leased_elsewhere") + count("already_sent"),
        skipped: skippedCount - skippedBefore,
        failed: count("retry_later") + count("disabled"),
      };
    },

    async start() {
      stopSignal = new AbortController();
      await refresh(clock.now());
      logger.info("digest: scheduler started", {
        queue: "in-process",
        subscriptions: index.size,
        instanceId,
      });
      await loop.start();
    },

    async stop() {
      loop.stop();
      stopSignal.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}

function sleepUnlessStopped(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
