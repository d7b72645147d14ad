/** The operator's view of the bot, assembled from parts: the per-command log line and whatever else
 * listens (the Prometheus metrics). One Observer goes into Deps. */
import type { CommandEvent, Logger, Observer } from "./core/index.ts";

/** One info line per command: what ran, where, how long, how it ended, the error id to look up.
 * The arguments are user text: only at debug. */
export function createCommandLog(logger: Logger, options: { includeArgs: boolean }): Observer {
  return {
    commandFinished(event: CommandEvent) {
      const { args, durationMs, ...rest } = event;
      logger.info("command", {
        ...rest,
        durationMs: Math.round(durationMs),
        ...(options.includeArgs && args ? { args } : {}),
      });
    },
    upstreamRequest: () => {},
    cacheLookup: () => {},
    digestPost: () => {},
  };
}

/** Tells every observer; one that throws does not stop the others. */
export function combineObservers(...observers: Observer[]): Observer {
  const each =
    <K extends keyof Observer>(method: K) =>
    (event: Parameters<Observer[K]>[0]) => {
      for (const observer of observers) {
        try {
          (observer[method] as (e: typeof event) => void)(event);
        } catch {
          // An observer's bug must not cost an answer.
        }
      }
    };
  return {
    commandFinished: each("commandFinished"),
    upstreamRequest: each("upstreamRequest"),
    cacheLookup: each("cacheLookup"),
    digestPost: each("digestPost"),
  };
}
