/** Reply → Discord message (embeds), within Discord's limits. Pure: no client, no clock.
 *
 * Layout of an answer with a headline: a first embed with the title as its author line, the
 * headline as its title, the key figures as its description and the chart as its image; then the
 * details (summary, fields, table, warnings) in the embeds below the image, and the sources line
 * in the footer of the last. An error or a note has one embed: title, message, fields.
 *
 * A table goes into a description as a code block when it fits, otherwise into following embeds
 * split by rows. Text is cut only at line or word boundaries and table rows are never cut, so no
 * number is ever truncated; rows that cannot fit at all are counted in a note. */
import type { Reply } from "../core/index.ts";
import { encodeAction } from "./actions.ts";
import { sourcesLine, tableLines } from "./text.ts";

/** Discord's documented embed limits. */
export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Sum of title, description, field names and values, footer and author text over all embeds of a message. */
  total: 6000,
  embeds: 10,
} as const;

export const COLORS = {
  /** Every live input fetched within its TTL. */
  fresh: 0x2ecc71,
  /** An input is past its TTL (upstream unavailable). */
  stale: 0xf1c40f,
  /** Live data was wanted but the bundled snapshot answered. */
  fallback: 0x95a5a6,
  /** Only published reference figures (nothing live was needed). */
  reference: 0x3498db,
  error: 0xe74c3c,
} as const;

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

/** Structurally an APIEmbed, kept local so the renderer needs no platform library. */
export interface DiscordEmbed {
  title?: string;
  description?: string;
  color: number;
  author?: { name: string };
  fields?: DiscordEmbedField[];
  image?: { url: string };
  footer?: { text: string };
  timestamp?: string;
}

/** A row of buttons (component type 1 holding type 2, style 2 = secondary). */
export interface DiscordActionRow {
  type: 1;
  components: { type: 2; style: 2; label: string; custom_id: string }[];
}

export interface DiscordMessage {
  embeds: DiscordEmbed[];
  content?: string;
  components?: DiscordActionRow[];
}

export interface DiscordRenderOptions {
  /** The chart's URL, "attachment://chart.png" when the adapter attaches the PNG. */
  imageUrl?: string;
  /** When the answer is sent, Unix ms: its buttons carry it and expire a day later. Without it,
   * no buttons. */
  nowMs?: number;
}

/** Discord's limits for buttons: 5 a row, a label of 80, a custom_id of 100 characters. */
const BUTTONS_PER_ROW = 5;
const CUSTOM_ID_MAX = 100;

function discordComponents(reply: Reply, nowMs: number): DiscordActionRow[] | undefined {
  if (reply.error) return undefined;
  const buttons = (reply.actions ?? []).flatMap((action) => {
    const id = encodeAction(action, nowMs, CUSTOM_ID_MAX);
    return id ? [{ type: 2 as const, style: 2 as const, label: clip(action.label, 80), custom_id: id }] : [];
  });
  return buttons.length ? [{ type: 1, components: buttons.slice(0, BUTTONS_PER_ROW) }] : undefined;
}

