/** Slash-command encoding and option decoding: the registry's neutral command model ↔ Discord's
 * application-command JSON. Pure; no client, no network. */
import type { AnyCommand, OptionSpec, Registry } from "../../core/index.ts";
import { catalogItems, matchNamed } from "../../core/index.ts";
import type { Snapshot } from "../../core/snapshot.ts";

/** Discord's numeric option types (application-command option type). */
export const OPTION_TYPE = { string: 3, integer: 4, boolean: 5, number: 10 } as const;

/** Where a command can be used: 0 a server, 1 the bot's DMs. Installed to servers only (0). */
const CONTEXTS = [0, 1] as const;
const INTEGRATION_TYPES = [0] as const;

const DESCRIPTION_MAX = 100;
const CHOICES_MAX = 25;
const OPTIONS_MAX = 25;
const CHOICE_NAME_MAX = 100;

export interface SlashChoice {
  name: string;
  value: string;
}

export interface SlashOption {
  type: (typeof OPTION_TYPE)[keyof typeof OPTION_TYPE];
  name: string;
  description: string;
  required: boolean;
  choices?: SlashChoice[];
  min_value?: number;
  max_value?: number;
  autocomplete?: boolean;
}

/** The body of one command in PUT /applications/{id}/commands (type 1: chat input). */
export interface SlashCommand {
  type: 1;
  name: string;
  description: string;
  options: SlashOption[];
  contexts: number[];
  integration_types: number[];
}

export function toSlashCommands(registry: Registry): SlashCommand[] {
  return registry.commands.map(toSlashCommand);
}

export function toSlashCommand(command: AnyCommand): SlashCommand {
  if (command.options.length > OPTIONS_MAX) {
    throw new Error(`/${command.name} has ${command.options.length} options; Discord allows ${OPTIONS_MAX}`);
  }
  // Discord rejects a required option declared after an optional one; the stable sort keeps the
  // declared order within each group.
  const ordered = [...command.options].sort((a, b) => Number(!!b.required) - Number(!!a.required));
  return {
    type: 1,
    name: command.name,
    description: clip(command.description, DESCRIPTION_MAX),
    options: ordered.map(toSlashOption),
    contexts: [...CONTEXTS],
    integration_types: [...INTEGRATION_TYPES],
  };
}

function toSlashOption(spec: OptionSpec): SlashOption {
  const option: SlashOption = {
    type: OPTION_TYPE[spec.type],
    name: spec.name,
    description: clip(spec.description, DESCRIPTION_MAX),
    required: spec.required ?? false,
  };
  if (spec.catalog) {
    // Choices and autocomplete are mutually exclusive; a catalog is too long for choices.
    option.autocomplete = true;
  } else if (spec.choices && spec.type === "string" && spec.choices.length <= CHOICES_MAX) {
    option.choices = spec.choices.map((c) => ({ name: clip(c, CHOICE_NAME_MAX), value: c }));
  }
  if (spec.type === "number" || spec.type === "integer") {
    if (spec.min !== undefined) option.min_value = spec.min;
    if (spec.max !== undefined) option.max_value = spec.max;
  }
  return option;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** The part of a chat-input interaction decoding reads (discord.js CommandInteractionOptionResolver
 * exposes it as `options.data`). */
export interface InteractionOptionsLike {
  options: { readonly data: readonly { name: string; value?: string | number | boolean | null }[] };
}

/** Interaction options → the raw args record every platform hands to runCommand (which validates it
 * with the command's zod schema). Values keep Discord's types: numbers stay numbers. */
export function decodeInteractionOptions(interaction: InteractionOptionsLike): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const option of interaction.options.data) {
    if (option.value !== undefined && option.value !== null) raw[option.name] = option.value;
  }
  return raw;
}

/** Autocomplete for one option: up to 25 catalog entries matching what was typed, from the bundled
 * snapshot only (answers must come within 3 s and never wait on an upstream). */
export function autocompleteChoices(
  snapshot: Snapshot,
  command: AnyCommand | undefined,
  optionName: string,
  typed: string,
): SlashChoice[] {
  const catalog = command?.options.find((o) => o.name === optionName)?.catalog;
  if (!catalog) return [];
  return matchNamed(catalogItems(snapshot, catalog), typed.slice(0, 100), CHOICES_MAX).map((item) => ({
    name: clip(item.name, CHOICE_NAME_MAX),
    value: item.id,
  }));
}
