/** `npm run --silent cli -- <command> [args…] [--json]`: one answer, then exit. */
import { runOnce } from "./adapters/cli/console.ts";
import { createApp } from "./app.ts";
import { loadConfigOrExit } from "./env.ts";
import { createLogger } from "./logger.ts";

const config = loadConfigOrExit();
// The console keeps stderr for answers to bad input; only warnings and errors are logged there.
const logger = createLogger({
  level: config.LOG_LEVEL === "info" || config.LOG_LEVEL === "debug" ? "error" : config.LOG_LEVEL,
  secrets: [config.TELEGRAM_BOT_TOKEN, config.DISCORD_TOKEN, config.COINGECKO_API_KEY].filter(
    (s) => s !== undefined,
  ),
});
const app = await createApp(config, { logger });
const code = await runOnce(
  app.registry,
  { ...app.deps, digest: app.createDigest([]) },
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  },
);
await app.close();
process.exitCode = code;
