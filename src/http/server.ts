/** The operator's side door (HTTP_PORT): liveness, readiness and Prometheus metrics.
 *   GET /healthz  200 while the process runs and its event loop turns
 *   GET /readyz   200 when every check passes (each configured platform connected, the store
 *                 answering); 503 naming each check that failed and why
 *   GET /metrics  the Prometheus text format
 * No secrets and no user data are served here; bind it to a private interface or put it behind the
 * orchestrator's network. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../core/index.ts";
import type { Metrics } from "./metrics.ts";

/** undefined when ready; otherwise why not, in words an operator can act on. */
export type ReadinessCheck = () => Promise<string | undefined> | string | undefined;

export interface HttpServerOptions {
  port: number;
  host?: string;
  metrics?: Metrics;
  /** By name: "telegram", "discord", "store". */
  checks: Record<string, ReadinessCheck>;
  logger: Logger;
  /** A check that has not answered by then has failed (default 2 s, below a probe's usual 5 s). */
  checkTimeoutMs?: number;
}

export interface HttpServer {
  port: number;
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { metrics, checks, logger } = options;
  const checkTimeoutMs = options.checkTimeoutMs ?? 2000;

  async function readiness(): Promise<Record<string, string>> {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<string>((resolve) => {
          timer = setTimeout(resolve, checkTimeoutMs, `no answer within ${checkTimeoutMs} ms`);
        });
        try {
          const reason = await Promise.race([Promise.resolve().then(check), timedOut]);
          return [name, reason ?? "ok"] as const;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return Object.fromEntries(results);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
    const handle = async () => {
      switch (path) {
        case "/healthz":
          return json(200, { status: "ok" });
        case "/readyz": {
          const results = await readiness();
          const failing = Object.entries(results).filter(([, r]) => r !== "ok");
          return failing.length === 0
            ? json(200, { status: "ready", checks: results })
            : json(503, {
                status: "not ready",
                reasons: failing.map(([name, reason]) => `${name}: ${reason}`),
                checks: results,
              });
        }
        case "/metrics":
          if (!metrics) return json(404, { error: "metrics are off" });
          res.writeHead(200, { "content-type": metrics.contentType }).end(await metrics.render());
          return;
        default:
          return json(404, { error: "not found", paths: ["/healthz", "/readyz", "/metrics"] });
      }
    };
    handle().catch((error: unknown) => {
      logger.error("http side door request failed", { path, error });
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
