/** A Keyv storage adapter over Node's built-in SQLite (node:sqlite), so the default store needs no
 * native addon. Besides Keyv's get/set/delete/clear it offers the two operations Keyv has no API for
 * and that must run inside the database to be correct across processes: an atomic "insert unless an
 * unexpired entry exists" (for claims) and a prefix range scan. */
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";

export interface SqliteKeyvOptions {
  /** File path, or ":memory:". */
  path: string;
  /** Every key is stored as `${namespace}:${key}`, so several apps can share one file. */
  namespace: string;
}

/** How long a writer waits for another process's write lock before failing. Writes are tiny. */
const BUSY_TIMEOUT_MS = 2000;
/** Expired rows are only skipped on read; sweep them every so many writes so the file stays small. */
const SWEEP_EVERY_WRITES = 500;
/** The highest code point: `prefix + MAX_CHAR` bounds every key that starts with prefix. */
const MAX_CHAR = String.fromCodePoint(0x10ffff);

export class SqliteKeyv extends EventEmitter {
  /** Keyv reads these two properties; the namespace is applied below, not by Keyv. */
  opts: SqliteKeyvOptions;
  namespace: string | undefined;

  readonly #db: DatabaseSync;
  readonly #keyPrefix: string;
  readonly #statements: Record<
    "get" | "upsert" | "insertUnlessLive" | "delete" | "clear" | "scan" | "sweep",
    StatementSync
  >;
  #writesSinceSweep = 0;

  constructor(options: SqliteKeyvOptions) {
    super();
    this.opts = options;
    this.namespace = options.namespace;
    this.#keyPrefix = `${options.namespace}:`;
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });

    this.#db = new DatabaseSync(options.path);
    // WAL lets readers run while one process writes; busy_timeout makes a second writer wait briefly
    // instead of failing with SQLITE_BUSY.
    this.#db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS keyv (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      expires_at INTEGER -- Unix ms; NULL never expires
    ) WITHOUT ROWID`);

    const live = "(expires_at IS NULL OR expires_at > :now)";
    this.#statements = {
      get: this.#db.prepare(`SELECT value FROM keyv WHERE key = :key AND ${live}`),
      upsert: this.#db.prepare(
        `INSERT INTO keyv (key, value, expires_at) VALUES (:key, :value, :expiresAt)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
      ),
      // One statement, so SQLite's write lock makes check-and-set atomic across connections.
      insertUnlessLive: this.#db.prepare(
        `INSERT INTO keyv (key, value, expires_at) VALUES (:key, :value, :expiresAt)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
         WHERE keyv.expires_at IS NOT NULL AND keyv.expires_at <= :now`,
      ),
      delete: this.#db.prepare("DELETE FROM keyv WHERE key = :key"),
      clear: this.#db.prepare("DELETE FROM keyv WHERE key >= :low AND key < :high"),
      scan: this.#db.prepare(
        `SELECT key, value FROM keyv WHERE key >= :low AND key < :high AND ${live} ORDER BY key`,
      ),
      sweep: this.#db.prepare("DELETE FROM keyv WHERE expires_at IS NOT NULL AND expires_at <= :now"),
    };
    this.#statements.sweep.run({ now: Date.now() });
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.#statements.get.get({ key: this.#keyPrefix + key, now: Date.now() });
    return row === undefined ? undefined : String(row.value);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<boolean> {
    this.#statements.upsert.run({ key: this.#keyPrefix + key, value, expiresAt: expiresAt(ttlMs) });
    this.#afterWrite();
    return true;
  }

  async delete(key: string): Promise<boolean> {
    return Number(this.#statements.delete.run({ key: this.#keyPrefix + key }).changes) > 0;
  }

  /** Clears this namespace only. */
  async clear(): Promise<void> {
    this.#statements.clear.run({ low: this.#keyPrefix, high: this.#keyPrefix + MAX_CHAR });
  }

  /** Writes the entry unless an unexpired one exists; true when this call wrote it. */
  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const result = this.#statements.insertUnlessLive.run({
      key: this.#keyPrefix + key,
      value,
      expiresAt: expiresAt(ttlMs),
      now: Date.now(),
    });
    this.#afterWrite();
    return Number(result.changes) === 1;
  }

  /** Unexpired [key, raw value] pairs whose key starts with prefix, keys without the namespace. */
  async scan(prefix: string): Promise<Array<[string, string]>> {
    const low = this.#keyPrefix + prefix;
    const rows = this.#statements.scan.all({ low, high: low + MAX_CHAR, now: Date.now() });
    return rows
      .map((row) => [String(row.key), String(row.value)] as [string, string])
      .filter(([key]) => key.startsWith(low))
      .map(([key, value]) => [key.slice(this.#keyPrefix.length), value]);
  }

  async disconnect(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  #afterWrite(): void {
    this.#writesSinceSweep += 1;
    if (this.#writesSinceSweep >= SWEEP_EVERY_WRITES) {
      this.#writesSinceSweep = 0;
      this.#statements.sweep.run({ now: Date.now() });
    }
  }
}

function expiresAt(ttlMs: number | undefined): number | null {
  return typeof ttlMs === "number" && ttlMs > 0 ? Date.now() + ttlMs : null;
}
