/** Tests that need a real Redis (TEST_REDIS_URL, default redis://127.0.0.1:6379) check for it first
 * and fail with one clear sentence instead of timing out inside the client. */
import { connect } from "node:net";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** True when something at REDIS_URL answers PING within timeoutMs. */
export async function redisAnswers(url = REDIS_URL, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || "127.0.0.1", port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    // A server behind a password answers -NOAUTH: it is there, the test's URL carries the password.
    socket.once("data", (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString("latin1"))));
    socket.once("connect", () => socket.write("PING\r\n"));
  });
}

export const REDIS_MISSING = `No Redis answers at ${REDIS_URL.replace(/\/\/[^@/]*@/, "//")}: the Redis-backed tests need one (start it with \`redis-server --port 6379 --save ""\`, as .ci/run does, or set TEST_REDIS_URL).`;

/** For a beforeAll: throws REDIS_MISSING when Redis is not there. */
export async function requireRedis(): Promise<void> {
  if (!(await redisAnswers())) throw new Error(REDIS_MISSING);
}

/** For an afterAll: deletes every key starting with prefix (a test's namespace) and returns the
 * keys still there afterwards (none, unless something was writing meanwhile). */
export async function removeKeys(prefix: string, url = REDIS_URL): Promise<string[]> {
  const { createClient } = await import("@redis/client");
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      if (keys.length) await client.del(keys);
    }
    const left: string[] = [];
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) left.push(...keys);
    return left;
  } finally {
    await client.quit();
  }
}
