/** `npm run deploy:discord`: registers every command as a Discord slash command, globally or to
 * DISCORD_GUILD_ID. Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (from .env or the environment). */
import { createCommandRegistry } from "../commands/index.ts";
import { deployCommands } from "./adapters/discord/deploy.ts";
import { loadConfigOrExit } from "./env.ts";

const config = loadConfigOrExit();
if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
  process.stderr.write(
    "deploy:discord needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (Discord Developer Portal → your " +
      "application: General Information → Application ID; Bot → Reset Token). Set them in .env.\n",
  );
  process.exit(78);
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
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`Registering Discord commands failed: ${message}\n`);
  process.exit(1);
}
