/** The one neutral command model every platform serves. */
import type { z } from "zod";
import type { Deps } from "./ports.ts";
import type { ReplyDraft } from "./reply.ts";

export type OptionType = "string" | "number" | "integer" | "boolean";

/** Named lists an option's value is looked up in (and that Discord autocompletes from). */
export type Catalog = "region" | "machine" | "model" | "device" | "forecast";

export interface OptionSpec {
  name: string;
  description: string;
  type: OptionType;
  required?: boolean;
  choices?: readonly string[];
  min?: number;
  max?: number;
  catalog?: Catalog;
  /** A value that works, used in error messages: "0.045". */
  example?: string;
  /** The value used when none is given (the schema applies it; help states it). */
  default?: string | number | boolean;
  /** Units a number may carry, each with its factor into the option's unit ("c" → 0.01). */
  units?: Readonly<Record<string, number>>;
  /** What "k" after a number means for this option: 1000, or 1024 for token counts. */
  kilo?: number;
  /** Takes the whole rest of a text line as typed, quotes and apostrophes included (ask's question). */
  rest?: boolean;
  /** Other words for a choice ("q8" → "q8_0"). */
  choiceAliases?: Readonly<Record<string, string>>;
}

export type Platform = "discord" | "telegram" | "cli" | "digest";

/** Who asked and where; commands that change per-chat state (digest) read it. */
export interface Invocation {
  platform: Platform;
  /** Discord channel id or Telegram chat id; "console" for the CLI. */
  chatId: string;
  userId?: string;
  /** Whether the caller may change this chat's settings (Manage Channels, group admin, …). */
  canManage: boolean;
  /** Why canManage is false, said back to the user when a change is refused. */
  manageRequirement?: string;
}

export interface CommandContext<D = Deps> {
  deps: D;
  invocation: Invocation;
}

export interface Command<A = Record<string, unknown>, D = Deps> {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  /** Validates the decoded options on every platform, so all give the same error for one mistake. */
  args: z.ZodType<A>;
  /** Lines a user can type, shown in help and in error messages. */
  examples: readonly string[];
  /** True when the answer waits on upstream data (adapters show "typing" or defer). */
  usesUpstream: boolean;
  run(args: A, ctx: CommandContext<D>): Promise<ReplyDraft>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds commands of every argument type
export type AnyCommand = Command<any, any>;

export function defineCommand<S extends z.ZodType, D = Deps>(command: {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  args: S;
  examples: readonly string[];
  usesUpstream: boolean;
  run(args: z.output<S>, ctx: CommandContext<D>): Promise<ReplyDraft>;
}): Command<z.output<S>, D> {
  return command as Command<z.output<S>, D>;
}

export interface Registry {
  readonly commands: readonly AnyCommand[];
  find(name: string): AnyCommand | undefined;
}

export function createRegistry(commands: readonly AnyCommand[]): Registry {
  const byName = new Map(commands.map((c) => [c.name, c]));
  if (byName.size !== commands.length) throw new Error("duplicate command name in registry");
  return {
    commands,
    find: (name) => byName.get(name.toLowerCase()),
  };
}
