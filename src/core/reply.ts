/** The neutral answer every command returns; renderers turn it into an embed, HTML or plain text. */

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

export interface ReplyError {
  code: string;
  /** Set for internal errors so a user can quote it and an operator can find it in the log. */
  errorId?: string;
}

export interface Reply {
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
}

/** What a command's run returns; runCommand stamps generatedAt and the staleness warnings. */
export type ReplyDraft = Omit<Reply, "generatedAt" | "error" | "warnings" | "fields"> & {
  fields?: ReplyField[];
  warnings?: string[];
};
