/** The digest service: the DigestPort the digest command talks to, and the loop that posts digests.
 *
 * How "exactly once" holds, with restarts and with several instances sharing one store:
 * - Every tick (when the next digest falls due, and at least once a second) each subscription's scheduled times in
 *   (checked-up-to, now] are due. checked-up-to only moves past times that are settled (posted by
 *   some instance, skipped, or the subscription disabled); it is kept in memory and persisted, so a
 *   restarted process starts from where it left off and sees what it missed or failed to post.
 * - A posted (chat, scheduled time) gets a sent mark, `digest:sent:<chat>:<time>`, and is never
 *   posted again. Before posting, an instance takes a short lease, `digest:lease:<chat>:<time>`, with
 *   the store's atomic claim (SET NX on Redis, one INSERT on SQLite); only the holder posts, the others
 *   look again a moment later and find the sent mark (or, if the holder failed, a free lease).
 * - A post that fails retryably after all attempts, or is given up for a shutdown, releases its lease
 *   and leaves checked-up-to before its time, so this instance (a minute later), another instance or
 *   a restarted process posts it. A process that dies holding a lease loses it when the lease expires.
 * - A missed time less than catchupSeconds old is posted late, once; older ones are skipped and
 *   logged. Sent marks are kept for that window (and a margin), as no time older is looked at.
 * One timer for all subscriptions (instead of a cron job each) keeps this reasoning in one place:
 * the cron library only answers "when", the store decides "who". */
import type { Registry } from "../core/command.ts";
import type {
  Clock,
  Deps,
  DigestPort,
  DigestSection,
  DigestSubscription,
  KeyValueStore,
  Logger,
  Messenger,
} from "../core/ports.ts";
import type { Reply } from "../core/reply.ts";
import { createDigestContent } from "./content.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type SendOutcome, sendWithRetry } from "./deliver.ts";
import { createLimiter } from "./limit.ts";
import { nextRuns, runsBetween, validateSchedule } from "./schedule.ts";
import {
  canonicalSections,
  chatKey,
  createSubscriptionRepository,
  type DigestPlatform,
  leaseKey,
  sentKey,
} from "./subscriptions.ts";

export interface DigestServiceOptions {
  store: KeyValueStore;
  /** The commands whose answers make up the sections. */
  registry: Registry;
  /** What those commands need; deps.digest is not used. */
  deps: Deps;
  /** One per configured platform; subscriptions of other platforms are left to other instances. */
  messengers: readonly Messenger[];
  clock: Clock;
  logger: Logger;
  /** DIGEST_MIN_INTERVAL_SECONDS: schedules firing more often are refused. */
  minIntervalSeconds: number;
  /** DIGEST_CATCHUP_SECONDS: how old a missed time may be and still be posted. */
  catchupSeconds: number;
  /** Names this process in log lines, to tell instances apart. */
  instanceId: string;
  /** The longest the loop sleeps between looks (it wakes earlier when a digest falls due). Default 1000. */
  tickIntervalMs?: number;
  /** How often the subscription list is re-read, to see changes made through other instances.
   * Default 5000; 0 re-reads on every tick. Changes made through this instance apply at once. */
  refreshIntervalMs?: number;
  /** Posts in flight at once, across chats. Default 16. */
  maxConcurrentDeliveries?: number;
  retry?: Partial<RetryPolicy>;
  /** How long a lease on one delivery lasts. Default 5 min: far longer than a post and its retries
   * take (their waits are held to half of it), short enough that a time held by a process that died
   * is posted by another soon after. */
  leaseTtlMs?: number;
  /** Waits between retries; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

export interface TickReport {
  delivered: number;
  /** Being posted by another instance, or already posted (by another instance or before a restart). */
  claimedElsewhere: number;
  /** Missed by more than the catch-up window. */
  skipped: number;
  /** Not posted: retried later, or the subscription disabled for a permanent failure. */
  failed: number;
}

export interface DigestService extends DigestPort {
  /** Loads subscriptions, catches up what was missed, then ticks every tickIntervalMs. */
  start(): Promise<void>;
  /** Stops ticking and waits for the posts in flight; queued ones are left unclaimed. */
  stop(): Promise<void>;
  /** Finds and posts what is due at `now` (default clock.now()), resolving when those posts are done.
   * The loop calls it without waiting for the posts; tests call it with a fake clock. */
  tick(now?: Date): Promise<TickReport>;
}

