/** The persistent KeyValueStore, chosen by STORE_URL:
 *   sqlite://data/decentra.sqlite  an embedded SQLite file (relative to the working directory)
 *   redis://host:6379              Redis, when several instances share cache, subscriptions and locks
 *   memory://                      this process only (tests, throwaway runs)
 * get/set/delete go through Keyv; claim() and entries() need operations Keyv has no API for, so each
 * backend does them natively in the database, where they are atomic across processes. */
import { existsSync } from "node:fs";
import { dirname, normalize } from "node:path";
import type KeyvRedis from "@keyv/redis";
import { Keyv } from "keyv";
import { StoreUnavailableError } from "../core/errors.ts";
import type { KeyValueStore } from "../core/ports.ts";
import { SqliteKeyv } from "./sqlite-keyv.ts";

export interface StoreOptions {
  /** Prefix of every key, so apps (or test runs) can share one database. Default "decentra". */
  namespace?: string;
  /** How long one operation may take before it fails as StoreUnavailableError (default 1 s): a
   * frozen Redis must cost a short wait, not every answer. */
  timeoutMs?: number;
}

export const DEFAULT_STORE_TIMEOUT_MS = 1000;
/** The folder created when missing; any other folder must exist, so a typo is an error and not a
 * fresh empty store somewhere unexpected. */
const DEFAULT_DATA_FOLDER = "data";

export const DEFAULT_STORE_NAMESPACE = "decentra";
/** Fail startup quickly when Redis is not there, instead of hanging. */
const REDIS_CONNECT_TIMEOUT_MS = 5000;

export async function createStore(storeUrl: string, options: StoreOptions = {}): Promise<KeyValueStore> {
  const namespace = options.namespace ?? DEFAULT_STORE_NAMESPACE;
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const scheme = storeUrl.slice(0, storeUrl.indexOf("://"));
  switch (scheme) {
    case "sqlite": {
      const path = storeUrl.slice("sqlite://".length);
      return guardStore(createSqliteStore(path, namespace), {
        timeoutMs,
        // Deleted while open, SQLite goes on writing to the unlinked file, and everything written
        // since is gone at the next start: say so at once instead.
        check: () =>
          existsSync(path) ? undefined : `the SQLite file ${path} was deleted while the bot was running`,
      });
    }
    case "redis":
    case "rediss":
      return guardStore(await createRedisStore(storeUrl, namespace), { timeoutMs });
    case "memory":
      return createMemoryStore();
    default:
      throw new Error(`STORE_URL must start with sqlite://, redis:// or memory:// (got "${scheme}://…")`);
  }
}

/** What a backend adds to Keyv: both work on raw (Keyv-serialised) values and bare keys. */
interface NativeOperations {
  setIfAbsent(key: string, rawValue: string, ttlMs: number): Promise<boolean>;
  scan(prefix: string): Promise<Array<[string, string]>>;
  disconnect(): Promise<void>;
}

function createSqliteStore(path: string, namespace: string): KeyValueStore {
  if (path === "") throw new Error("sqlite:// needs a file path, e.g. sqlite://data/decentra.sqlite");
  const folder = dirname(path);
  if (normalize(folder) !== DEFAULT_DATA_FOLDER && !existsSync(folder)) {
    throw new Error(
      `the folder ${folder} does not exist; create it first (only the default data/ is created)`,
    );
  }
  const adapter = new SqliteKeyv({ path, namespace });
  // The adapter applies the namespace itself; Keyv's own prefixing is turned off.
  const keyv = new Keyv({ store: adapter, useKeyPrefix: false, throwOnErrors: true });
  return keyvBackedStore(keyv, adapter);
}

async function createRedisStore(url: string, namespace: string): Promise<KeyValueStore> {
  // Loaded only for a Redis URL: the client costs ~0.13 s of start-up that SQLite users never need.
  const { createKeyv } = await import("@keyv/redis");
  const keyv = createKeyv(url, {
    namespace,
    throwOnErrors: true,
    connectionTimeout: REDIS_CONNECT_TIMEOUT_MS,
  });
  const adapter = keyv.store as KeyvRedis<string>;
  // A redis:// URL always yields a single-node node-redis client; its typings are a union with
  // Cluster and Sentinel, so name just the three commands used here.
  let client: RedisCommands;
  try {
    client = (await adapter.getClient()) as unknown as RedisCommands;
  } catch (error) {
    // Stop node-redis from reconnecting in the background after we gave up.
    await adapter.disconnect(true).catch(() => {});
    throw error;
  }
  const fullKey = (key: string) => adapter.createKeyPrefix(key, namespace);
  const namespacePrefix = fullKey("");

  return keyvBackedStore(keyv, {
    async setIfAbsent(key, rawValue, ttlMs) {
      // SET NX PX is one atomic command: exactly one client wins, and the key expires on its own.
      const reply = await client.set(fullKey(key), rawValue, {
        condition: "NX",
        expiration: { type: "PX", value: ttlMs },
      });
      return reply === "OK";
    },
    async scan(prefix) {
      // SCAN (not KEYS) so a big keyspace never blocks Redis; the prefix is escaped for the glob.
      // SCAN may return a key twice, hence the Set.
      const found = new Set<string>();
      for await (const batch of client.scanIterator({
        MATCH: `${escapeGlob(fullKey(prefix))}*`,
        COUNT: 500,
      })) {
        for (const key of batch) found.add(key);
      }
      const keys = [...found];
      if (keys.length === 0) return [];
      const values = await client.mGet(keys);
      const pairs: Array<[string, string]> = [];
      keys.forEach((key, index) => {
        const value = values[index];
        // A key can expire between SCAN and MGET.
        if (value !== null && value !== undefined) pairs.push([key.slice(namespacePrefix.length), value]);
      });
      return pairs;
    },
    disconnect: () => adapter.disconnect(),
  });
}

