/** Webhook mode: a node:http server handing Telegram's POSTs to grammY, which answers 401 unless
 * the X-Telegram-Bot-Api-Secret-Token header carries the secret given to setWebhook. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Bot, webhookCallback } from "grammy";
import type { Logger } from "../../core/index.ts";
import { describeError } from "./send.ts";

export interface WebhookServer {
  port: number;
  /** Stops taking updates (503, so Telegram redelivers them) and closes the server. */
  close(): Promise<void>;
}

export async function listenWebhook(
  bot: Bot,
  options: { port: number; host?: string; secret: string; logger: Logger },
): Promise<WebhookServer> {
  const handleUpdate = webhookCallback(bot, "http", { secretToken: options.secret });
  let closing = false;
  const server = createServer((req, res) => {
    if (closing) {
      res.writeHead(503, { "retry-after": "5" }).end();
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST" }).end();
      return;
    }
    handleUpdate(req, res).catch((error: unknown) => {
      options.logger.warn("telegram webhook request failed", { error: describeError(error) });
      if (!res.headersSent) res.writeHead(400);
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
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
    },
  };
}
