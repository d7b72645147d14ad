/** One contract suite for every KeyValueStore backend: memory, SQLite (a temp file) and Redis
 * (redis://127.0.0.1:6379, with a namespace unique to this run, cleaned up afterwards). */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyValueStore } from "../../src/core/ports.ts";
import { createStore } from "../../src/data/store.ts";
import { sleep } from "../support/net.ts";
import { REDIS_URL, redisAnswers, requireRedis } from "../support/redis.ts";

const tempDir = mkdtempSync(join(tmpdir(), "decentra-store-"));
/** Only the default data/ folder is created by the store (issue 11); other folders must exist. */
const sqliteUrl = (name: string) => {
  mkdirSync(join(tempDir, name), { recursive: true });
  return `sqlite://${join(tempDir, name, "store.sqlite")}`;
};
const redisNamespace = `decentra-test-ops-${randomUUID()}`;
let redisUp = false;

beforeAll(async () => {
  redisUp = await redisAnswers();
});

afterAll(async () => {
  rmSync(tempDir, { recursive: true, force: true });
  if (!redisUp) return;
  // Every test key lives under this run's namespace; expired ones are already gone.
  const store = await createStore(REDIS_URL, { namespace: redisNamespace });
  for (const [key] of await store.entries("")) await store.delete(key);
  await store.close();
});

interface Backend {
  name: string;
  /** Each call opens a new connection to the same data. */
  open(): Promise<KeyValueStore>;
}

function backends(): Backend[] {
  const sqliteName = randomUUID();
  return [
    {
      name: "sqlite",
      open: () => createStore(sqliteUrl(sqliteName)),
    },
    {
      name: "redis",
      // Without Redis each of these fails at once saying so, rather than in the client's timeout.
      open: async () => {
        await requireRedis();
        return createStore(REDIS_URL, { namespace: redisNamespace });
      },
    },
  ];
}

