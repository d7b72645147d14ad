/** Runs a command for any platform and always returns a Reply: a result, or an error message. */
import { randomUUID } from "node:crypto";
import type { AnyCommand, CommandContext, Registry } from "./command.ts";
import { UserError } from "./errors.ts";
import { age } from "./format.ts";
import { decodeTextArgs, parseCommandLine } from "./parse.ts";
import type { Deps } from "./ports.ts";
import type { Reply, ReplyDraft, SourceRef } from "./reply.ts";
import { closest } from "./suggest.ts";
import { validateArgs } from "./validate.ts";

export async function runCommand(
  command: AnyCommand,
  raw: Record<string, unknown>,
  ctx: CommandContext<Deps>,
): Promise<Reply> {
  // Monotonic, for a duration only; the answer's own time comes from the injected clock.
  const startedMs = performance.now();
  const reply = await runValidated(command, raw, ctx);
  const { observer } = ctx.deps;
  if (observer) {
    try {
      observer.commandFinished({
        command: command.name,
        platform: ctx.invocation.platform,
        durationMs: performance.now() - startedMs,
        outcome: reply.error?.code ?? "ok",
        ...(reply.error?.errorId ? { errorId: reply.error.errorId } : {}),
        args: raw,
      });
    } catch {
      // Counting must never cost an answer.
    }
  }
  return reply;
}

async function runValidated(
  command: AnyCommand,
  raw: Record<string, unknown>,
  ctx: CommandContext<Deps>,
): Promise<Reply> {
  try {
    const args = validateArgs(command, raw);
    const draft = await command.run(args, ctx);
    assertFinite(draft.data, "data");
    return finishReply(draft, ctx.deps.clock.now().toISOString());
  } catch (error) {
    return errorReply(error, command.name, ctx.deps);
  }
}

/** Telegram and console entry: one line of text in, a Reply out (undefined when the line is
 * addressed to another bot or is not a command). */
export async function runTextLine(
  registry: Registry,
  line: string,
  ctx: CommandContext<Deps>,
  botUsername?: string,
): Promise<Reply | undefined> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(line);
  } catch (error) {
    return errorReply(error, "", ctx.deps);
  }
  if (!parsed) return undefined;
  if (parsed.addressedTo && botUsername && parsed.addressedTo !== botUsername.toLowerCase()) return undefined;
  const name = parsed.name === "start" ? "help" : parsed.name;
  const command = registry.find(name);
  if (!command) return errorReply(unknownCommand(registry, parsed.name), parsed.name, ctx.deps);
  try {
    return await runCommand(command, decodeTextArgs(command, parsed.tokens), ctx);
  } catch (error) {
    return errorReply(error, command.name, ctx.deps);
  }
}

/** A NaN or Infinity in an answer is a bug, never a figure to show: fail loudly (logged with an id). */
function assertFinite(value: unknown, path: string): void {
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`non-finite number at ${path}`);
  if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) assertFinite(inner, `${path}.${key}`);
  }
}

export function unknownCommand(registry: Registry, name: string): UserError {
  const names = registry.commands.map((c) => c.name);
  const suggestion = closest(name, names);
  return new UserError(
    "unknown_command",
    `Unknown command /${name}.${suggestion ? ` Did you mean /${suggestion}?` : ""} Commands: ${names.map((n) => `/${n}`).join(", ")}.`,
    { allowed: names.join(", "), ...(suggestion ? { suggestion } : {}) },
  );
}

/** Adds what every answer owes its reader: when it was made, and a warning for each input that is
 * stale or came from the snapshot because live data was unavailable. */
export function finishReply(draft: ReplyDraft, generatedAt: string): Reply {
  const sources = dedupeSources(draft.sources);
  const warnings = [...(draft.warnings ?? [])];
  for (const source of sources.filter((s) => s.status === "stale")) {
    const fetched = source.fetchedAt ?? source.asOf;
    warnings.push(
      `${source.name} is stale: last fetched ${age(fetched, generatedAt)} ago (upstream unavailable).`,
    );
  }
  const fallbacks = sources.filter((s) => s.status !== "stale" && s.fallback);
  if (fallbacks.length) {
    const list = fallbacks.map((s) => `${s.name} (as of ${s.asOf.slice(0, 10)})`).join(", ");
    warnings.push(`Live data unavailable, answered from the bundled snapshot: ${list}.`);
  }
  // A draft may already be a finished reply (digest preview): never say the same warning twice.
  return { ...draft, fields: draft.fields ?? [], sources, warnings: [...new Set(warnings)], generatedAt };
}

function dedupeSources(sources: readonly SourceRef[]): SourceRef[] {
  const seen = new Map<string, SourceRef>();
  for (const source of sources) seen.set(`${source.name}|${source.source}`, source);
  return [...seen.values()];
}

export function errorReply(error: unknown, commandName: string, deps: Pick<Deps, "clock" | "logger">): Reply {
  const generatedAt = deps.clock.now().toISOString();
  const base = { fields: [], sources: [], warnings: [], data: {}, generatedAt };
  if (error instanceof UserError) {
    const title =
      error.code === "forbidden"
        ? "Not allowed"
        : error.code === "rate_limited"
          ? "Slow down"
          : "Can't do that";
    return { ...base, title, summary: error.message, error: { code: error.code } };
  }
  const errorId = randomUUID().slice(0, 8);
  deps.logger.error("command failed", {
    errorId,
    command: commandName,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return {
    ...base,
    title: "Something went wrong",
    summary: `Sorry, that failed on our side. Error id: ${errorId}.`,
    error: { code: "internal", errorId },
  };
}
