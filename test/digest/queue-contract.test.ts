/** The DigestQueue contract against both implementations: in-process on SQLite, BullMQ on the
 * shared local Redis (a BullMQ prefix and store namespace of its own per test, containing "scale"). */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { afterAll } from "vitest";
import { createStore } from "../../src/data/store.ts";
import { createBullmqQueue } from "../../src/digest/bullmq-queue.ts";
import { queueContract } from "./queue-contract.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const run = `scale-contract-${randomUUID().slice(0, 8)}`;
const tempDir = mkdtempSync(join(tmpdir(), "decentra-scale-contract-"));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

let sqliteFiles = 0;
queueContract({
  name: "in-process on SQLite",
  store: () => createStore(`sqlite://${join(tempDir, `store-${++sqliteFiles}.sqlite`)}`),
  queue: () => undefined,
  cleanup: async () => {},
});

let redisStores = 0;
let currentNamespace = "";
queueContract({
  name: "BullMQ on Redis",
  store: () => {
    currentNamespace = `${run}-${++redisStores}`;
    return createStore(REDIS_URL, { namespace: currentNamespace });
  },
  // A test that restarts builds its queue twice; both share the test's store namespace as prefix.
  queue: () => {
    const prefix = `${currentNamespace}-bull`;
    return (parts) => createBullmqQueue(parts, { redisUrl: REDIS_URL, prefix, backoffBaseMs: 200 });
  },
  cleanup: async () => {},
});

afterAll(async () => {
  // Only this run's keys: every one starts with its unique prefix.
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  for await (const keys of client.scanIterator({ MATCH: `${run}-*`, COUNT: 1000 })) {
    if (keys.length) await client.del(keys);
  }
  await client.quit();
});