export function renderDiscord(reply: Reply, options: DiscordRenderOptions = {}): DiscordMessage {
  const color = colorFor(reply);
  const footer = footerText(reply);
  const lead = reply.headline && !reply.error ? leadEmbed(reply, color) : undefined;
  if (lead && options.imageUrl) lead.image = { url: options.imageUrl };
  const title = lead ? "" : clip(reply.title, EMBED_LIMITS.title);
  // A compact answer (the digest) is its lead alone: one post, no fold.
  const detailFields = reply.compact && lead ? [] : reply.fields;
  const fields = detailFields.flatMap((f) =>
    splitText(escapeMarkdown(f.value), EMBED_LIMITS.fieldValue).map((value, i) => ({
      name: clip(escapeMarkdown(i === 0 ? f.name || "\u200b" : `${f.name} (cont.)`), EMBED_LIMITS.fieldName),
      value: value || "\u200b",
      ...(f.inline ? { inline: true } : {}),
    })),
  );
  const intro = (
    reply.compact && lead
      ? []
      : [
          ...(lead ? [] : readAsLine(reply)),
          escapeMarkdown(reply.summary),
          ...reply.warnings.map((w) => `⚠️ ${escapeMarkdown(w)}`),
        ]
  )
    .filter(Boolean)
    .join("\n");
  const descriptions = splitText(intro, EMBED_LIMITS.description);
  const leadLength = lead ? embedLength(lead) : 0;

  // What is always shown; the table gets whatever budget is left.
  const fixed =
    leadLength +
    title.length +
    footer.length +
    descriptions.reduce((n, d) => n + d.length, 0) +
    fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const fieldEmbeds = Math.max(1, Math.ceil(fields.length / EMBED_LIMITS.fields));
  const textEmbeds = Math.max(descriptions.length, fieldEmbeds);
  const embedsLeft = EMBED_LIMITS.embeds - textEmbeds - (lead ? 1 : 0);

  let tableBlocks: string[] = [];
  if (reply.table && reply.table.rows.length > 0 && !(reply.compact && lead)) {
    const lastDescription = descriptions.at(-1) ?? "";
    const budget = EMBED_LIMITS.total - fixed - DROPPED_NOTE_MAX;
    const whole = codeBlock(tableLines(reply.table));
    const inline = joinParagraphs(lastDescription, whole);
    if (inline.length <= EMBED_LIMITS.description && whole.length + 2 <= budget) {
      descriptions[Math.max(0, descriptions.length - 1)] = inline;
    } else {
      tableBlocks = tableChunks(tableLines(reply.table), budget, embedsLeft);
    }
  }

  const body: DiscordEmbed[] = [];
  for (let i = 0; i < textEmbeds; i++) {
    const embed: DiscordEmbed = { color };
    if (i === 0 && title) embed.title = title;
    if (i === 0 && !lead && options.imageUrl) embed.image = { url: options.imageUrl };
    const description = descriptions[i];
    if (description) embed.description = description;
    const slice = fields.slice(i * EMBED_LIMITS.fields, (i + 1) * EMBED_LIMITS.fields);
    if (slice.length) embed.fields = slice;
    if (embed.title || embed.description || embed.fields || embed.image) body.push(embed);
  }
  for (const block of tableBlocks) body.push({ color, description: block });
  const embeds = lead ? [lead, ...body] : body.length ? body : [{ color, title: clip(reply.title, 256) }];
  const dropped = dropToFit(embeds, EMBED_LIMITS.total - footer.length - DROPPED_NOTE_MAX);
  const footerLine = [footer, dropped ? `${dropped} more parts not shown (Discord size limit)` : ""]
    .filter(Boolean)
    .join(" · ");
  const last = embeds.at(-1)!;
  if (footerLine) last.footer = { text: footerLine };
  last.timestamp = reply.generatedAt;
  const components = options.nowMs === undefined ? undefined : discordComponents(reply, options.nowMs);
  return { embeds, ...(components ? { components } : {}) };
}

/** Above the fold: the title as a small author line, the headline, the key figures, the chart. */
/** How ask read the question, right under the headline so the user can correct it. */
function readAsLine(reply: Reply): string[] {
  return reply.readAs ? [`*Read as ${escapeMarkdown(reply.readAs)}*`] : [];
}

function leadEmbed(reply: Reply, color: number): DiscordEmbed {
  const figures = (reply.figures ?? []).map(
    (f) => `**${escapeMarkdown(f.label)}:** ${escapeMarkdown(f.value)}`,
  );
  return {
    color,
    author: { name: clip(reply.title, EMBED_LIMITS.author) },
    title: clip(reply.headline!, EMBED_LIMITS.title),
    ...(figures.length || reply.readAs
      ? { description: clip([...readAsLine(reply), ...figures].join("\n"), EMBED_LIMITS.description) }
      : {}),
  };
}

const DROPPED_NOTE_MAX = 60;

/** Characters Discord counts toward the 6000 total (footer excluded: added after). */
export function embedLength(embed: DiscordEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0)
  );
}

/** Last resort for answers far beyond a message (hundreds of fields, a 40 kB summary): removes
 * whole fields and continuation embeds from the end until the message fits; returns how many. */
