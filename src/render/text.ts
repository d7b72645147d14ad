/** Reply → plain text, for the console and for logs. No markup, no length limit. */

import { age } from "../core/format.ts";
import type { Reply, ReplyTable } from "../core/index.ts";

export function renderText(reply: Reply): string {
  const lines: string[] = [reply.title, "=".repeat(Math.min(reply.title.length, 72)), reply.summary];
  if (reply.readAs) lines.splice(2, 0, `Read as ${reply.readAs}`);
  if (reply.fields.length) lines.push("");
  for (const field of reply.fields) lines.push(`${field.name}: ${field.value}`);
  if (reply.table) lines.push("", ...tableLines(reply.table));
  for (const warning of reply.warnings) lines.push(`! ${warning}`);
  const sources = sourcesLine(reply);
  if (sources) lines.push("", sources);
  return lines.join("\n");
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

/** "Sources: BTC price — mempool.space /v1/prices, live, 12 s old; …" */
export function sourcesLine(reply: Reply): string {
  if (!reply.sources.length) return "";
  const parts = reply.sources.map((s) => {
    const label =
      s.status === "snapshot"
        ? `snapshot, as of ${s.asOf.slice(0, 10)}, ${age(s.asOf, reply.generatedAt)} old`
        : `${s.status}, ${age(s.fetchedAt ?? s.asOf, reply.generatedAt)} old`;
    return `${s.name} — ${s.source} (${label})`;
  });
  return `Sources: ${parts.join("; ")}`;
}
