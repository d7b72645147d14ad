/** The console adapter: the same text grammar as Telegram, answers printed as plain text or JSON.
 * decode (line or argv) → run → render (text or JSON) → print. */
import { createInterface } from "node:readline";
import type {
  Catalog,
  CommandContext,
  Deps,
  Named,
  OptionSpec,
  Registry,
  Reply,
  Snapshot,
} from "../../core/index.ts";
import {
  decodeTextArgs,
  errorReply,
  parseCommandLine,
  runCommand,
  runTextLine,
  unknownCommand,
} from "../../core/index.ts";
import { renderText } from "../../render/text.ts";

const invocation = { platform: "cli", chatId: "console", canManage: true } as const;

export interface ConsoleOutput {
  out(text: string): void;
  err(text: string): void;
}

/** One-shot: argv as the shell split it (`mining_cost paraguay "machine=S21 XP" --json`).
 * Returns the process exit code: 0 answered, 2 bad input, 1 internal error. */
export async function runOnce(
  registry: Registry,
  deps: Deps,
  argv: readonly string[],
  io: ConsoleOutput,
): Promise<number> {
  const json = argv.includes("--json");
  const [name = "help", ...tokens] = argv.filter((a) => a !== "--json");
  const ctx: CommandContext = { deps, invocation };
  // The same names as in chat: "/mining_cost", "mining_cost@SomeBot" and "start" (= help) work too.
  const parsed = parseCommandLine(name)?.name ?? name;
  const command = registry.find(parsed === "start" ? "help" : parsed);
  let reply: Reply;
  if (!command) reply = errorReply(unknownCommand(registry, parsed), parsed, deps);
  else {
    try {
      reply = await runCommand(command, decodeTextArgs(command, tokens), ctx);
    } catch (error) {
      reply = errorReply(error, command.name, deps);
    }
  }
  if (json) io.out(JSON.stringify(reply, null, 2));
  else if (reply.error) io.err(renderText(reply));
  else io.out(renderText(reply));
  return exitCode(reply);
}

export function exitCode(reply: Reply): number {
  if (!reply.error) return 0;
  return reply.error.code === "internal" ? 1 : 2;
}

/** Interactive: one command per line until "exit", Ctrl-D or end of input. On a terminal (io.terminal)
 * it is Node's readline in terminal mode: line editing, history (↑/↓) and tab completion of
 * commands, option names and catalog names; piped input is read line by line as it comes. */
export async function runConsole(
  registry: Registry,
  deps: Deps,
  input: NodeJS.ReadableStream,
  io: ConsoleOutput & { prompt?: string; terminal?: NodeJS.WritableStream },
): Promise<void> {
  const rl = io.terminal
    ? createInterface({
        input,
        output: io.terminal,
        terminal: true,
        historySize: 500,
        removeHistoryDuplicates: true,
        completer: createCompleter(registry, deps.snapshot),
      })
    : createInterface({ input, terminal: false });
  const ctx: CommandContext = { deps, invocation };
  if (io.prompt) rl.setPrompt(io.prompt);
  const prompt = () => {
    if (io.prompt) io.terminal ? rl.prompt() : process.stdout.write(io.prompt);
  };
  prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === "exit" || text === "quit") break;
    if (text) {
      const reply = await runTextLine(registry, text, ctx);
      if (reply) io.out(`${renderText(reply)}\n`);
    }
    prompt();
  }
  rl.close();
}

/** Tab completion in the grammar of the chats: the first word completes to a command name; later
 * words to `option=` names not given yet, to the values of the next positional option (its choices
 * or catalog ids) and, after `option=`, to that option's values. */
export function createCompleter(
  registry: Registry,
  snapshot: Snapshot,
): (line: string) => [string[], string] {
  const catalogs: Record<Catalog, readonly Named[]> = {
    region: snapshot.regions,
    machine: snapshot.machines,
    model: snapshot.models,
    device: snapshot.devices,
  };
  const valuesOf = (option: OptionSpec | undefined): string[] => {
    if (!option) return [];
    if (option.choices) return [...option.choices];
    if (option.catalog) return catalogs[option.catalog].map((item) => item.id);
    if (option.type === "boolean") return ["true", "false"];
    return [];
  };
  return (line) => {
    const word = /\S*$/.exec(line)![0];
    const tokens = line
      .slice(0, line.length - word.length)
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const startsWith = (candidates: string[], typed: string) =>
      candidates.filter((c) => c.toLowerCase().startsWith(typed.toLowerCase()));
    if (tokens.length === 0) {
      const slash = word.startsWith("/") ? "/" : "";
      const names = [...registry.commands.map((c) => c.name), "exit"];
      return [startsWith(names, word.slice(slash.length)).map((n) => `${slash}${n}`), word];
    }
    const command = registry.find(tokens[0]!.replace(/^\//, "").replace(/@.*$/, ""));
    if (!command) return [[], word];
    const equals = word.indexOf("=");
    if (equals > 0) {
      const name = word.slice(0, equals);
      const option = command.options.find((o) => o.name === name);
      return [startsWith(valuesOf(option), word.slice(equals + 1)).map((v) => `${name}=${v}`), word];
    }
    const given = tokens.slice(1);
    const named = new Set(given.filter((t) => t.includes("=")).map((t) => t.slice(0, t.indexOf("="))));
    const positionalCount = given.filter((t) => !t.includes("=")).length;
    const free = command.options.filter((o) => !named.has(o.name));
    const next = free[positionalCount];
    const candidates = [...valuesOf(next), ...free.map((o) => `${o.name}=`)];
    return [startsWith(candidates, word), word];
  };
}
