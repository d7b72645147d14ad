/** The Discord adapter's public surface, for the composition root and the deploy script. */
export { createDiscordBot, type DiscordBot, type DiscordBotOptions, MANAGE_REQUIREMENT } from "./bot.ts";
export { autocompleteChoices, decodeInteractionOptions, toSlashCommands } from "./commands.ts";
export { type DeployOptions, deployCommands } from "./deploy.ts";
