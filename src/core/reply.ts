/** The neutral answer every command returns; renderers turn it into an embed, HTML or plain text.
 *
 * What a person reads first: the headline (one sentence with the key number, at most 160
 * characters), then 3–6 key figures, then the chart; the rest (summary, fields, table) are the
 * details, folded away by the renderers. Sources are rendered as one short line. */
import type { ChartSpec } from "./chart.ts";

export type * from "./chart.ts";

/** live: fetched just now; cached: fetched earlier and within its TTL; stale: past its TTL, served
 * because the upstream failed; snapshot: from the bundled snapshot. */
export type SourceStatus = "live" | "cached" | "stale" | "snapshot";

export interface SourceRef {
  /** The dataset, in the user's words: "BTC price", "Network difficulty", "Regional power prices". */
  name: string;
  /** Where it comes from: "mempool.space /v1/prices", "EIA Electric Power Monthly". */
  source: string;
  /** When the figure was true, ISO 8601 (a date like "2025-11-01" is fine for published figures). */
  asOf: string;
  /** When this process fetched it, ISO 8601; absent for bundled figures. */
  fetchedAt?: string;
  status: SourceStatus;
  /** True when live data was wanted but the snapshot answered instead. */
  fallback?: boolean;
  /** A fixed specification (a machine's datasheet, a model's config): its date is not staleness,
   * so the short sources line names it without an age. */
  static?: boolean;
  /** The publisher's short name for the one-line sources list ("EIA"); derived from `source` when absent. */
  publisher?: string;
}

export interface ReplyField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface ReplyTable {
  columns: string[];
  rows: string[][];
  /** Per column; numbers read best right-aligned. */
  align?: ("left" | "right")[];
}

/** One key number shown above the fold: "Cost per BTC" → "$61,200". */
export interface KeyFigure {
  label: string;
  value: string;
}

/** A button for the obvious next question; the adapter runs `command` with `args` when pressed. */
export interface ReplyAction {
  label: string;
  command: string;
  args: Record<string, string | number | boolean>;
}

export interface ReplyError {
  code: string;
  /** Set for internal errors so a user can quote it and an operator can find it in the log. */
  errorId?: string;
}

export interface Reply {
  /** One sentence answering the question with the key number (≤ 160 characters). */
  headline?: string;
  /** 3–6 key figures shown before the fold. */
  figures?: KeyFigure[];
  /** What to draw, when a picture helps. */
  chart?: ChartSpec;
  /** Next questions offered as buttons where the platform has them. */
  actions?: ReplyAction[];
  /** How a free-text question was read, as a command line the user can correct and re-send:
   * "/mining_cost texas machine=s21_xp" (set by ask). */
  readAs?: string;
  /** One post, no fold (the digest): chat renderers show the headline, figures, chart and sources
   * only; the details stay in the console, --json and the commands themselves. */
  compact?: boolean;
  title: string;
  summary: string;
  fields: ReplyField[];
  table?: ReplyTable;
  sources: SourceRef[];
  warnings: string[];
  /** The named numbers of the answer (the contract scripts and other commands rely on). */
  data: Record<string, unknown>;
  /** When the answer was computed, ISO 8601; renderers show source ages relative to it. */
  generatedAt: string;
  /** Present when the answer is an error message rather than a result. */
  error?: ReplyError;
  /** Set by finishReply when an input is stale or from the snapshot ("on Jan 2026 data — live data
   * unavailable"); the headline already ends with it, the digest shows it once for all sections. */
  freshness?: string;
}

/** What a command's run returns; runCommand stamps generatedAt and the staleness warnings. */
export type ReplyDraft = Omit<Reply, "generatedAt" | "error" | "warnings" | "fields" | "freshness"> & {
  fields?: ReplyField[];
  warnings?: string[];
};
