/** Registers the registry's slash commands with Discord: one bulk overwrite (PUT), so running it
 * again with the same registry changes nothing. Global by default, or to one server for testing
 * (server commands update instantly; global ones can take a while to show up in clients). */
import { REST, Routes } from "discord.js";
import type { Registry } from "../../core/index.ts";
import { toSlashCommands } from "./commands.ts";

export interface DeployOptions {
  registry: Registry;
  token: string;
  applicationId: string;
  /** `DISCORD_API_URL`; default https://discord.com/api. */
  apiUrl?: string;
  /** Register to this server only. */
  guildId?: string;
}

/** Returns how many commands Discord now has registered for the scope. */
export async function deployCommands(options: DeployOptions): Promise<number> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  const route = options.guildId
    ? Routes.applicationGuildCommands(options.applicationId, options.guildId)
    : Routes.applicationCommands(options.applicationId);
  const registered = (await rest.put(route, { body: toSlashCommands(options.registry) })) as unknown[];
  return registered.length;
}
