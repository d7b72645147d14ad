/** Claims and delivery: posting one (chat, scheduled time) at most once, whoever asks.
 *
 * A delivery reads the stored subscription (the truth, whichever instance changed it), looks for the
 * time's sent mark, optionally takes the time's lease (the in-process queue's claim; on BullMQ the
 * job's lock is the claim), builds the shared content, sends with retries, and records the sent mark.
 * It never throws: every way it can end is a DeliveryResult the caller decides on. */
import type { Clock, DigestSubscription, KeyValueStore, Logger, Messenger } from "../core/ports.ts";
import type { DigestContent } from "./content.ts";
import { type RetryPolicy, type SendOutcome, sendWithRetry } from "./deliver.ts";
import { leaseKey, type SubscriptionRepository, sentKey } from "./subscriptions.ts";

export type DeliveryResult =
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

/** Results after which a time counts as done with: nobody needs to look at it again. */
export const SETTLED: ReadonlySet<DeliveryResult> = new Set(["delivered", "already_sent", "disabled"]);

export interface DelivererOptions {
  store: KeyValueStore;
  repo: SubscriptionRepository;
  content: DigestContent;
  messengers: ReadonlyMap<string, Messenger>;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  retryPolicy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  /** True once the process shuts down: no new claim is taken and retries end. */
  stopping: () => boolean;
  /** How long a lease lasts; undefined: no lease is taken (the caller's queue holds the claim). */
  leaseTtlMs: number | undefined;
  /** Sent marks are kept this long: as long as the time can come up again. */
  sentMarkTtlMs: number;
}

export interface Delivery {
  result: DeliveryResult;
  /** For "retry_later" and "disabled": what the platform said. */
  reason?: string;
  /** For "retry_later": the platform asked to wait this long (429 retry_after). */
  retryAfterMs?: number;
}

export type Deliverer = (subscription: DigestSubscription, scheduledAt: Date) => Promise<Delivery>;

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { store, repo, content, messengers, clock, logger, instanceId, stopping } = options;

  return async function deliver(subscription, scheduledAt) {
    const { platform, chatId } = subscription;
    const fields = { platform, chatId, scheduledAt: scheduledAt.toISOString(), instanceId };
    const lease = leaseKey(platform, chatId, scheduledAt);
    const sent = sentKey(platform, chatId, scheduledAt);
    // Shutting down: leave the time unclaimed for a restarted process or another instance, rather
    // than making stop() wait for every queued post.
    if (stopping()) return { result: "stopped" };
    let leased = false;
    let outcome: SendOutcome;
    try {
      // The user may have unsubscribed or changed the schedule through any instance since this
      // instance last read the list; the stored subscription is the truth.
      const current = await repo.get(platform, chatId);
      if (!current?.enabled || current.updatedAt !== subscription.updatedAt) return { result: "superseded" };
      if (await store.get(sent)) return { result: "already_sent" };
      if (stopping()) return { result: "stopped" };
      if (options.leaseTtlMs !== undefined) {
        if (!(await store.claim(lease, options.leaseTtlMs))) return { result: "leased_elsewhere" };
        leased = true;
        // Looked at again under the lease: the previous holder may have posted and its lease
        // expired between the first look and the claim.
        if (await store.get(sent)) return { result: "already_sent" };
      }

      const reply = await content.forScheduledTime(scheduledAt, subscription.sections);
      const messenger = messengers.get(platform);
      if (!messenger) throw new Error(`no ${platform} messenger in this instance`);
      outcome = await sendWithRetry(
        () => messenger.send(chatId, reply),
        options.retryPolicy,
        options.sleep,
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
      return { result: "retry_later", reason: String(error) };
    }

    if (outcome.ok) {
      await recordSent(subscription, sent, fields);
      logger.info("digest: posted", {
        ...fields,
        attempts: outcome.attempts,
        lateMs: clock.now().getTime() - scheduledAt.getTime(),
      });
      return { result: "delivered" };
    }
    if (outcome.permanent) {
      await disable(subscription, outcome.reason, fields);
      return { result: "disabled", reason: outcome.reason };
    }
    logger.error("digest: not posted after retries; will try this time again", {
      ...fields,
      attempts: outcome.attempts,
      reason: outcome.reason,
    });
    if (leased) await releaseLease(lease, fields);
    return {
      result: "retry_later",
      reason: outcome.reason,
      ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    };
  };

  /** After a post went out nothing may make it look unposted: store errors here are logged, not
   * thrown, and the lease is kept until it expires, so no one posts the time again meanwhile. */
  async function recordSent(
    { platform, chatId }: DigestSubscription,
    sent: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    try {
      await store.set(sent, true, options.sentMarkTtlMs);
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
    logger.error("digest: subscription disabled after a permanent delivery failure", { ...fields, reason });
  }
}
