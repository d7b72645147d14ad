/** `npm run deploy:discord`: registers every command as a Discord slash command, globally or to
 * DISCORD_GUILD_ID. Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (from .env or the environment). */
import { createCommandRegistry } from "../commands/index.ts";
import { deployCommands } from "./adapters/discord/deploy.ts";
import { EXIT_CONFIG, fatalLine, loadConfigOrExit } from "./env.ts";

const config = loadConfigOrExit();
if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
  fatalLine(
    "DISCORD_TOKEN: deploy:discord needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (Discord Developer Portal → your " +
      "application: General Information → Application ID; Bot → Reset Token). Set them in .env.",
    EXIT_CONFIG,
  );
}

const registry = createCommandRegistry();
try {
  const count = await deployCommands({
    registry,
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_APPLICATION_ID,
    apiUrl: config.DISCORD_API_URL,
    ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
  });
  const scope = config.DISCORD_GUILD_ID ? `to server ${config.DISCORD_GUILD_ID}` : "globally";
  process.stdout.write(`Registered ${count} commands ${scope}.\n`);
} catch (error) {
  const status = (error as { status?: unknown }).status;
  if (status === 401) {
    fatalLine(
      "DISCORD_TOKEN: Discord rejected the bot token; copy it again (Bot → Reset Token)",
      EXIT_CONFIG,
    );
  }
  if (status === 403 || status === 404) {
    fatalLine(
      `DISCORD_APPLICATION_ID: Discord answered ${status}: check the application id${config.DISCORD_GUILD_ID ? " and DISCORD_GUILD_ID (is the bot in that server?)" : ""}`,
      EXIT_CONFIG,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  fatalLine(`Registering Discord commands failed: ${message}`, 1);
}
