/** One post to one chat, retried the way the platforms ask: a DeliveryError that is not permanent
 * (429, 5xx, network) is retried with exponential backoff, waiting at least as long as the platform's
 * retry-after; a permanent one (bot removed, chat deleted, missing permission) stops at once. */
import { DeliveryError } from "../core/errors.ts";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The wait after the first failure; doubled after each further one. */
  baseDelayMs: number;
  /** The backoff never grows past this (a longer retry-after is still honoured). */
  maxDelayMs: number;
  /** The waits of one post never add up to more than this: a retry-after that would go past it ends
   * the attempts as a retryable failure. The scheduler holds a lease on the post meanwhile, and a
   * lease that ran out while waiting would let another instance post it too. */
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  maxTotalWaitMs: Number.POSITIVE_INFINITY,
};

export type SendOutcome =
  | { ok: true; attempts: number }
  | {
      ok: false;
      permanent: boolean;
      attempts: number;
      reason: string;
      /** The platform's last retry-after, when it gave one: the earliest a later try makes sense. */
      retryAfterMs?: number;
    };

export async function sendWithRetry(
  send: () => Promise<void>,
  policy: RetryPolicy,
  sleep: (ms: number) => Promise<void>,
  onRetry: (attempt: number, delayMs: number, reason: string) => void = () => {},
  /** True once the process is shutting down: no further attempt is made, so shutdown never waits
   * out a long retry-after. */
  stopping: () => boolean = () => false,
): Promise<SendOutcome> {
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return { ok: true, attempts: attempt };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // Errors that are not DeliveryError (a network reset surfacing raw) are treated as transient.
      const permanent = error instanceof DeliveryError && error.permanent;
      const retryAfterMs = error instanceof DeliveryError ? error.retryAfterMs : undefined;
      const after = retryAfterMs !== undefined ? { retryAfterMs } : {};
      if (permanent || attempt >= policy.maxAttempts) {
        return { ok: false, permanent, attempts: attempt, reason, ...after };
      }
      const givenUp: SendOutcome = {
        ok: false,
        permanent: false,
        attempts: attempt,
        reason: `${reason} (not retried: shutting down)`,
      };
      if (stopping()) return givenUp;
      const backoffMs = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.max(backoffMs, retryAfterMs ?? 0);
      if (waitedMs + delayMs > policy.maxTotalWaitMs) {
        return {
          ...after,
          ok: false,
          permanent: false,
          attempts: attempt,
          reason: `${reason} (not retried: waiting ${delayMs} ms more would exceed ${policy.maxTotalWaitMs} ms)`,
        };
      }
      onRetry(attempt, delayMs, reason);
      waitedMs += delayMs;
      await sleep(delayMs);
      if (stopping()) return givenUp;
    }
  }
}