function dropToFit(embeds: DiscordEmbed[], budget: number): number {
  let dropped = 0;
  const total = () => embeds.reduce((n, e) => n + embedLength(e), 0);
  while (embeds.length > 1 && (embeds.length > EMBED_LIMITS.embeds || total() > budget)) {
    const last = embeds.at(-1)!;
    if (last.fields?.length) last.fields.pop();
    else embeds.pop();
    if (last.fields?.length === 0) delete last.fields;
    dropped++;
  }
  const first = embeds[0]!;
  while (total() > budget && first.fields?.length) {
    first.fields.pop();
    dropped++;
  }
  if (total() > budget && first.description) {
    const keep = Math.max(0, first.description.length - (total() - budget));
    first.description = splitText(first.description, Math.max(1, keep))[0];
    dropped++;
  }
  return dropped;
}

/** Error: red. Otherwise the weakest input decides: stale, then snapshot fallback, then live. */
export function colorFor(reply: Reply): number {
  if (reply.error) return COLORS.error;
  const statuses = reply.sources;
  if (statuses.some((s) => s.status === "stale")) return COLORS.stale;
  if (statuses.some((s) => s.fallback)) return COLORS.fallback;
  if (statuses.some((s) => s.status === "live" || s.status === "cached")) return COLORS.fresh;
  return COLORS.reference;
}

/** The one short sources line (publishers and ages); the full provenance is in /sources. */
export function footerText(reply: Reply): string {
  return sourcesLine(reply);
}

/** Table lines as code blocks, one per embed, each within the description limit, together within
 * `budget` characters and `maxBlocks` embeds. Later blocks repeat the header. Rows that do not fit
 * are counted in a last line instead of being cut. */
function tableChunks(lines: string[], budget: number, maxBlocks: number): string[] {
  const [header = "", rule = "", ...rows] = lines;
  const blocks: string[] = [];
  let used = 0;
  let index = 0;
  const note = (left: number) => `… ${left} more row${left === 1 ? "" : "s"} not shown`;
  while (index < rows.length && blocks.length < maxBlocks) {
    const body = [header, rule];
    // Room for the code fences and a possible "more rows" note.
    const reserve = codeBlock([]).length + note(rows.length).length + 2;
    let length = header.length + rule.length + 1;
    while (index < rows.length) {
      const next = rows[index]!.length + 1;
      if (length + next + reserve > EMBED_LIMITS.description) break;
      if (used + length + next + reserve > budget) break;
      body.push(rows[index]!);
      length += next;
      index++;
    }
    if (body.length === 2) break;
    used += length + codeBlock([]).length;
    blocks.push(codeBlock(body));
  }
  if (index < rows.length) {
    const left = rows.length - index;
    if (blocks.length) blocks[blocks.length - 1] += `\n${note(left)}`;
    else if (budget > note(left).length && maxBlocks > 0) blocks.push(note(left));
  }
  return blocks;
}

function codeBlock(lines: readonly string[]): string {
  // A backtick in a cell would close the fence; a modifier letter looks the same.
  return `\`\`\`\n${lines.join("\n").replace(/`/g, "ˋ")}\n\`\`\``;
}

function joinParagraphs(a: string, b: string): string {
  return a ? `${a}\n${b}` : b;
}

/** Splits text into pieces of at most `max` characters at line breaks, else at spaces; only a
 * single word longer than `max` is cut. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const pieces: string[] = [];
  let current = "";
  const push = (piece: string, separator: string) => {
    if (!current) current = piece;
    else if (current.length + separator.length + piece.length <= max) current += separator + piece;
    else {
      pieces.push(current);
      current = piece;
    }
  };
  for (const line of text.split("\n")) {
    if (line.length <= max) {
      push(line, "\n");
      continue;
    }
    let first = true;
    for (const word of line.split(" ")) {
      for (let i = 0; i < word.length; i += max) push(word.slice(i, i + max), first ? "\n" : " ");
      first = false;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}

/** Backslash-escapes Discord markdown so text (including echoed user input) shows as typed. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\*_~`|[\]])/g, "\\$1").replace(/^(\s*)([#>-])/gm, "$1\\$2");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