const DEFAULT_LEASE_TTL_MS = 5 * 60 * 1000;
/** Sent marks outlive the catch-up window by this much, for clocks that differ between instances. */
const SENT_MARK_MARGIN_MS = 24 * 3600 * 1000;
/** After a post failed retryably on every attempt, the platform gets this long before the next try. */
const RETRY_FAILED_AFTER_MS = 60 * 1000;
/** Another instance holds the lease: it is usually done within moments, so look again soon. */
const RECHECK_LEASED_AFTER_MS = 1000;
/** Shared content is kept this long after a chat last asked for it; that covers retries and the
 * chats queued behind a burst. */
const CONTENT_RETENTION_MS = 15 * 60 * 1000;
const NEXT_RUNS_SHOWN = 3;
/** The shortest pause between ticks, so a timer that fires a hair early cannot spin. */
const MIN_TICK_GAP_MS = 10;

type DeliveryResult =
  | "delivered"
  /** A sent mark exists: posted by another instance, or by this one before a restart. */
  | "already_sent"
  /** Another instance holds the lease; not settled until it has posted. */
  | "leased_elsewhere"
  /** Unsubscribed or changed meanwhile. */
  | "superseded"
  /** Not posted (a retryable failure, or given up for a shutdown); the lease was released. */
  | "retry_later"
  /** Shutting down: left unclaimed for a restarted process or another instance. */
  | "stopped"
  | "disabled";

/** Results after which checked-up-to may move past the time. */
const SETTLED: ReadonlySet<DeliveryResult> = new Set(["delivered", "already_sent", "disabled"]);

/** What this instance knows about one chat's subscription. */
interface Tracked {
  subscription: DigestSubscription;
  /** Every scheduled time at or before this is settled. */
  checkedUpToMs: number;
  /** The first scheduled time after checkedUpToMs (Infinity when the schedule never fires again). */
  nextDueMs: number;
  /** A delivery for this chat is in flight; the next one waits, so posts stay in order. */
  busy: boolean;
}

