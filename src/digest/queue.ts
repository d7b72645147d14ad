/** The DigestQueue port: whatever turns subscriptions into posts at their scheduled times. Two
 * implementations keep the same promises (test/digest/queue-contract.ts checks both):
 *   in-process (in-process-queue.ts)  one process, any store (SQLite by default): a timer over an
 *                                     index of subscriptions, leases and sent marks in the store
 *   BullMQ (bullmq-queue.ts)          Redis: a job scheduler per subscription, one rate-limited
 *                                     delivery queue shared by every instance
 * The promises: each scheduled time of an enabled subscription is posted once; after downtime only
 * the latest missed time inside the catch-up window is posted; a post the platform refuses for good
 * (bot removed) pauses only that subscription; retryable failures are retried with back-off that
 * honours retry_after; a delivery held by a process that died is taken over. */
import type { Clock, DigestSubscription, KeyValueStore, Logger, Messenger } from "../core/ports.ts";
import type { DigestContent } from "./content.ts";
import type { RetryPolicy } from "./deliver.ts";
import type { SubscriptionRepository } from "./subscriptions.ts";

export interface DigestQueue {
  readonly kind: "in-process" | "bullmq";
  /** A subscription was created or changed through this instance: keep to its (new) schedule. */
  scheduled(subscription: DigestSubscription): Promise<void>;
  /** A subscription was removed through this instance. */
  unscheduled(platform: DigestSubscription["platform"], chatId: string): Promise<void>;
  /** Starts posting (catching up what was missed). */
  start(): Promise<void>;
  /** Stops taking deliveries and waits for those in flight; queued ones stay for another instance
   * or a restart. */
  stop(): Promise<void>;
}

/** What every queue implementation is built from (the coordinator in scheduler.ts makes these). */
export interface QueueParts {
  store: KeyValueStore;
  repo: SubscriptionRepository;
  content: DigestContent;
  messengers: ReadonlyMap<string, Messenger>;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  catchupSeconds: number;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
}

/** Sent marks outlive the catch-up window by this much, for clocks that differ between instances. */
export const SENT_MARK_MARGIN_MS = 24 * 3600 * 1000;
