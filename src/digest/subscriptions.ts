/** Where digest state lives in the store, and the one repository that reads and writes it.
 *
 *   digest:sub:<platform>:<chatId>         the chat's subscription (one per chat; subscribing again
 *                                          overwrites it)
 *   digest:checked:<platform>:<chatId>     scheduled times up to here are settled (posted by some
 *                                          instance, skipped, or the subscription disabled): after a
 *                                          restart, the times after it are the ones still to post
 *   digest:delivered:<platform>:<chatId>   when the last digest was posted, for status
 *   digest:lease:<platform>:<chatId>:<iso> a short claim on one (chat, scheduled time) while an
 *                                          instance posts it: whoever sets it first posts, the others
 *                                          look again later. Released when the post fails or is
 *                                          abandoned for a shutdown, so the time is not lost
 *   digest:sent:<platform>:<chatId>:<iso>  one (chat, scheduled time) was posted; nobody posts it
 *                                          again. Kept as long as the time can come up again (the
 *                                          catch-up window), not longer
 *
 * The scheduler's bookkeeping lives in keys of its own so that it never overwrites a subscription a
 * user changed at the same moment. */
import { z } from "zod";
import {
  DIGEST_SECTIONS,
  type DigestSection,
  type DigestSubscription,
  type KeyValueStore,
} from "../core/ports.ts";

export type DigestPlatform = DigestSubscription["platform"];

const SUB_PREFIX = "digest:sub:";
const CHECKED_PREFIX = "digest:checked:";
const DELIVERED_PREFIX = "digest:delivered:";
const LEASE_PREFIX = "digest:lease:";
const SENT_PREFIX = "digest:sent:";

export function chatKey(platform: DigestPlatform, chatId: string): string {
  return `${platform}:${chatId}`;
}

/** The lease on one delivery while it is being posted. */
export function leaseKey(platform: DigestPlatform, chatId: string, scheduledAt: Date): string {
  return `${LEASE_PREFIX}${chatKey(platform, chatId)}:${scheduledAt.toISOString()}`;
}

/** The mark that one delivery was posted. */
export function sentKey(platform: DigestPlatform, chatId: string, scheduledAt: Date): string {
  return `${SENT_PREFIX}${chatKey(platform, chatId)}:${scheduledAt.toISOString()}`;
}

/** A stored value is read back through this schema: a hand-edited or older entry is skipped rather
 * than crashing the scheduler for every chat. */
const storedSubscription = z.object({
  platform: z.enum(["discord", "telegram"]),
  chatId: z.string().min(1),
  schedule: z.string().min(1),
  tz: z.string().min(1),
  sections: z.array(z.enum(DIGEST_SECTIONS)).min(1),
  createdBy: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  enabled: z.boolean(),
  disabledReason: z.string().optional(),
});

export interface SubscribeInput {
  platform: DigestPlatform;
  chatId: string;
  /** Already validated and normalised (see validateSchedule). */
  schedule: string;
  tz: string;
  sections: readonly DigestSection[];
  userId?: string;
}

export interface SubscriptionRepository {
  get(platform: DigestPlatform, chatId: string): Promise<DigestSubscription | undefined>;
  /** Every stored subscription, enabled or not; malformed entries are reported and skipped. */
  list(): Promise<DigestSubscription[]>;
  /** Creates the chat's subscription or updates the existing one (re-enabling it). */
  upsert(input: SubscribeInput, now: Date): Promise<{ subscription: DigestSubscription; created: boolean }>;
  /** Removes the subscription and its bookkeeping; false when there was none. Leases and sent marks
   * stay until they expire, so re-subscribing cannot repeat a post that was already made. */
  remove(platform: DigestPlatform, chatId: string): Promise<boolean>;
  /** Stops deliveries after a permanent failure, unless the user changed the subscription meanwhile. */
  disable(subscription: DigestSubscription, reason: string, now: Date): Promise<void>;
  checkedUpTo(platform: DigestPlatform, chatId: string): Promise<Date | undefined>;
  /** Every chat's watermark, keyed by chatKey. */
  allCheckedUpTo(): Promise<Map<string, Date>>;
  setCheckedUpTo(platform: DigestPlatform, chatId: string, at: Date): Promise<void>;
  lastDeliveredAt(platform: DigestPlatform, chatId: string): Promise<string | undefined>;
  setLastDeliveredAt(platform: DigestPlatform, chatId: string, at: Date): Promise<void>;
}

