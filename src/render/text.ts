/** Reply → plain text, for the console and for logs, and the layout every renderer shares.
 *
 * What a person sees first is the same on every platform: the headline (or, for an error or a
 * short note, the title and its message), then the key figures, then the chart. The details —
 * the longer summary, the fields, the table and the warnings — come after the fold (Telegram's
 * expandable quote, Discord's fields under the image, the console after a blank line). Sources are
 * one short line of publishers and ages; the full provenance is in /sources and --json. */

import { age } from "../core/format.ts";
import type { Reply, ReplyTable, SourceRef } from "../core/index.ts";
import { monthYear } from "../core/run.ts";

/** The sources line is one line on a phone: at most this many characters. */
export const SOURCES_LINE_MAX = 200;

export function renderText(reply: Reply): string {
  const lines: string[] = [];
  if (reply.headline) lines.push(reply.headline);
  else lines.push(reply.title, "=".repeat(Math.min(reply.title.length, 72)), reply.summary);
  if (reply.readAs) lines.splice(reply.headline ? 1 : 2, 0, `Read as ${reply.readAs}`);
  for (const figure of reply.figures ?? []) lines.push(`${figure.label}: ${figure.value}`);
  if (reply.error) return lines.join("\n");
  const details = detailLines(reply);
  if (details.length) lines.push("", ...details);
  if (reply.table) lines.push("", ...tableLines(reply.table));
  for (const warning of reply.warnings) lines.push(`! ${warning}`);
  const sources = sourcesLine(reply);
  if (sources) lines.push("", sources);
  return lines.join("\n");
}

/** The text of the details (without the table): the title and the summary when a headline took
 * their place up front, then each field. */
function detailLines(reply: Reply): string[] {
  const lines: string[] = [];
  if (reply.headline) lines.push(reply.title, reply.summary);
  for (const field of reply.fields) lines.push(`${field.name}: ${field.value}`);
  return lines.filter(Boolean);
}

/** Fixed-width table; shared by renderers that show tables in a monospace block. */
export function tableLines(table: ReplyTable): string[] {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? "").length)),
  );
  const cell = (value: string, i: number) =>
    table.align?.[i] === "right" ? value.padStart(widths[i]!) : value.padEnd(widths[i]!);
  const row = (cells: readonly string[]) => cells.map(cell).join("  ").trimEnd();
  return [row(table.columns), row(widths.map((w) => "-".repeat(w))), ...table.rows.map(row)];
}

/** The widest line tableLines would draw. */
export function tableWidth(table: ReplyTable): number {
  return Math.max(...tableLines(table).map((l) => l.length));
}

/** A table too wide for a phone's monospace block, as one line per row: "Russia — $/kWh 0.033 ·
 * Cost/BTC $51,445 · Share 15.5%". Proportional text wraps where a monospace block cannot. */
export function tableAsList(table: ReplyTable): string[] {
  return table.rows.map((row) => {
    const [first = "", ...rest] = row;
    const values = rest.map((value, i) => `${table.columns[i + 1]} ${value}`).filter((v) => v.trim());
    return values.length ? `${first} — ${values.join(" · ")}` : first;
  });
}

/** "mempool.space live 2 min · EIA Electric Power Monthly Nov 2025 · Antminer S21 XP spec":
 * publishers with the age of live data and the date of published data; specifications without a
 * date (a 2022 datasheet is not stale). Snapshot fallbacks are one part, dated by the oldest. */
export function sourcesLine(reply: Pick<Reply, "sources" | "generatedAt">): string {
  if (!reply.sources.length) return "";
  const parts: string[] = [];
  const fallbacks = reply.sources.filter((s) => s.fallback && s.status !== "stale");
  for (const source of reply.sources) {
    if (fallbacks.includes(source)) continue;
    parts.push(sourcePart(source, reply.generatedAt));
  }
  if (fallbacks.length) {
    const oldest = fallbacks.map((s) => s.asOf).sort()[0]!; // ISO dates sort as text
    parts.unshift(`bundled snapshot ${monthYear(oldest)} (live data unavailable)`);
  }
  return fitParts([...new Set(parts)], "Sources: ", SOURCES_LINE_MAX);
}

function sourcePart(source: SourceRef, generatedAt: string): string {
  if (source.static) return shorten(source.name, 40);
  const who = publisher(source);
  if (source.status === "snapshot") return `${who} ${monthYear(source.asOf)}`;
  const state = source.status === "stale" ? "stale" : "live";
  return `${who} ${state} ${age(source.fetchedAt ?? source.asOf, generatedAt)}`;
}

/** The publisher in a source description: "mempool.space /v1/prices" → "mempool.space",
 * "EIA Electric Power Monthly, US average…" → "EIA Electric Power Monthly". A description that
 * names only the bundle ("bundled snapshot, per-region tariffs") is named by the dataset. */
function publisher(source: SourceRef): string {
  if (source.publisher) return shorten(source.publisher, 32);
  const head = source.source.split(/\s\/|[,;(]/)[0]!.trim();
  if (!head || /^bundled snapshot$/i.test(head)) return shorten(source.name, 32);
  return shorten(head, 32);
}

function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(" ", max - 1);
  return `${text.slice(0, cut > max / 2 ? cut : max - 1)}…`;
}

/** Joins parts with " · " after a prefix, within max characters; parts that do not fit are
 * counted ("+2 more, /sources"), never cut in the middle. */
function fitParts(parts: string[], prefix: string, max: number): string {
  for (let shown = parts.length; shown > 0; shown--) {
    const rest = parts.length - shown;
    const text = prefix + parts.slice(0, shown).join(" · ") + (rest ? ` · +${rest} more (/sources)` : "");
    if (text.length <= max) return text;
  }
  return `${prefix}${parts.length} sources (/sources)`;
}