describe.each(backends())("KeyValueStore contract: $name", (backend) => {
  /** Keys unique to one test, so tests never see each other's data. */
  const scope = () => `t${randomUUID().slice(0, 8)}:`;

  async function withStore<T>(run: (store: KeyValueStore) => Promise<T>): Promise<T> {
    const store = await backend.open();
    try {
      return await run(store);
    } finally {
      await store.close();
    }
  }

  it("round-trips JSON values and reports deletes", () =>
    withStore(async (store) => {
      const k = scope();
      const value = { name: "Foundry USA", shares: [0.29, 0.18], nested: { ok: true }, text: ":colon" };
      await store.set(`${k}a`, value);
      expect(await store.get(`${k}a`)).toEqual(value);
      expect(await store.get(`${k}missing`)).toBeUndefined();
      expect(await store.delete(`${k}a`)).toBe(true);
      expect(await store.delete(`${k}a`)).toBe(false);
      expect(await store.get(`${k}a`)).toBeUndefined();
    }));

  it("expires entries after their TTL", () =>
    withStore(async (store) => {
      const k = scope();
      await store.set(`${k}short`, 1, 60);
      await store.set(`${k}long`, 2, 60_000);
      await store.set(`${k}forever`, 3);
      await sleep(120);
      expect(await store.get(`${k}short`)).toBeUndefined();
      expect(await store.get(`${k}long`)).toBe(2);
      expect(await store.get(`${k}forever`)).toBe(3);
    }));

  it("claim: first caller wins, others lose until the claim expires", () =>
    withStore(async (store) => {
      const k = scope();
      expect(await store.claim(`${k}lock`, 80)).toBe(true);
      expect(await store.claim(`${k}lock`, 80)).toBe(false);
      await sleep(150);
      expect(await store.claim(`${k}lock`, 80)).toBe(true);
    }));

  it("claim: loses against a key set without TTL, wins after delete", () =>
    withStore(async (store) => {
      const k = scope();
      await store.set(`${k}sent`, { at: "2025-12-01" });
      expect(await store.claim(`${k}sent`, 1000)).toBe(false);
      await store.delete(`${k}sent`);
      expect(await store.claim(`${k}sent`, 1000)).toBe(true);
      expect(await store.get(`${k}sent`)).toBe(true);
    }));

  it("claim: 20 concurrent claims of one key -> exactly one true", () =>
    withStore(async (store) => {
      const key = `${scope()}digest:sent:daily`;
      const results = await Promise.all(Array.from({ length: 20 }, () => store.claim(key, 10_000)));
      expect(results.filter(Boolean)).toHaveLength(1);
    }));

  it("claim: two store instances (two connections) racing -> exactly one true", async () => {
    const first = await backend.open();
    const second = await backend.open();
    try {
      const key = `${scope()}digest:sent:weekly`;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second).claim(key, 10_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("entries: every unexpired entry under a prefix, glob and LIKE characters taken literally", () =>
    withStore(async (store) => {
      const k = scope();
      await store.set(`${k}digest:sub:1`, { chat: 1 });
      await store.set(`${k}digest:sub:2`, { chat: 2 });
      await store.set(`${k}digest:sub:gone`, { chat: 3 }, 50);
      await store.set(`${k}digest:sent:1`, true);
      await store.set(`${k}a*[x]?%_:1`, "literal");
      await store.set(`${k}aZ[x]?%_:1`, "would match a glob");
      await sleep(100);

      const subs = await store.entries<{ chat: number }>(`${k}digest:sub:`);
      expect(subs.sort(([a], [b]) => a.localeCompare(b))).toEqual([
        [`${k}digest:sub:1`, { chat: 1 }],
        [`${k}digest:sub:2`, { chat: 2 }],
      ]);
      expect(await store.entries(`${k}a*[x]?%_:`)).toEqual([[`${k}a*[x]?%_:1`, "literal"]]);
      expect(await store.entries(`${k}nothing:`)).toEqual([]);
    }));
});

describe("SQLite store", () => {
  it("keeps data across a restart (reopening the file)", async () => {
    const url = sqliteUrl(randomUUID());
    const before = await createStore(url);
    await before.set("digest:sub:42", { cron: "0 8 * * *" });
    await before.claim("digest:sent:42:2025-12-01", 60_000);
    await before.close();

    const after = await createStore(url);
    expect(await after.get("digest:sub:42")).toEqual({ cron: "0 8 * * *" });
    expect(await after.claim("digest:sent:42:2025-12-01", 60_000)).toBe(false);
    await after.close();
  });

  it("keeps namespaces apart in one file", async () => {
    const url = sqliteUrl(randomUUID());
    const one = await createStore(url, { namespace: "one" });
    const two = await createStore(url, { namespace: "two" });
    await one.set("k", 1);
    expect(await two.get("k")).toBeUndefined();
    expect(await two.entries("")).toEqual([]);
    await one.close();
    await two.close();
  });

  it("claim is atomic across processes: 4 processes x 10 claims -> exactly one true", async () => {
    const url = sqliteUrl(randomUUID());
    const setup = await createStore(url); // create the file and schema before the race
    await setup.close();
    const storeModule = new URL("../../src/data/store.ts", import.meta.url).href;
    const startAtMs = Date.now() + 700; // all processes start claiming at the same moment
    const script = `
      const { createStore } = await import(${JSON.stringify(storeModule)});
      const store = await createStore(${JSON.stringify(url)});
      await new Promise((r) => setTimeout(r, ${startAtMs} - Date.now()));
      const results = await Promise.all(Array.from({ length: 10 }, () => store.claim("race", 60000)));
      await store.close();
      console.log(results.filter(Boolean).length);`;
    const run = () =>
      promisify(execFile)(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], {
        timeout: 10_000,
      });
    const outputs = await Promise.all(Array.from({ length: 4 }, run));
    const wins = outputs.map(({ stdout }) => Number(stdout.trim()));
    expect(wins.reduce((sum, n) => sum + n, 0)).toBe(1);
  });

  it("rejects an unknown scheme and an empty path", async () => {
    await expect(createStore("postgres://x")).rejects.toThrow(/STORE_URL/);
    await expect(createStore("sqlite://")).rejects.toThrow(/file path/);
  });
});

describe("memory store", () => {
  it("behaves like the others for the basics", async () => {
    const store = await createStore("memory://");
    await store.set("a:1", { when: new Date("2025-12-01T00:00:00Z") });
    expect(await store.get("a:1")).toEqual({ when: "2025-12-01T00:00:00.000Z" });
    expect(await store.claim("lock", 1000)).toBe(true);
    expect(await store.claim("lock", 1000)).toBe(false);
    expect(await store.entries("a:")).toEqual([["a:1", { when: "2025-12-01T00:00:00.000Z" }]]);
    await store.close();
  });
});