export function createSubscriptionRepository(
  store: KeyValueStore,
  onMalformed: (key: string, problem: string) => void = () => {},
): SubscriptionRepository {
  const subKey = (platform: DigestPlatform, chatId: string) => SUB_PREFIX + chatKey(platform, chatId);
  const parse = (key: string, value: unknown): DigestSubscription | undefined => {
    const result = storedSubscription.safeParse(value);
    if (result.success) return result.data;
    onMalformed(key, result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    return undefined;
  };

  return {
    async get(platform, chatId) {
      const key = subKey(platform, chatId);
      const value = await store.get<unknown>(key);
      return value === undefined ? undefined : parse(key, value);
    },

    async list() {
      const subscriptions: DigestSubscription[] = [];
      for (const [key, value] of await store.entries<unknown>(SUB_PREFIX)) {
        const subscription = parse(key, value);
        if (subscription) subscriptions.push(subscription);
      }
      return subscriptions;
    },

    async upsert(input, now) {
      const existing = await this.get(input.platform, input.chatId);
      const at = now.toISOString();
      const createdBy = existing ? existing.createdBy : input.userId;
      const subscription: DigestSubscription = {
        platform: input.platform,
        chatId: input.chatId,
        schedule: input.schedule,
        tz: input.tz,
        sections: canonicalSections(input.sections),
        ...(createdBy !== undefined ? { createdBy } : {}),
        createdAt: existing?.createdAt ?? at,
        updatedAt: at,
        enabled: true,
      };
      await store.set(subKey(input.platform, input.chatId), subscription);
      return { subscription, created: existing === undefined };
    },

    async remove(platform, chatId) {
      const key = chatKey(platform, chatId);
      const existed = await store.delete(SUB_PREFIX + key);
      await store.delete(CHECKED_PREFIX + key);
      await store.delete(DELIVERED_PREFIX + key);
      return existed;
    },

    async disable(subscription, reason, now) {
      // Read-compare-write narrows the race with a user re-subscribing at the same moment: their
      // newer subscription (another updatedAt) is left alone.
      const current = await this.get(subscription.platform, subscription.chatId);
      if (!current || current.updatedAt !== subscription.updatedAt || !current.enabled) return;
      await store.set(subKey(subscription.platform, subscription.chatId), {
        ...current,
        enabled: false,
        disabledReason: `${reason} (since ${now.toISOString().slice(0, 16).replace("T", " ")} UTC)`,
      });
    },

    async checkedUpTo(platform, chatId) {
      const iso = await store.get<string>(CHECKED_PREFIX + chatKey(platform, chatId));
      return iso === undefined ? undefined : new Date(iso);
    },

    async allCheckedUpTo() {
      const marks = new Map<string, Date>();
      for (const [key, iso] of await store.entries<string>(CHECKED_PREFIX)) {
        marks.set(key.slice(CHECKED_PREFIX.length), new Date(iso));
      }
      return marks;
    },

    async setCheckedUpTo(platform, chatId, at) {
      await store.set(CHECKED_PREFIX + chatKey(platform, chatId), at.toISOString());
    },

    lastDeliveredAt: (platform, chatId) => store.get<string>(DELIVERED_PREFIX + chatKey(platform, chatId)),

    async setLastDeliveredAt(platform, chatId, at) {
      await store.set(DELIVERED_PREFIX + chatKey(platform, chatId), at.toISOString());
    },
  };
}

/** Sections in their fixed order without repeats, so equal sets compare (and share content) equal.
 * An empty list means all sections. */
export function canonicalSections(sections: readonly DigestSection[]): DigestSection[] {
  const picked = DIGEST_SECTIONS.filter((s) => sections.includes(s));
  return picked.length ? picked : [...DIGEST_SECTIONS];
}
