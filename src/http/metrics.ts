/** Prometheus metrics through prom-client, fed by the Observer port (core and data never import
 * prom-client). Names and labels are the operator's contract; keep them stable. */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { Observer } from "../core/index.ts";

export interface Metrics {
  observer: Observer;
  /** The text exposition format, and its content type for the response header. */
  render(): Promise<string>;
  contentType: string;
  registry: Registry;
}

/** Seconds. Most answers take milliseconds (cache) or up to the upstream timeout (2.5 s by
 * default); Discord's 3 s acknowledgement limit sits between the 2.5 and 5 s buckets. */
const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const commands = new Counter({
    name: "decentra_commands_total",
    help: "Commands answered, by command, platform and outcome (ok or the error code).",
    labelNames: ["command", "platform", "outcome"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "decentra_command_duration_seconds",
    help: "Time from a decoded command to its Reply, in seconds.",
    labelNames: ["command", "platform"],
    buckets: DURATION_BUCKETS_SECONDS,
    registers: [registry],
  });
  const upstream = new Counter({
    name: "decentra_upstream_requests_total",
    help: "Requests to upstream APIs, by dataset and outcome (ok, timeout, http, rate_limited, malformed, unreachable, implausible).",
    labelNames: ["dataset", "outcome"],
    registers: [registry],
  });
  const cache = new Counter({
    name: "decentra_cache_total",
    help: "Dataset reads, by result: hit (fresh), miss (fetched), stale (upstream down, old value), fallback (snapshot).",
    labelNames: ["dataset", "result"],
    registers: [registry],
  });
  const digestPosts = new Counter({
    name: "decentra_digest_posts_total",
    help: "Digest posts, by platform and outcome (ok, failed: retried later, refused: permanent).",
    labelNames: ["platform", "outcome"],
    registers: [registry],
  });
  const observer: Observer = {
    commandFinished({ command, platform, durationMs, outcome }) {
      commands.inc({ command, platform, outcome });
      duration.observe({ command, platform }, durationMs / 1000);
    },
    upstreamRequest: ({ dataset, outcome }) => upstream.inc({ dataset, outcome }),
    cacheLookup: ({ dataset, result }) => cache.inc({ dataset, result }),
    digestPost: ({ platform, outcome }) => digestPosts.inc({ platform, outcome }),
  };
  return { observer, registry, contentType: registry.contentType, render: () => registry.metrics() };
}
