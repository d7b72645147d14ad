/** The console adapter: the same text grammar as Telegram, answers printed as plain text or JSON.
 * decode (line or argv) → run → render (text or JSON) → print. */
import { createInterface } from "node:readline";
import type { CommandContext, Deps, Registry, Reply } from "../../core/index.ts";
import { closest, errorReply, runTextLine, splitHead, unknownCommand } from "../../core/index.ts";
import { renderText } from "../../render/text.ts";

const invocation = { platform: "cli", chatId: "console", canManage: true } as const;

export interface ConsoleOutput {
  out(text: string): void;
  err(text: string): void;
}

/** One-shot: argv as the shell split it (`mining_cost texas machine=S21 XP --json`). The words are
 * joined back into one line and parsed exactly like a chat line, so the shell's splitting never
 * changes the answer; a word the shell kept whole ("0 8 * * *") is quoted again.
 * Returns the process exit code: 0 answered, 2 bad input, 1 internal error. */
export async function runOnce(
  registry: Registry,
  deps: Deps,
  argv: readonly string[],
  io: ConsoleOutput,
): Promise<number> {
  const json = argv.includes("--json");
  const line = asQuestion(registry, joinArgv(argv.filter((a) => a !== "--json")) || "help");
  const ctx: CommandContext = { deps, invocation };
  const reply =
    (await runTextLine(registry, line, ctx)) ?? errorReply(unknownCommand(registry, line), line, deps);
  if (json) io.out(JSON.stringify(reply, null, 2));
  else if (reply.error) io.err(renderText(reply));
  else io.out(renderText(reply));
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

export function exitCode(reply: Reply): number {
  if (!reply.error) return 0;
  return reply.error.code === "internal" ? 1 : 2;
}

/** Interactive: one command per line until "exit", Ctrl-D or end of input. */
export async function runConsole(
  registry: Registry,
  deps: Deps,
  input: NodeJS.ReadableStream,
  io: ConsoleOutput & { prompt?: string },
): Promise<void> {
  const rl = createInterface({ input, terminal: false });
  const ctx: CommandContext = { deps, invocation };
  const prompt = () => io.prompt && process.stdout.write(io.prompt);
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