interface RedisCommands {
  set(
    key: string,
    value: string,
    options: { condition: "NX"; expiration: { type: "PX"; value: number } },
  ): Promise<string | null>;
  scanIterator(options: { MATCH: string; COUNT: number }): AsyncIterable<string[]>;
  mGet(keys: string[]): Promise<Array<string | null>>;
}

/** Every operation bounded by timeoutMs, and every failure (timeout, Redis down, SQLite read-only,
 * full or corrupt) turned into a StoreUnavailableError whose message a user may read: whether
 * something could not be read or could not be saved. The cause stays attached for the log. */
function guardStore(
  store: KeyValueStore,
  options: { timeoutMs: number; check?: () => string | undefined },
): KeyValueStore {
  const guarded = async <T>(kind: "read" | "save", run: () => Promise<T>): Promise<T> => {
    const broken = options.check?.();
    if (broken !== undefined) throw unavailable(kind, new Error(broken));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), timedOut]);
    } catch (error) {
      throw error instanceof StoreUnavailableError ? error : unavailable(kind, error);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    get: (key) => guarded("read", () => store.get(key)),
    set: (key, value, ttlMs) => guarded("save", () => store.set(key, value, ttlMs)),
    delete: (key) => guarded("save", () => store.delete(key)),
    claim: (key, ttlMs) => guarded("save", () => store.claim(key, ttlMs)),
    entries: (prefix) => guarded("read", () => store.entries(prefix)),
    // A frozen Redis never answers QUIT either: shutdown must not hang on it.
    close: () => guarded("save", () => store.close()).catch(() => {}),
  };
}

function unavailable(kind: "read" | "save", cause: unknown): StoreUnavailableError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const message =
    kind === "save"
      ? "The bot's store cannot save right now (it is unreachable, read-only or full), so nothing was changed. Try again later; the operator can see why in the log."
      : "The bot's store cannot be read right now. Try again later; the operator can see why in the log.";
  // The operator's detail travels with the error (logged), not in what the user reads.
  return new StoreUnavailableError(message, { cause, detail });
}

/** Redis glob specials are * ? [ ] and the escape character itself. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** Keyv stores `{ value, expires }` serialised as a string; claims and scans read and write that same
 * format so a claimed key is also visible to get(). */
function keyvBackedStore(keyv: Keyv, native: NativeOperations): KeyValueStore {
  return {
    async get<T>(key: string) {
      return (await keyv.get<T>(key)) ?? undefined;
    },
    async set<T>(key: string, value: T, ttlMs?: number) {
      await keyv.set(key, value, ttlMs);
    },
    delete: (key) => keyv.delete(key),
    async claim(key, ttlMs) {
      const rawValue = await keyv.serializeData({ value: true, expires: Date.now() + ttlMs });
      return native.setIfAbsent(key, String(rawValue), ttlMs);
    },
    async entries<T>(prefix: string) {
      const nowMs = Date.now();
      const entries: Array<[string, T]> = [];
      for (const [key, rawValue] of await native.scan(prefix)) {
        const data = await keyv.deserializeData<T>(rawValue);
        if (data === undefined) continue;
        if (typeof data.expires === "number" && data.expires <= nowMs) continue;
        entries.push([key, data.value as T]);
      }
      return entries;
    },
    close: () => native.disconnect(),
  };
}

interface MemoryEntry {
  json: string;
  expiresAtMs: number | undefined;
}

/** A Map with expiry. Values go through JSON like the real stores, so tests see the same round trip
 * (a Date comes back as a string). */
export function createMemoryStore(): KeyValueStore {
  const entries = new Map<string, MemoryEntry>();
  const live = (key: string): MemoryEntry | undefined => {
    const entry = entries.get(key);
    if (entry?.expiresAtMs !== undefined && entry.expiresAtMs <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: unknown, ttlMs: number | undefined) => {
    const expiresAtMs = ttlMs !== undefined && ttlMs > 0 ? Date.now() + ttlMs : undefined;
    entries.set(key, { json: JSON.stringify(value), expiresAtMs });
  };
  return {
    async get<T>(key: string) {
      const entry = live(key);
      return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
    },
    async set(key, value, ttlMs) {
      put(key, value, ttlMs);
    },
    async delete(key) {
      return live(key) !== undefined && entries.delete(key);
    },
    async claim(key, ttlMs) {
      // Check and set happen in one synchronous step, which is atomic within this process.
      if (live(key) !== undefined) return false;
      put(key, true, ttlMs);
      return true;
    },
    async entries<T>(prefix: string) {
      return [...entries.keys()]
        .filter((key) => key.startsWith(prefix) && live(key) !== undefined)
        .sort()
        .map((key) => [key, JSON.parse(entries.get(key)!.json) as T] as [string, T]);
    },
    async close() {
      entries.clear();
    },
  };
}
