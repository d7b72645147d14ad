/** The console adapter: the same text grammar as Telegram, answers printed as plain text or JSON.
 * decode (line or argv) → run → render (text or JSON) → print. */
import { writeFile } from "node:fs/promises";
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
  catalogItems,
  closest,
  errorReply,
  runTextLine,
  splitHead,
  unknownCommand,
} from "../../core/index.ts";
import { renderText } from "../../render/text.ts";

const invocation = { platform: "cli", chatId: "console", canManage: true } as const;

export interface ConsoleOutput {
  out(text: string): void;
  err(text: string): void;
}

/** One-shot: argv as the shell split it (`mining_cost texas machine=S21 XP --json`; `--chart
 * FILE.png` also writes the answer's chart). The words are joined back into one line and parsed
 * exactly like a chat line, so the shell's splitting never changes the answer; a word the shell
 * kept whole ("0 8 * * *") is quoted again.
 * Returns the process exit code: 0 answered, 2 bad input (or a --chart without a file), 1 internal error. */
export async function runOnce(
  registry: Registry,
  deps: Deps,
  argv: readonly string[],
  io: ConsoleOutput,
): Promise<number> {
  const json = argv.includes("--json");
  const { chartFile, rest, problem } = takeChartOption(argv.filter((a) => a !== "--json"));
  if (problem) {
    io.err(problem);
    return 2;
  }
  const line = asQuestion(registry, joinArgv(rest) || "help");
  const ctx: CommandContext = { deps, invocation };
  const reply =
    (await runTextLine(registry, line, ctx)) ?? errorReply(unknownCommand(registry, line), line, deps);
  if (json) io.out(JSON.stringify(reply, null, 2));
  else if (reply.error) io.err(renderText(reply));
  else io.out(renderText(reply));
  if (chartFile && !reply.error) await writeChart(reply, chartFile, io);
  return exitCode(reply);
}

/** The console is a private chat: a line that is no command (and no near miss of one) is a
 * question for ask, as plain text in a private Telegram chat is. */
export function asQuestion(registry: Registry, line: string): string {
  const head = splitHead(line);
  if (!head || line.trim().startsWith("/") || !registry.find("ask")) return line;
  const name = head.name === "start" ? "help" : head.name;
  if (
    registry.find(name) ||
    closest(
      name,
      registry.commands.map((c) => c.name),
    )
  )
    return line;
  return `ask ${line}`;
}

/** argv → one chat line: words as they are, a word with spaces in quotes. */
export function joinArgv(argv: readonly string[]): string {
  return argv
    .map((word) => {
      if (!/\s/.test(word)) return word;
      return word.includes('"') ? `'${word}'` : `"${word}"`;
    })
    .join(" ")
    .trim();
}

/** `--chart FILE.png` or `--chart=FILE.png`, taken out of the command's own arguments. */
function takeChartOption(argv: readonly string[]): { chartFile?: string; rest: string[]; problem?: string } {
  const rest: string[] = [];
  let chartFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--chart" || arg.startsWith("--chart=")) {
      chartFile = arg === "--chart" ? argv[++i] : arg.slice("--chart=".length);
      if (!chartFile || chartFile.startsWith("--"))
        return { rest, problem: "--chart needs a file name, e.g. --chart cost.png" };
      continue;
    }
    rest.push(arg);
  }
  return { ...(chartFile ? { chartFile } : {}), rest };
}

/** The chart renderer loads on demand: an answer without --chart never pays for it. */
async function writeChart(reply: Reply, file: string, io: ConsoleOutput): Promise<void> {
  if (!reply.chart) {
    io.err(`This answer has no chart; ${file} was not written.`);
    return;
  }
  const { createChartRenderer } = await import("../../charts/render.ts");
  const image = await createChartRenderer().png(reply.chart);
  await writeFile(file, image.png);
  io.err(
    `Chart written to ${file} (${image.width}×${image.height} px, ${Math.round(image.png.length / 1024)} kB).`,
  );
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
      const reply = await runTextLine(registry, asQuestion(registry, text), ctx);
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
  const catalogs = (catalog: Catalog): readonly Named[] => catalogItems(snapshot, catalog);
  const valuesOf = (option: OptionSpec | undefined): string[] => {
    if (!option) return [];
    if (option.choices) return [...option.choices];
    if (option.catalog) return catalogs(option.catalog).map((item) => item.id);
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
