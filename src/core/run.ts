/** Runs a command for any platform and always returns a Reply: a result, or an error message. */
import { randomUUID } from "node:crypto";
import type { AnyCommand, CommandContext, Registry } from "./command.ts";
import { UserError } from "./errors.ts";
import { age } from "./format.ts";
import { catalogsOf } from "./lookup.ts";
import { decodeTextLine, splitHead } from "./parse.ts";
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
    const args = validateArgs(command, raw, catalogsOf(ctx.deps.snapshot));
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
  const parsed = splitHead(line);
  if (!parsed) return undefined;
  if (parsed.addressedTo && botUsername && parsed.addressedTo !== botUsername.toLowerCase()) return undefined;
  const name = parsed.name === "start" ? "help" : parsed.name;
  const command = registry.find(name);
  if (!command) return errorReply(unknownCommand(registry, parsed.name), parsed.name, ctx.deps);
  try {
    const raw = decodeTextLine(command, parsed.rest, catalogsOf(ctx.deps.snapshot));
    return await runCommand(command, raw, ctx);
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

/** The longest headline any platform shows whole (a phone's notification, Discord's embed title). */
export const HEADLINE_MAX = 160;

/** Adds what every answer owes its reader: when it was made, and a warning for each input that is
 * stale or came from the snapshot because live data was unavailable. The headline says the same
 * once, up front ("… — on Jan 2026 data, live data unavailable"), so nobody reads twelve figures
 * before learning they are old. */
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
  const freshness = freshnessNote(sources, generatedAt);
  const headline = draft.headline ? withFreshness(draft.headline, freshness) : undefined;
  // A draft may already be a finished reply (digest preview): never say the same warning twice.
  return {
    ...draft,
    ...(headline ? { headline } : {}),
    ...(freshness ? { freshness } : {}),
    fields: draft.fields ?? [],
    sources,
    warnings: [...new Set(warnings)],
    generatedAt,
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Jan 2026" for "2026-01-08", "2025" for "2025": how old published data reads to a person. */
export function monthYear(iso: string): string {
  const match = /^(\d{4})(?:-(\d{2}))?/.exec(iso);
  if (!match) return iso;
  const month = match[2] ? MONTHS[Number(match[2]) - 1] : undefined;
  return month ? `${month} ${match[1]}` : match[1]!;
}

/** One phrase for the weakest input: a snapshot fallback is dated by its oldest figure, a stale
 * value by its age; undefined when every live input is fresh. */
export function freshnessNote(sources: readonly SourceRef[], generatedAt: string): string | undefined {
  const fallbacks = sources.filter((s) => s.status !== "stale" && s.fallback);
  if (fallbacks.length) {
    const oldest = fallbacks.map((s) => s.asOf).sort()[0]!; // ISO dates sort as text
    return `on ${monthYear(oldest)} data — live data unavailable`;
  }
  const stale = sources.filter((s) => s.status === "stale");
  if (stale.length) {
    const oldest = stale.map((s) => s.fetchedAt ?? s.asOf).sort()[0]!;
    return `on data ${age(oldest, generatedAt)} old — live data unavailable`;
  }
  return undefined;
}

/** The headline with the freshness note appended, within HEADLINE_MAX: the command's sentence is
 * shortened at a word (its key number comes first) so the note is never the part that is lost. */
export function withFreshness(headline: string, freshness: string | undefined): string {
  // A finished reply run again (the digest preview) already says it.
  if (freshness && headline.includes(`(${freshness})`)) return headline;
  const base = headline.replace(/[.\s]+$/, "");
  const suffix = freshness ? ` (${freshness})` : "";
  const room = HEADLINE_MAX - suffix.length - (freshness ? 0 : 1);
  const cut = base.length <= room ? base : `${base.slice(0, base.lastIndexOf(" ", room - 1))}…`;
  return freshness ? `${cut}${suffix}.` : `${cut}.`;
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
    return { ...base, title: errorTitle(error), summary: error.message, error: { code: error.code } };
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

/** Errors are titled by what went wrong, in the option's own words: "Unknown region", "Invalid pue". */
export function errorTitle(error: UserError): string {
  // The option as the user types it: "Invalid usd_per_kwh", "Unknown region".
  const option = error.details.option;
  switch (error.code) {
    case "unknown_command":
      return "Unknown command";
    case "unknown_option":
      return "Unknown option";
    case "unknown_name":
      return option ? `Unknown ${option}` : "Unknown name";
    case "missing_value":
      return option ? `Missing ${option}` : "Missing value";
    case "invalid_value":
      return option ? `Invalid ${option}` : "Invalid input";
    case "too_many_values":
      return "Too many values";
    case "parse_error":
      return "Can't read that command";
    case "forbidden":
      return "Not allowed";
    case "rate_limited":
      return "Slow down";
    case "unavailable":
      return "Not available here";
  }
}
