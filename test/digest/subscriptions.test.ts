/** Subscriptions and delivery marks persist in the store: one per chat, surviving a restart on SQLite
 * and on Redis. */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { KeyValueStore } from "../../src/core/ports.ts";
import { createStore } from "../../src/data/store.ts";
import { canonicalSections, createSubscriptionRepository } from "../../src/digest/subscriptions.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const tempDir = mkdtempSync(join(tmpdir(), "decentra-subs-"));
const redisNamespace = `decentra-test-digest-${randomUUID()}`;

afterAll(async () => {
  rmSync(tempDir, { recursive: true, force: true });
  const store = await createStore(REDIS_URL, { namespace: redisNamespace });
  for (const [key] of await store.entries("")) await store.delete(key);
  await store.close();
});

const backends: Array<{ name: string; open: () => Promise<KeyValueStore> }> = [
  { name: "sqlite", open: () => createStore(`sqlite://${join(tempDir, "subs.sqlite")}`) },
  { name: "redis", open: () => createStore(REDIS_URL, { namespace: redisNamespace }) },
];

describe.each(backends)("subscriptions on $name", ({ open }) => {
  it("keep one subscription per chat and survive reopening the store", async () => {
    const chatId = randomUUID();
    const first = await open();
    const repo = createSubscriptionRepository(first);
    const input = { platform: "discord" as const, chatId, schedule: "0 8 * * *", tz: "UTC", sections: [] };
    expect((await repo.upsert({ ...input, userId: "u1" }, new Date("2026-11-24T06:00:00Z"))).created).toBe(
      true,
    );
    expect(
      (
        await repo.upsert(
          { ...input, schedule: "0 9 * * *", sections: ["edge_ai"] },
          new Date("2026-11-24T07:00:00Z"),
        )
      ).created,
    ).toBe(false);
    await repo.setCheckedUpTo("discord", chatId, new Date("2026-11-24T08:00:00Z"));
    await repo.setLastDeliveredAt("discord", chatId, new Date("2026-11-24T08:00:01Z"));
    await first.close();

    const second = await open();
    const reopened = createSubscriptionRepository(second);
    const mine = (await reopened.list()).filter((s) => s.chatId === chatId);
    expect(mine).toEqual([
      {
        platform: "discord",
        chatId,
        schedule: "0 9 * * *",
        tz: "UTC",
        sections: ["edge_ai"],
        createdBy: "u1",
        createdAt: "2026-11-24T06:00:00.000Z",
        updatedAt: "2026-11-24T07:00:00.000Z",
        enabled: true,
      },
    ]);
    expect((await reopened.allCheckedUpTo()).get(`discord:${chatId}`)?.toISOString()).toBe(
      "2026-11-24T08:00:00.000Z",
    );
    expect(await reopened.lastDeliveredAt("discord", chatId)).toBe("2026-11-24T08:00:01.000Z");

    expect(await reopened.remove("discord", chatId)).toBe(true);
    expect(await reopened.get("discord", chatId)).toBeUndefined();
    expect(await reopened.checkedUpTo("discord", chatId)).toBeUndefined();
    await second.close();
  });

  it("disable leaves alone a subscription the user changed meanwhile", async () => {
    const store = await open();
    const repo = createSubscriptionRepository(store);
    const chatId = randomUUID();
    const input = { platform: "telegram" as const, chatId, schedule: "0 8 * * *", tz: "UTC", sections: [] };
    const { subscription: old } = await repo.upsert(input, new Date("2026-11-24T06:00:00Z"));
    await repo.upsert(input, new Date("2026-11-24T06:05:00Z"));
    await repo.disable(old, "chat not found", new Date("2026-11-24T08:00:00Z"));
    expect((await repo.get("telegram", chatId))?.enabled).toBe(true);

    const current = (await repo.get("telegram", chatId))!;
    await repo.disable(current, "chat not found", new Date("2026-11-24T08:00:00Z"));
    expect(await repo.get("telegram", chatId)).toMatchObject({
      enabled: false,
      disabledReason: "chat not found (since 2026-11-24 08:00 UTC)",
    });
    await repo.remove("telegram", chatId);
    await store.close();
  });
});

it("skips and reports a malformed stored subscription instead of failing the list", async () => {
  const store = await createStore("memory://");
  const problems: string[] = [];
  const repo = createSubscriptionRepository(store, (key) => problems.push(key));
  await store.set("digest:sub:telegram:1", { platform: "telegram", chatId: "1" });
  await repo.upsert(
    { platform: "telegram", chatId: "2", schedule: "0 8 * * *", tz: "UTC", sections: [] },
    new Date("2026-11-24T06:00:00Z"),
  );
  expect((await repo.list()).map((s) => s.chatId)).toEqual(["2"]);
  expect(problems).toEqual(["digest:sub:telegram:1"]);
});

it("canonical sections: fixed order, no repeats, empty means all", () => {
  expect(canonicalSections(["edge_ai", "network", "edge_ai"])).toEqual(["network", "edge_ai"]);
  expect(canonicalSections([])).toHaveLength(6);
});
