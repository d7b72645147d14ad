/** The side door over real HTTP: liveness, readiness with reasons, and the Prometheus text fed
 * through the Observer port. */
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/http/metrics.ts";
import { type HttpServer, startHttpServer } from "../../src/http/server.ts";
import { recordingLogger } from "../data/helpers.ts";

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function get(path: string) {
  const response = await fetch(`http://127.0.0.1:${server!.port}${path}`);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

describe("HTTP side door", () => {
  it("/healthz is 200; /readyz is 200 when every check passes", async () => {
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      checks: { telegram: () => undefined, store: async () => undefined },
      logger: recordingLogger(),
    });
    expect((await get("/healthz")).status).toBe(200);
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: "ready", checks: { telegram: "ok", store: "ok" } });
  });

  it("/readyz is 503 naming each failing check: a reason, a thrown error, a check that hangs", async () => {
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      checks: {
        telegram: () => "not connected: cannot reach http://127.0.0.1:1 (getMe: ECONNREFUSED)",
        discord: () => undefined,
        store: async () => {
          throw new Error("The bot's store cannot be read right now.");
        },
        slow: () => new Promise<undefined>(() => {}),
      },
      logger: recordingLogger(),
      checkTimeoutMs: 100,
    });
    const ready = await get("/readyz");
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).reasons).toEqual([
      "telegram: not connected: cannot reach http://127.0.0.1:1 (getMe: ECONNREFUSED)",
      "store: The bot's store cannot be read right now.",
      "slow: no answer within 100 ms",
    ]);
  });

  it("/metrics counts what the observer was told, in the Prometheus text format", async () => {
    const metrics = createMetrics();
    const { observer } = metrics;
    observer.commandFinished({ command: "mining_cost", platform: "telegram", durationMs: 40, outcome: "ok" });
    observer.commandFinished({
      command: "mining_cost",
      platform: "telegram",
      durationMs: 3000,
      outcome: "ok",
    });
    observer.commandFinished({
      command: "mining_cost",
      platform: "discord",
      durationMs: 5,
      outcome: "invalid_value",
    });
    observer.upstreamRequest({ dataset: "network:v1:btc-price", outcome: "timeout" });
    observer.cacheLookup({ dataset: "network:v1:btc-price", result: "fallback" });
    observer.digestPost({ platform: "discord", outcome: "refused" });
    server = await startHttpServer({
      port: 0,
      host: "127.0.0.1",
      metrics,
      checks: {},
      logger: recordingLogger(),
    });
    const { status, type, body } = await get("/metrics");
    expect(status).toBe(200);
    expect(type).toContain("text/plain");
    expect(body).toContain(
      'decentra_commands_total{command="mining_cost",platform="telegram",outcome="ok"} 2',
    );
    expect(body).toContain(
      'decentra_commands_total{command="mining_cost",platform="discord",outcome="invalid_value"} 1',
    );
    // 0.04 s and 3 s: sum 3.04; the 0.05 bucket holds one, the 5 s bucket both, 2.5 s only one.
    expect(body).toContain(
      'decentra_command_duration_seconds_sum{command="mining_cost",platform="telegram"} 3.04',
    );
    expect(body).toContain(
      'decentra_command_duration_seconds_bucket{le="0.05",command="mining_cost",platform="telegram"} 1',
    );
    expect(body).toContain(
      'decentra_command_duration_seconds_bucket{le="2.5",command="mining_cost",platform="telegram"} 1',
    );
    expect(body).toContain(
      'decentra_command_duration_seconds_bucket{le="5",command="mining_cost",platform="telegram"} 2',
    );
    expect(body).toContain(
      'decentra_upstream_requests_total{dataset="network:v1:btc-price",outcome="timeout"} 1',
    );
    expect(body).toContain('decentra_cache_total{dataset="network:v1:btc-price",result="fallback"} 1');
    expect(body).toContain('decentra_digest_posts_total{platform="discord",outcome="refused"} 1');
    expect(body).toContain("nodejs_eventloop_lag_seconds");
  });

  it("answers 404 for other paths and 405 for other methods", async () => {
    server = await startHttpServer({ port: 0, host: "127.0.0.1", checks: {}, logger: recordingLogger() });
    expect((await get("/nope")).status).toBe(404);
    const post = await fetch(`http://127.0.0.1:${server.port}/healthz`, { method: "POST" });
    expect(post.status).toBe(405);
  });
});
