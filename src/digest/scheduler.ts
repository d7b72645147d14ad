/** The digest service: the DigestPort the digest command talks to, over a DigestQueue that posts.
 *
 * How "exactly once" holds, with restarts and with several instances sharing one store:
 * - Each (chat, scheduled time) has a sent mark once posted, `digest:sent:<chat>:<time>`, written
 *   right after the platform accepted the post and looked for before every post; it is kept as long
 *   as the time can come up again (the catch-up window and a margin). Whatever runs the delivery
 *   (either queue, a retry, a restart, a takeover) sees the mark and does not post again.
 * - Only one runner holds a delivery at a time. In-process: a lease, `digest:lease:<chat>:<time>`,
 *   taken with the store's atomic claim (SET NX on Redis, one INSERT on SQLite); the others look
 *   again a moment later and find the sent mark, or a free lease if the holder failed. On BullMQ:
 *   the job scheduler makes one job per scheduled time for all instances, and a job is held by one
 *   worker under a lock that it renews; a worker that died stops renewing, and its job is taken over
 *   as stalled within about a minute.
 * - What is not settled is never marked settled: the in-process queue moves a chat's checked-up-to
 *   watermark only past times posted, skipped or disabled, so a restart sees what it missed; a
 *   BullMQ job that fails retryably is retried with back-off, and after its last attempt is kept
 *   failed for inspection.
 * - The one gap: a post the platform accepted in the instant before the process died, before its
 *   sent mark was written, is posted again by whoever takes the time over. It is at most one post
 *   per process death, per delivery in flight.
 * - After downtime a subscription gets one catch-up post: the latest missed time inside the
 *   catch-up window (DIGEST_CATCHUP_SECONDS). Older times are skipped and logged.
 * The cron library only answers "when" (schedule.ts); the store and the queue decide "who". */
import type { Registry } from "../core/command.ts";
import { UserError } from "../core/errors.ts";
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
import type { RetryPolicy } from "./deliver.ts";
import { createInProcessQueue, type InProcessQueueOptions, type TickReport } from "./in-process-queue.ts";
import type { DigestQueue, QueueParts } from "./queue.ts";
import { nextRuns, validateSchedule } from "./schedule.ts";
import { canonicalSections, createSubscriptionRepository, type DigestPlatform } from "./subscriptions.ts";

export type { TickReport } from "./in-process-queue.ts";

export interface DigestServiceOptions extends InProcessQueueOptions {
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
  /** DIGEST_CATCHUP_SECONDS: how old a missed time may be and still be posted (the latest one). */
  catchupSeconds: number;
  /** Names this process in log lines, to tell instances apart. */
  instanceId: string;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Builds the queue that posts; default the in-process one (with the options above). */
  queue?: (parts: QueueParts) => DigestQueue;
}

export interface DigestService extends DigestPort {
  readonly queue: DigestQueue;
  /** Starts posting: loads subscriptions, catches up what was missed, then keeps to the schedules. */
  start(): Promise<void>;
  /** Stops posting and waits for the posts in flight; queued ones are left for others. */
  stop(): Promise<void>;
  /** In-process queue only: finds and posts what is due at `now` (tests drive it with a fake clock). */
  tick(now?: Date): Promise<TickReport>;
}

const NEXT_RUNS_SHOWN = 3;

export function createDigestService(options: DigestServiceOptions): DigestService {
  const { store, clock, logger, instanceId } = options;
  const messengers = new Map(options.messengers.map((m) => [m.platform, m]));
  const repo = createSubscriptionRepository(store, (key, problem) =>
    logger.warn("digest: skipping a malformed subscription", { key, problem, instanceId }),
  );
  const content = createDigestContent({ registry: options.registry, deps: options.deps });
  const parts: QueueParts = {
    store,
    repo,
    content,
    messengers,
    clock,
    logger,
    instanceId,
    catchupSeconds: options.catchupSeconds,
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  };
  const inProcess = options.queue ? undefined : createInProcessQueue(parts, options);
  const queue: DigestQueue = inProcess ?? options.queue!(parts);
  let running = false;

  function upcoming(subscription: DigestSubscription, now: Date): string[] {
    return nextRuns(subscription.schedule, subscription.tz, now, NEXT_RUNS_SHOWN).map((d) => d.toISOString());
  }

  /** A store that cannot be read or written is not the user's mistake, but they need to know their
   * change did not happen; the cause goes to the log only (it may name hosts). */
  async function orStoreUnavailable<T>(what: string, work: () => Promise<T>, fields: object): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UserError) throw error;
      logger.error(`digest: ${what} failed: the store did not answer`, {
        ...fields,
        error: String(error),
        instanceId,
      });
      throw new UserError(
        "unavailable",
        `The digest settings could not be ${what === "subscribe" ? "saved" : what === "unsubscribe" ? "changed" : "read"}: the bot's store is not answering. Nothing was changed; try again in a minute.`,
      );
    }
  }

  return {
    queue,

    async subscribe(input) {
      const now = clock.now();
      const valid = validateSchedule(input.schedule, input.tz, options.minIntervalSeconds, now);
      const fields = { platform: input.platform, chatId: input.chatId };
      const { subscription, created } = await orStoreUnavailable(
        "subscribe",
        () => repo.upsert({ ...input, ...valid }, now),
        fields,
      );
      await orStoreUnavailable("subscribe", () => queue.scheduled(subscription), fields);
      logger.info("digest: subscribed", {
        ...fields,
        created,
        schedule: valid.schedule,
        tz: valid.tz,
        instanceId,
      });
      return { subscription, created, nextRuns: upcoming(subscription, now) };
    },

    async unsubscribe(platform: DigestPlatform, chatId: string) {
      return orStoreUnavailable(
        "unsubscribe",
        async () => {
          await queue.unscheduled(platform, chatId);
          return repo.remove(platform, chatId);
        },
        { platform, chatId },
      );
    },

    async status(platform: DigestPlatform, chatId: string) {
      return orStoreUnavailable(
        "status",
        async () => {
          const subscription = await repo.get(platform, chatId);
          const lastDeliveredAt = await repo.lastDeliveredAt(platform, chatId);
          return {
            ...(subscription ? { subscription } : {}),
            nextRuns: subscription?.enabled ? upcoming(subscription, clock.now()) : [],
            ...(lastDeliveredAt ? { lastDeliveredAt } : {}),
          };
        },
        { platform, chatId },
      );
    },

    preview(sections: DigestSection[]): Promise<Reply> {
      return content.build(canonicalSections(sections));
    },

    async start() {
      if (running) return;
      if (messengers.size === 0)
        throw new Error("the digest service needs at least one messenger to post with");
      running = true;
      await queue.start();
    },

    async stop() {
      running = false;
      await queue.stop();
    },

    tick(now) {
      if (!inProcess)
        throw new Error(`tick() drives the in-process queue; this service runs on ${queue.kind}`);
      return inProcess.tick(now);
    },
  };
}
