/** Reply → Telegram messages in HTML parse mode. Pure: no I/O, no clock.
 *
 *   <b>Headline with the key number.</b>
 *   Cost per BTC: <b>$81,465</b>            ← 3–6 key figures
 *   <blockquote expandable>details…</blockquote>   ← folded: summary, fields, ranked list, warnings
 *   <pre>narrow table</pre>                  ← only when it fits a phone (≤ 36 columns)
 *   <i>Sources: mempool.space live 12 s · EIA Nov 2025</i>
 *
 * With a chart the same text is the photo's caption when it fits 1024 characters; otherwise the
 * caption is the headline, figures and sources, and the details follow as a second message.
 *
 * Every string from a command, the user or an upstream is escaped here and only here. Answers longer
 * than one message are split at line boundaries (or spaces, for a single very long line), closing the
 * open tags at the end of a message and reopening them at the start of the next. Telegram lets no
 * entity contain a <pre>, so a table is never inside the quote: one wider than a phone's monospace
 * line becomes a list inside it instead. */
import type { Reply } from "../core/index.ts";
import { encodeAction } from "./actions.ts";
import { sourcesLine, tableAsList, tableLines, tableWidth } from "./text.ts";

/** Telegram's limit for one message. Measured here on the HTML source, which is never shorter than
 * the text Telegram counts after parsing the entities, so every chunk is safely within it. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;
/** Telegram's limit for a photo caption (counted the same way). */
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** About as many monospace characters as a 390-px-wide phone shows on one line. */
export const TELEGRAM_PRE_WIDTH = 36;
/** A monospace table longer than this goes in the fold as a list, so the first screen stays short. */
const PRE_TABLE_MAX_CHARS = 320;

/** Escapes text for Telegram HTML (text and attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** The answer as text messages (no chart). */
export function renderTelegram(reply: Reply, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitHtml(joinBlocks([leadHtml(reply), detailsHtml(reply), sourcesHtml(reply)]), limit);
}

export interface TelegramPhotoPost {
  /** HTML caption of the photo, at most TELEGRAM_CAPTION_LIMIT characters. */
  caption: string;
  /** Messages after the photo: the details, when they did not fit in the caption. */
  messages: string[];
}

/** The answer as a photo (its chart) with a caption, and the details after it only when needed. */
export function renderTelegramPhoto(reply: Reply, limit = TELEGRAM_MESSAGE_LIMIT): TelegramPhotoPost {
  const lead = leadHtml(reply);
  const details = detailsHtml(reply);
  const sources = sourcesHtml(reply);
  const whole = joinBlocks([lead, details, sources]);
  if (whole.length <= TELEGRAM_CAPTION_LIMIT) return { caption: whole, messages: [] };
  const caption = splitHtml(joinBlocks([lead, sources]), TELEGRAM_CAPTION_LIMIT)[0]!;
  return { caption, messages: details ? splitHtml(details, limit) : [] };
}

/** What is seen first: the headline and the key figures; an error or a note without a headline
 * shows its title and message. */
function leadHtml(reply: Reply): string {
  const lines = reply.headline
    ? [`<b>${escapeHtml(reply.headline)}</b>`]
    : [`<b>${escapeHtml(reply.title)}</b>`, ...(reply.summary ? [escapeHtml(reply.summary)] : [])];
  if (reply.readAs) lines.splice(1, 0, `<i>Read as ${escapeHtml(reply.readAs)}</i>`);
  for (const f of reply.figures ?? []) lines.push(`${escapeHtml(f.label)}: <b>${escapeHtml(f.value)}</b>`);
  return lines.join("\n");
}

/** The fold: an expandable quote with the details, and a narrow table after it. */
function detailsHtml(reply: Reply): string {
  // An error is a short message: what went wrong and how to fix it (or the error id); a compact
  // answer (the digest) is one post without a fold.
  if (reply.error || reply.compact) return "";
  const lines: string[] = [];
  if (reply.headline) {
    lines.push(`<b>${escapeHtml(reply.title)}</b>`);
    if (reply.summary) lines.push(escapeHtml(reply.summary));
  }
  for (const f of reply.fields) lines.push(`<b>${escapeHtml(f.name)}</b>: ${escapeHtml(f.value)}`);
  const table = reply.table?.rows.length ? reply.table : undefined;
  const pre =
    table &&
    tableWidth(table) <= TELEGRAM_PRE_WIDTH &&
    tableLines(table).join("\n").length <= PRE_TABLE_MAX_CHARS
      ? `<pre>${tableLines(table).map(escapeHtml).join("\n")}</pre>`
      : "";
  if (table && !pre) lines.push(...tableAsList(table).map((l) => `• ${escapeHtml(l)}`));
  lines.push(...reply.warnings.map((w) => `⚠️ ${escapeHtml(w)}`));
  const quote = lines.length ? `<blockquote expandable>${lines.join("\n")}</blockquote>` : "";
  return joinBlocks([quote, pre]);
}

function sourcesHtml(reply: Reply): string {
  if (reply.error) return "";
  const line = sourcesLine(reply);
  return line ? `<i>${escapeHtml(line)}</i>` : "";
}

function joinBlocks(blocks: readonly string[]): string {
  return blocks.filter(Boolean).join("\n");
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

/** Telegram's limit for a button's callback data. */
const CALLBACK_DATA_MAX_BYTES = 64;

export interface TelegramKeyboard {
  inline_keyboard: { text: string; callback_data: string }[][];
}

/** The answer's actions as an inline keyboard, two buttons a row (a phone shows them whole). */
export function telegramKeyboard(reply: Reply, nowMs: number): TelegramKeyboard | undefined {
  if (reply.error) return undefined;
  const buttons = (reply.actions ?? []).flatMap((action) => {
    const data = encodeAction(action, nowMs, CALLBACK_DATA_MAX_BYTES);
    return data ? [{ text: action.label.slice(0, 40), callback_data: data }] : [];
  });
  if (!buttons.length) return undefined;
  const rows: { text: string; callback_data: string }[][] = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return { inline_keyboard: rows };
}
