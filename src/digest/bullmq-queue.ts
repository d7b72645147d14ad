/** The BullMQ DigestQueue, for a Redis store: every instance shares the same queues, so each
 * scheduled time becomes one job across all of them.
 *
 *   digest-telegram, digest-discord   one queue per platform; each subscription is a job scheduler
 *                                     on its platform's queue (id telegram:<chat>, its cron and
 *                                     zone), which puts one job on the queue per scheduled time
 *
 * - The schedule is croner's (schedule.ts), plugged in as BullMQ's repeat strategy, so a pattern
 *   means the same in both queues and in /digest status.
 * - The queue's limiter, which BullMQ keeps in Redis, paces jobs across every worker of every
 *   instance (Telegram: one per 30 ms); the exact 30 messages/s is the adapter's shared windows.
 * - A 429 pauses the whole queue for its retry_after (queue.rateLimit) and puts the job back
 *   without using an attempt; other retryable failures back off (1 s, 2 s, 4 s …, at least the
 *   platform's retry-after) for up to 5 attempts; then the job is kept failed for inspection.
 * - A permanent failure (bot removed) disables the subscription and removes its job scheduler:
 *   only that chat stops. The failed job is kept.
 * - A worker renews the lock on its jobs; a process that died stops renewing, and its jobs are
 *   taken over as stalled once the lock (20 s) has run out, by a check every 15 s: measured 56 s
 *   after a SIGKILL (68 s with BullMQ's own 30-s defaults).
 * - After downtime the scheduler's one waiting job is late: it posts for the latest missed time
 *   inside the catch-up window (or nothing, if even that is older), and the schedule goes on.
 * - A sent mark in the store is checked before and written after each post, so a job run again
 *   (taken over, retried after a crash) does not post twice. */
