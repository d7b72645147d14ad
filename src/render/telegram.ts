/** Reply → Telegram messages in HTML parse mode. Pure: no I/O, no clock.
 *
 *   <b>Title</b>
 *   summary
 *
 *   <b>field</b>: value
 *   <pre>table</pre>
 *   ⚠️ warning
 *   <i>Sources: … (live, 12 s old)</i>
 *
 * Every string from a command, the user or an upstream is escaped here and only here. Answers longer
 * than one message are split at line boundaries (or spaces, for a single very long line), closing the
 * open tags at the end of a message and reopening them at the start of the next, so a table that
 * does not fit stays a monospace block in both halves. */
import type { Reply } from "../core/index.ts";
import { sourcesLine, tableLines } from "./text.ts";

/** Telegram's limit for one message. Measured here on the HTML source, which is never shorter than
 * the text Telegram counts after parsing the entities, so every chunk is safely within it. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** Escapes text for Telegram HTML (text and attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

export function renderTelegram(reply: Reply, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitHtml(replyHtml(reply), limit);
}

function replyHtml(reply: Reply): string {
  const lines = [`<b>${escapeHtml(reply.title)}</b>`];
  if (reply.readAs) lines.push(`<i>Read as ${escapeHtml(reply.readAs)}</i>`);
  if (reply.summary) lines.push(escapeHtml(reply.summary));
  // An error is a short message: what went wrong and how to fix it (or the error id).
  if (reply.error) return lines.join("\n");
  if (reply.fields.length) {
    lines.push("", ...reply.fields.map((f) => `<b>${escapeHtml(f.name)}</b>: ${escapeHtml(f.value)}`));
  }
  if (reply.table) lines.push("", `<pre>${tableLines(reply.table).map(escapeHtml).join("\n")}</pre>`);
  if (reply.warnings.length) lines.push("", ...reply.warnings.map((w) => `⚠️ ${escapeHtml(w)}`));
  const sources = sourcesLine(reply);
  if (sources) lines.push("", `<i>${escapeHtml(sources)}</i>`);
  return lines.join("\n");
}

/** One piece of the HTML we produce: a tag, an entity, or one character (code point). */
type Token =
  | { kind: "open"; name: string; raw: string }
  | { kind: "close"; name: string; raw: string }
  | { kind: "text"; raw: string };

interface OpenTag {
  name: string;
  raw: string;
}

/** Where a chunk may end: before a newline or a space. */
interface Break {
  /** Length of the chunk up to (not including) the separator. */
  at: number;
  stack: OpenTag[];
  /** Token index after the separator: where the next chunk starts. */
  next: number;
  /** Whether the chunk up to here has any text (never emit a chunk of bare tags). */
  hasText: boolean;
}

const TOKEN = /<\/([a-z]+)>|<([a-z]+)(?:\s[^>]*)?>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);|[\s\S]/giu;

function tokenize(html: string): Token[] {
  const tokens: Token[] = [];
  for (const match of html.matchAll(TOKEN)) {
    const [raw, closing, opening] = match;
    if (closing) tokens.push({ kind: "close", name: closing.toLowerCase(), raw });
    else if (opening) tokens.push({ kind: "open", name: opening.toLowerCase(), raw });
    else tokens.push({ kind: "text", raw });
  }
  return tokens;
}

const closeTags = (stack: readonly OpenTag[]) =>
  stack
    .map((t) => `</${t.name}>`)
    .reverse()
    .join("");
const openTags = (stack: readonly OpenTag[]) => stack.map((t) => t.raw).join("");

function afterToken(stack: readonly OpenTag[], token: Token): OpenTag[] {
  if (token.kind === "open") return [...stack, { name: token.name, raw: token.raw }];
  if (token.kind === "close") {
    const at = stack.map((t) => t.name).lastIndexOf(token.name);
    return at === -1 ? [...stack] : stack.slice(0, at);
  }
  return [...stack];
}

/** Splits well-formed HTML into chunks of at most `limit` characters, each well-formed on its own.
 * Prefers a line break in the second half of a chunk, then the last space, then any token boundary;
 * never cuts inside a tag or an entity. */
export function splitHtml(html: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  if (html.length <= limit) return [html];
  const tokens = tokenize(html);
  const chunks: string[] = [];
  let stack: OpenTag[] = [];
  let current = "";
  let hasText = false;
  let lineBreak: Break | undefined;
  let space: Break | undefined;

  const begin = (open: OpenTag[]) => {
    stack = open;
    current = openTags(open);
    hasText = false;
    lineBreak = undefined;
    space = undefined;
  };
  const emit = (body: string, open: readonly OpenTag[]) => chunks.push(body + closeTags(open));

  begin([]);
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    const next = afterToken(stack, token);
    // A chunk without text always takes the token, so even a tiny limit makes progress.
    if (!hasText || current.length + token.raw.length + closeTags(next).length <= limit) {
      if (token.raw === "\n" || token.raw === " ") {
        const at: Break = { at: current.length, stack: [...stack], next: i + 1, hasText };
        if (token.raw === "\n") lineBreak = at;
        else space = at;
      }
      if (token.kind === "text" && token.raw.trim()) hasText = true;
      current += token.raw;
      stack = next;
      i++;
      continue;
    }
    const cut = chooseBreak(lineBreak, space, limit);
    if (cut) {
      emit(current.slice(0, cut.at), cut.stack);
      begin(cut.stack);
      i = cut.next;
    } else {
      emit(current, stack);
      begin(stack);
    }
  }
  emit(current, stack);
  return chunks.map(tidy).filter((chunk) => chunk.replace(/<[^>]*>/g, "").trim() !== "");
}

function chooseBreak(
  lineBreak: Break | undefined,
  space: Break | undefined,
  limit: number,
): Break | undefined {
  const newline = lineBreak?.hasText ? lineBreak : undefined;
  const word = space?.hasText ? space : undefined;
  if (newline && newline.at >= limit / 2) return newline;
  if (newline && word) return newline.at > word.at ? newline : word;
  return newline ?? word;
}

/** Newlines right after the reopened tags or right before the closing ones are only noise. */
function tidy(chunk: string): string {
  return chunk.replace(/^((?:<[a-z][^>]*>)*)\n+/i, "$1").replace(/\n+((?:<\/[a-z]+>)*)$/i, "$1");
}
