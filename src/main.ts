/** Composition root: configuration → app (store, data, commands) → the adapters that are
 * configured → graceful shutdown. With no platform token it opens the console. */
import { runConsole } from "./adapters/cli/console.ts";
import { createApp } from "./app.ts";
import { ConfigError, parseConfig, redactedConfig } from "./config.ts";
import { loadDotEnv } from "./env.ts";
import { createLogger } from "./logger.ts";

loadDotEnv();
let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78);
}
const secrets = [
  config.TELEGRAM_BOT_TOKEN,
  config.DISCORD_TOKEN,
  config.COINGECKO_API_KEY,
  config.TELEGRAM_WEBHOOK_SECRET,
];
const logger = createLogger({ level: config.LOG_LEVEL, secrets: secrets.filter((s) => s !== undefined) });
const app = await createApp(config, { logger });

const platforms = [config.TELEGRAM_BOT_TOKEN && "telegram", config.DISCORD_TOKEN && "discord"].filter(
  Boolean,
);
if (platforms.length === 0) {
  process.stdout.write(
    "Decentra console — type a command (help, mining_cost paraguay, edge_fit llama_3_1_8b rtx_4090), exit to quit.\n" +
      "To connect chats, set TELEGRAM_BOT_TOKEN and/or DISCORD_TOKEN + DISCORD_APPLICATION_ID in .env (see README).\n",
  );
  await runConsole(app.registry, app.deps, process.stdin, {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    prompt: process.stdin.isTTY ? "decentra> " : undefined,
  });
  await app.close();
} else {
  logger.info("starting", { platforms, config: redactedConfig(config) });
}