import { createClient } from "@redis/client";
import { type ConnectionOptions, type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { DigestSubscription } from "../core/ports.ts";
import { createDeliverer } from "./claims.ts";
import { DEFAULT_RETRY_POLICY } from "./deliver.ts";
import { type DigestQueue, type QueueParts, SENT_MARK_MARGIN_MS } from "./queue.ts";
import { nextRuns, runsBetween } from "./schedule.ts";
import { chatKey, type DigestPlatform } from "./subscriptions.ts";

export interface BullmqQueueOptions {
  /** redis://… (the STORE_URL). */
  redisUrl: string;
  /** Prefix of every BullMQ key: the store namespace, so deployments sharing a Redis stay apart. */
  prefix: string;
  /** Posts in flight at once in this instance, per platform. Default 16. */
  concurrency?: number;
  /** Per platform: at most `max` jobs start per `durationMs`, across all instances. */
  limits?: Partial<Record<DigestPlatform, { max: number; durationMs: number }>>;
  /** How long a worker's lock on a job lasts unless renewed. Default 20 000. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default 15 000. */
  stalledIntervalMs?: number;
  /** Attempts per job, the first included. Default 5. */
  attempts?: number;
  /** The first back-off after a failed attempt; doubled after each. Default 1000. */
  backoffBaseMs?: number;
}

/** Telegram: 30 messages/s per token. The exact limit is the Telegram adapter's, whose windows are
 * shared through the same Redis and count each message until Telegram answered it; this limiter
 * only paces the jobs a little faster than that (one per 30 ms, 33/s), so workers do not take
 * jobs that would all wait in the adapter. Paced at one per 35 ms on its own, it was the limit, and
 * a 1,000-chat fan-out took 1.08× the 33.3-s minimum; paced at 30 ms it takes 1.02×. Discord:
 * 50 requests/s per bot, less the answers' share. */
const DEFAULT_LIMITS: Record<DigestPlatform, { max: number; durationMs: number }> = {
  telegram: { max: 1, durationMs: 30 },
  discord: { max: 1, durationMs: 25 },
};

interface JobData {
  platform: DigestPlatform;
  chatId: string;
  /** The subscription version the scheduler was made for; an older one's jobs are superseded. */
  updatedAt: string;
}

/** Carries the platform's retry-after to the back-off strategy. */
class RetryLater extends Error {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryAfterMs: number | undefined) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

const queueName = (platform: DigestPlatform) => `digest-${platform}`;

export function createBullmqQueue(parts: QueueParts, options: BullmqQueueOptions): DigestQueue {
  const { repo, content, clock, logger, instanceId, messengers } = parts;
  const catchupMs = parts.catchupSeconds * 1000;
  const attempts = options.attempts ?? 5;
  const backoffBaseMs = options.backoffBaseMs ?? 1000;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const deliver = createDeliverer({
    store: parts.store,
    repo,
    content,
    messengers,
    clock,
    logger,
    instanceId,
    // One send per attempt: BullMQ does the retrying, with the job's lock held between attempts.
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...parts.retry, maxAttempts: 1 },
    sleep: async () => {},
    stopping: () => false,
    leaseTtlMs: undefined,
    sentMarkTtlMs: catchupMs + SENT_MARK_MARGIN_MS,
  });

  const repeatStrategy = (afterMs: number, repeat: { pattern?: string; tz?: string }) =>
    repeat.pattern
      ? nextRuns(repeat.pattern, repeat.tz ?? "UTC", new Date(afterMs), 1)[0]?.getTime()
      : undefined;
  const backoffStrategy = (attemptsMade: number, _type?: string, error?: Error) =>
    Math.max(
      backoffBaseMs * 2 ** Math.max(0, attemptsMade - 1),
      error instanceof RetryLater ? (error.retryAfterMs ?? 0) : 0,
    );

  const client = createClient({ url: options.redisUrl });
  client.on("error", (error) =>
    logger.warn("digest: queue connection error", { error: String(error), instanceId }),
  );
  const connection = client as unknown as ConnectionOptions;
  let connected: Promise<unknown> | undefined;
  const connect = () => (connected ??= client.connect());
  const queues = new Map<DigestPlatform, Queue<JobData>>();
  const workers: Worker<JobData>[] = [];

  function queueFor(platform: DigestPlatform): Queue<JobData> {
    let queue = queues.get(platform);
    if (!queue) {
      queue = new Queue<JobData>(queueName(platform), {
        connection,
        prefix: options.prefix,
        settings: { repeatStrategy },
      });
      queue.on("error", (error) => logger.warn("digest: queue error", { error: String(error), instanceId }));
      queues.set(platform, queue);
    }
    return queue;
  }

  async function upsertScheduler(subscription: DigestSubscription): Promise<void> {
    const { platform, chatId, schedule, tz, updatedAt } = subscription;
    await queueFor(platform).upsertJobScheduler(
      chatKey(platform, chatId),
      { pattern: schedule, tz },
      {
        name: "digest",
        data: { platform, chatId, updatedAt },
        opts: {
          attempts,
          backoff: { type: "custom" },
          // Completed jobs are kept an hour for inspection; failed ones until someone looks.
          removeOnComplete: { age: 3600, count: 100_000 },
          removeOnFail: false,
        },
      },
    );
  }

  /** Makes the job schedulers match the stored subscriptions. Schedulers already right are left
   * alone: upserting one would replace its late job with the next future one, and lose the
   * catch-up post. */
  async function reconcile(): Promise<number> {
    const wanted = new Map<string, DigestSubscription>();
    for (const subscription of await repo.list()) {
      if (subscription.enabled && messengers.has(subscription.platform)) {
        wanted.set(chatKey(subscription.platform, subscription.chatId), subscription);
      }
    }
    for (const platform of messengers.keys() as Iterable<DigestPlatform>) {
      const queue = queueFor(platform);
      const existing = new Map<string, { pattern?: string | null; tz?: string | null; updatedAt?: string }>();
      for (let start = 0; ; start += 1000) {
        const page = await queue.getJobSchedulers(start, start + 999, true);
        for (const s of page) {
          existing.set(s.key, {
            pattern: s.pattern ?? null,
            tz: s.tz ?? null,
            updatedAt: (s.template?.data as JobData | undefined)?.updatedAt,
          });
        }
        if (page.length < 1000) break;
      }
      for (const [key, current] of existing) {
        const subscription = wanted.get(key);
        if (!subscription) await queue.removeJobScheduler(key);
        else if (
          current.pattern === subscription.schedule &&
          current.tz === subscription.tz &&
          current.updatedAt === subscription.updatedAt
        ) {
          wanted.delete(key);
        }
      }
      for (const subscription of wanted.values()) {
        if (subscription.platform === platform) await upsertScheduler(subscription);
      }
    }
    return wanted.size;
  }

  async function process(job: Job<JobData>, queue: Queue<JobData>): Promise<string> {
    const { platform, chatId } = job.data;
    const scheduledMs = job.opts.prevMillis ?? job.timestamp + job.delay;
    const fields = { platform, chatId, scheduledAt: new Date(scheduledMs).toISOString(), instanceId };
    const subscription = await repo.get(platform, chatId);
    if (!subscription?.enabled || subscription.updatedAt !== job.data.updatedAt) return "superseded";

    // A late job (no worker ran for a while) stands for every time it missed: post the latest one
    // inside the catch-up window, once.
    const now = clock.now();
    const missed = runsBetween(subscription.schedule, subscription.tz, new Date(scheduledMs - 1), now);
    const latest = missed.at(-1) ?? new Date(scheduledMs);
    if (missed.length > 1 || now.getTime() - latest.getTime() > catchupMs) {
      const post = now.getTime() - latest.getTime() <= catchupMs ? latest : undefined;
      logger.warn("digest: missed several times; posting only the latest", {
        ...fields,
        skipped: post ? missed.length - 1 : missed.length,
        posting: post?.toISOString() ?? null,
        catchupSeconds: parts.catchupSeconds,
      });
      if (!post) return "skipped";
    }

    const delivery = await deliver(subscription, latest);
    switch (delivery.result) {
      case "delivered":
      case "already_sent":
      case "superseded":
        return delivery.result;
      case "disabled":
        await queue.removeJobScheduler(chatKey(platform, chatId));
        throw new UnrecoverableError(`permanent delivery failure: ${delivery.reason}`);
      default:
        if (delivery.retryAfterMs !== undefined && delivery.reason?.includes(" 429 ")) {
          // The platform is flooded for this token: hold every worker of the queue, not just this job.
          await queue.rateLimit(delivery.retryAfterMs);
          throw Worker.RateLimitError();
        }
        throw new RetryLater(delivery.reason ?? "not posted", delivery.retryAfterMs);
    }
  }

  return {
    kind: "bullmq",

    async scheduled(subscription) {
      await connect();
      await upsertScheduler(subscription);
    },

    async unscheduled(platform, chatId) {
      await connect();
      await queueFor(platform).removeJobScheduler(chatKey(platform, chatId));
    },

    async start() {
      await connect();
      const upserted = await reconcile();
      for (const platform of messengers.keys() as Iterable<DigestPlatform>) {
        const queue = queueFor(platform);
        const limit = limits[platform];
        const worker = new Worker<JobData>(queueName(platform), (job) => process(job, queue), {
          connection,
          prefix: options.prefix,
          // Shown as a job's processedBy: which instance holds (or last held) it.
          name: instanceId,
          concurrency: options.concurrency ?? 16,
          limiter: { max: limit.max, duration: limit.durationMs },
          lockDuration: options.lockDurationMs ?? 20_000,
          stalledInterval: options.stalledIntervalMs ?? 15_000,
          // A job whose worker died twice is failed (and kept) rather than taken over forever.
          maxStalledCount: 2,
          settings: { repeatStrategy, backoffStrategy },
        });
        worker.on("failed", (job, error) =>
          logger.error("digest: delivery job failed", {
            platform,
            chatId: job?.data.chatId,
            attemptsMade: job?.attemptsMade,
            error: error.message,
            instanceId,
          }),
        );
        worker.on("stalled", (jobId) =>
          logger.warn("digest: took over a stalled delivery", { jobId, instanceId }),
        );
        worker.on("error", (error) =>
          logger.warn("digest: worker error", { error: String(error), instanceId }),
        );
        workers.push(worker);
      }
      logger.info("digest: scheduler started", { queue: "bullmq", schedulersUpserted: upserted, instanceId });
    },

    async stop() {
      // close() waits for the jobs this worker is running; waiting ones stay for other instances.
      await Promise.all(workers.splice(0).map((worker) => worker.close()));
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
      if (connected) await client.quit().catch(() => undefined);
      connected = undefined;
    },
  };
}