export function createDigestService(options: DigestServiceOptions): DigestService {
  const { store, clock, logger, instanceId } = options;
  const catchupMs = options.catchupSeconds * 1000;
  const refreshIntervalMs = options.refreshIntervalMs ?? 5000;
  const tickIntervalMs = options.tickIntervalMs ?? 1000;
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  const sentMarkTtlMs = catchupMs + SENT_MARK_MARGIN_MS;
  // The waits may take half the lease; the other half is left for the sends themselves.
  const retryPolicy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    maxTotalWaitMs: leaseTtlMs / 2,
    ...options.retry,
  };
  /** Aborted by stop(): retry waits end at once and no further attempt is made. */
  let stopSignal = new AbortController();
  const sleep = options.sleep ?? ((ms: number) => sleepUnlessStopped(ms, stopSignal.signal));
  const stopping = () => stopSignal.signal.aborted;
  const messengers = new Map(options.messengers.map((m) => [m.platform, m]));
  const repo = createSubscriptionRepository(store, (key, problem) =>
    logger.warn("digest: skipping a malformed subscription", { key, problem, instanceId }),
  );
  const content = createDigestContent({ registry: options.registry, deps: options.deps });
  const limit = createLimiter(options.maxConcurrentDeliveries ?? 16);

  const tracked = new Map<string, Tracked>();
  let lastRefreshMs = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  /** Scheduled times skipped as too old, for tick reports. */
  let skippedCount = 0;
  const inFlight = new Set<Promise<unknown>>();

  // ---- what this instance knows ----

  function track(subscription: DigestSubscription, floorMs: number): Tracked {
    const key = chatKey(subscription.platform, subscription.chatId);
    const existing = tracked.get(key);
    const sameVersion = existing?.subscription.updatedAt === subscription.updatedAt;
    // A changed subscription starts afresh from its update time; the same one never moves back.
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

  function setCheckedUpTo(entry: Tracked, atMs: number): void {
    entry.checkedUpToMs = atMs;
    const { schedule, tz } = entry.subscription;
    entry.nextDueMs = nextRuns(schedule, tz, new Date(atMs), 1)[0]?.getTime() ?? Number.POSITIVE_INFINITY;
  }

  /** Re-reads subscriptions and watermarks, picking up changes made through other instances. */
  async function refresh(now: Date): Promise<void> {
    const [subscriptions, marks] = await Promise.all([repo.list(), repo.allCheckedUpTo()]);
    const present = new Set<string>();
    for (const subscription of subscriptions) {
      const key = chatKey(subscription.platform, subscription.chatId);
      present.add(key);
      const floorMs = Math.max(marks.get(key)?.getTime() ?? 0, Date.parse(subscription.updatedAt));
      track(subscription, floorMs);
    }
    for (const key of tracked.keys()) if (!present.has(key)) tracked.delete(key);
    lastRefreshMs = now.getTime();
  }

  // ---- the loop ----

  /** Finds what is due and starts delivering it; returns the deliveries without waiting for them. */
  async function plan(now: Date): Promise<Array<Promise<DeliveryResult[]>>> {
    if (now.getTime() - lastRefreshMs >= refreshIntervalMs) await refresh(now);
    content.prune(new Date(now.getTime() - CONTENT_RETENTION_MS));
    const jobs: Array<Promise<DeliveryResult[]>> = [];
    for (const entry of tracked.values()) {
      const { subscription } = entry;
      if (!subscription.enabled || entry.busy || entry.nextDueMs > now.getTime()) continue;
      if (!messengers.has(subscription.platform)) continue;
      // checked-up-to moves when the deliveries are settled (deliverAll); busy keeps this chat out of
      // the ticks until then.
      const due = dueTimes(entry, now);
      entry.busy = true;
      const job = deliverAll(entry, due, now).finally(() => {
        entry.busy = false;
        // Its next time may be close (a catch-up post ran into the following one).
        wakeLoopEarly();
      });
      jobs.push(job);
    }
    return jobs;
  }

  /** The times in (checkedUpTo, now] still worth posting; older ones are logged and dropped. */
  function dueTimes(entry: Tracked, now: Date): Date[] {
    const { platform, chatId, schedule, tz } = entry.subscription;
    const cutoffMs = now.getTime() - catchupMs;
    if (entry.nextDueMs <= cutoffMs) {
      const missed = runsBetween(schedule, tz, new Date(entry.checkedUpToMs), new Date(cutoffMs));
      logger.warn("digest: skipped scheduled times older than the catch-up window", {
        platform,
        chatId,
        // Counted, not listed: a long outage of a frequent schedule misses thousands.
        skipped: missed.length,
        first: missed[0]?.toISOString(),
        last: missed.at(-1)?.toISOString(),
        catchupSeconds: options.catchupSeconds,
        instanceId,
      });
      skippedCount += missed.length;
    }
    return runsBetween(schedule, tz, new Date(Math.max(entry.checkedUpToMs, cutoffMs)), now);
  }

  /** One chat's due times, oldest first, then its checked-up-to mark moved past those that settled.
   * It stops at the first time that did not settle: posts stay in order, and that time and the ones
   * after it are looked at again (after a pause) by this instance, another one or a restart. */
  async function deliverAll(
    entry: Tracked,
    due: readonly Date[],
    plannedAt: Date,
  ): Promise<DeliveryResult[]> {
    const results: DeliveryResult[] = [];
    const subscription = entry.subscription;
    let settledUpTo = plannedAt;
    let unsettled: DeliveryResult | undefined;
    for (const scheduledAt of due) {
      const result = await limit(() => deliverOne(entry, subscription, scheduledAt));
      results.push(result);
      if (result === "superseded" || result === "disabled") break;
      if (!SETTLED.has(result)) {
        settledUpTo = new Date(scheduledAt.getTime() - 1);
        unsettled = result;
        break;
      }
    }

    if (entry.subscription.updatedAt === subscription.updatedAt) {
      // A refresh may have moved the mark on meanwhile (another instance settled these times).
      setCheckedUpTo(entry, Math.max(entry.checkedUpToMs, settledUpTo.getTime()));
      if (unsettled !== undefined) {
        const pauseMs = unsettled === "leased_elsewhere" ? RECHECK_LEASED_AFTER_MS : RETRY_FAILED_AFTER_MS;
        entry.nextDueMs = Math.max(entry.nextDueMs, clock.now().getTime() + pauseMs);
      }
    }
    // Unsubscribed or changed meanwhile: its new state has its own watermark (or none). This version
    // is done with in memory until the next refresh replaces it.
    if (results.at(-1) === "superseded") return results;
    // Nothing settled, nothing to save; the stored mark is before the unsettled time already.
    if (unsettled !== undefined && results.length === 1) return results;
    await repo.setCheckedUpTo(subscription.platform, subscription.chatId, settledUpTo).catch((error) =>
      logger.error("digest: could not save the checked-up-to mark", {
        platform: subscription.platform,
        chatId: subscription.chatId,
        error: String(error),
        instanceId,
      }),
    );
    return results;
  }

  async function deliverOne(
    entry: Tracked,
    subscription: DigestSubscription,
    scheduledAt: Date,
  ): Promise<DeliveryResult> {
    const { platform, chatId } = subscription;
    const fields = { platform, chatId, scheduledAt: scheduledAt.toISOString(), instanceId };
    const lease = leaseKey(platform, chatId, scheduledAt);
    const sent = sentKey(platform, chatId, scheduledAt);
    // Shutting down: leave the time unclaimed for a restarted process or another instance, rather
    // than making stop() wait for every queued post.
    if (stopping()) return "stopped";
    let leased = false;
    let outcome: SendOutcome;
    try {
      // The user may have unsubscribed or changed the schedule through any instance since this
      // instance last read the list; the stored subscription is the truth.
      const current = await repo.get(platform, chatId);
      if (!current?.enabled || current.updatedAt !== subscription.updatedAt) return "superseded";
      if (await store.get(sent)) return "already_sent";
      if (stopping()) return "stopped";
      if (!(await store.claim(lease, leaseTtlMs))) return "leased_elsewhere";
      leased = true;
      // Looked at again under the lease: the previous holder may have posted and its lease expired
      // between the first look and the claim.
      if (await store.get(sent)) return "already_sent";

      const reply = await content.forScheduledTime(scheduledAt, subscription.sections);
      const messenger = messengers.get(platform)!;
      outcome = await sendWithRetry(
        () => messenger.send(chatId, reply),
        retryPolicy,
        sleep,
        (attempt, delayMs, reason) =>
          logger.warn("digest: post failed, retrying", { ...fields, attempt, delayMs, reason }),
        stopping,
      );
    } catch (error) {
      logger.error("digest: delivery failed; will try this time again", {
        ...fields,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      if (leased) await releaseLease(lease, fields);
      return "retry_later";
    }

    if (outcome.ok) {
      await recordSent(subscription, sent, fields);
      logger.info("digest: posted", {
        ...fields,
        attempts: outcome.attempts,
        lateMs: clock.now().getTime() - scheduledAt.getTime(),
      });
      return "delivered";
    }
    if (outcome.permanent) {
      await disable(entry, subscription, outcome.reason, fields);
      return "disabled";
    }
    logger.error("digest: not posted after retries; will try this time again", {
      ...fields,
      attempts: outcome.attempts,
      reason: outcome.reason,
      retryInMs: RETRY_FAILED_AFTER_MS,
    });
    await releaseLease(lease, fields);
    return "retry_later";
  }

  /** After a post went out nothing may make it look unposted: store errors here are logged, not
   * thrown, and the lease is kept until it expires, so no one posts the time again meanwhile. */
  async function recordSent(
    { platform, chatId }: DigestSubscription,
    sent: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    try {
      await store.set(sent, true, sentMarkTtlMs);
      await repo.setLastDeliveredAt(platform, chatId, clock.now());
    } catch (error) {
      logger.error("digest: posted, but could not record it", { ...fields, error: String(error) });
    }
  }

  async function releaseLease(lease: string, fields: Record<string, unknown>): Promise<void> {
    // If this fails the lease still expires; the time is posted a few minutes later than it could be.
    await store
      .delete(lease)
      .catch((error) =>
        logger.error("digest: could not release a delivery lease", { ...fields, error: String(error) }),
      );
  }

  async function disable(
    entry: Tracked,
    subscription: DigestSubscription,
    reason: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    try {
      await repo.disable(subscription, reason, clock.now());
    } catch (error) {
      // Still settled: this instance stops posting to the chat; another may try and disable it.
      logger.error("digest: could not save a disabled subscription", { ...fields, error: String(error) });
    }
    if (entry.subscription.updatedAt === subscription.updatedAt) {
      entry.subscription = { ...subscription, enabled: false, disabledReason: reason };
    }
    logger.error("digest: subscription disabled after a permanent delivery failure", { ...fields, reason });
  }

  async function tick(now: Date = clock.now()): Promise<TickReport> {
    const skippedBefore = skippedCount;
    const results = (await Promise.all(await plan(now))).flat();
    const count = (result: DeliveryResult) => results.filter((r) => r === result).length;
    return {
      delivered: count("delivered"),
      claimedElsewhere: count("leased_elsewhere") + count("already_sent"),
      skipped: skippedCount - skippedBefore,
      failed: count("retry_later") + count("disabled"),
    };
  }

  /** The production loop: plans each tick, lets deliveries run on while the next tick comes. */
  async function loop(): Promise<void> {
    if (!running) return;
    timer = undefined;
    try {
      for (const job of await plan(clock.now())) {
        inFlight.add(job);
        void job.finally(() => inFlight.delete(job));
      }
    } catch (error) {
      // A store hiccup costs one tick; the watermark was not advanced, so nothing is lost.
      logger.error("digest: tick failed", { error: String(error), instanceId });
    }
    if (!running) return;
    timer = setTimeout(loop, delayToNextTickMs(clock.now().getTime()));
    timer.unref();
  }

  /** A new subscription may fall due before the sleeping loop would wake. While a tick runs there is
   * no timer, and that tick computes its own wake-up, so there is never a second loop. */
  function wakeLoopEarly(): void {
    if (!running || timer === undefined) return;
    clearTimeout(timer);
    timer = setTimeout(loop, delayToNextTickMs(clock.now().getTime()));
    timer.unref();
  }

  /** Wakes up when the next digest falls due rather than on a fixed beat, so posts go out within
   * milliseconds of their time; never sleeps longer than tickIntervalMs, so changes made through
   * other instances and chats whose post was in flight are looked at again soon. */
  function delayToNextTickMs(nowMs: number): number {
    let earliestDueMs = Number.POSITIVE_INFINITY;
    for (const entry of tracked.values()) {
      if (entry.subscription.enabled && !entry.busy && messengers.has(entry.subscription.platform)) {
        earliestDueMs = Math.min(earliestDueMs, entry.nextDueMs);
      }
    }
    return Math.min(tickIntervalMs, Math.max(MIN_TICK_GAP_MS, earliestDueMs - nowMs));
  }

  // ---- the port ----

  function upcoming(subscription: DigestSubscription, now: Date): string[] {
    return nextRuns(subscription.schedule, subscription.tz, now, NEXT_RUNS_SHOWN).map((d) => d.toISOString());
  }

  return {
    async subscribe(input) {
      const now = clock.now();
      const valid = validateSchedule(input.schedule, input.tz, options.minIntervalSeconds, now);
      const { subscription, created } = await repo.upsert({ ...input, ...valid }, now);
      track(subscription, now.getTime());
      wakeLoopEarly();
      logger.info("digest: subscribed", {
        platform: input.platform,
        chatId: input.chatId,
        created,
        schedule: valid.schedule,
        tz: valid.tz,
        instanceId,
      });
      return { subscription, created, nextRuns: upcoming(subscription, now) };
    },

    async unsubscribe(platform: DigestPlatform, chatId: string) {
      tracked.delete(chatKey(platform, chatId));
      return repo.remove(platform, chatId);
    },

    async status(platform: DigestPlatform, chatId: string) {
      const subscription = await repo.get(platform, chatId);
      const lastDeliveredAt = await repo.lastDeliveredAt(platform, chatId);
      return {
        ...(subscription ? { subscription } : {}),
        nextRuns: subscription?.enabled ? upcoming(subscription, clock.now()) : [],
        ...(lastDeliveredAt ? { lastDeliveredAt } : {}),
      };
    },

    preview(sections: DigestSection[]): Promise<Reply> {
      return content.build(canonicalSections(sections));
    },

    async start() {
      if (running) return;
      if (messengers.size === 0)
        throw new Error("the digest service needs at least one messenger to post with");
      running = true;
      stopSignal = new AbortController();
      await refresh(clock.now());
      logger.info("digest: scheduler started", { subscriptions: tracked.size, instanceId });
      await loop();
    },

    async stop() {
      running = false;
      stopSignal.abort();
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.allSettled([...inFlight]);
    },

    tick,
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
