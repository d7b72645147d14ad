/** The in-process queue's timer: runs one pass, sleeps until the pass says the next one is needed,
 * and backs off when passes fail. A pass that throws (the store is down) would otherwise be retried
 * as soon as the next time is overdue, which is at once: without the back-off a broken store made
 * the loop fail dozens of times a second. */
import type { Logger } from "../core/ports.ts";

export interface LoopOptions {
  /** One pass; resolves with how long to sleep before the next one (ms). */
  pass(): Promise<number>;
  logger: Logger;
  /** The shortest sleep between passes, so a timer that fires a hair early cannot spin. Default 10. */
  minGapMs?: number;
  /** The first wait after a failed pass; doubled after each further failure. Default 1000. */
  failureBaseDelayMs?: number;
  /** The longest wait after failures. Default 60 000. */
  failureMaxDelayMs?: number;
  /** Names this process in log lines. */
  instanceId: string;
}

export interface Loop {
  start(): Promise<void>;
  /** Run the next pass now-ish (something fell due earlier than the sleeping loop would wake).
   * Ignored while a pass runs (that pass computes its own wake-up) and while backing off. */
  wake(delayMs: number): void;
  stop(): void;
  /** Passes that failed in a row (0 after a good one). */
  readonly consecutiveFailures: number;
}

export function createLoop(options: LoopOptions): Loop {
  const minGapMs = options.minGapMs ?? 10;
  const baseMs = options.failureBaseDelayMs ?? 1000;
  const maxMs = options.failureMaxDelayMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let failures = 0;

  function schedule(delayMs: number): void {
    timer = setTimeout(run, Math.max(minGapMs, delayMs));
    timer.unref();
  }

  async function run(): Promise<void> {
    if (!running) return;
    timer = undefined;
    let delayMs: number;
    try {
      delayMs = await options.pass();
      if (failures > 0) {
        options.logger.info("digest: tick recovered", {
          afterFailures: failures,
          instanceId: options.instanceId,
        });
      }
      failures = 0;
    } catch (error) {
      failures += 1;
      delayMs = Math.min(maxMs, baseMs * 2 ** (failures - 1));
      // A store hiccup costs one pass; nothing was marked settled, so nothing is lost.
      options.logger.error("digest: tick failed", {
        error: String(error),
        consecutiveFailures: failures,
        retryInMs: delayMs,
        instanceId: options.instanceId,
      });
    }
    if (!running) return;
    schedule(delayMs);
  }

  return {
    async start() {
      if (running) return;
      running = true;
      await run();
    },
    wake(delayMs) {
      if (!running || timer === undefined || failures > 0) return;
      clearTimeout(timer);
      schedule(delayMs);
    },
    stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    get consecutiveFailures() {
      return failures;
    },
  };
}
