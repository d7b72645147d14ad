/** Discord sharding over processes: two `node src/main.ts` processes with DISCORD_SHARD_COUNT=2, one
 * running shard 0 and the other shard 1, on one Redis, against a fake gateway that routes each
 * guild's events to the shard Discord would ((guild_id >> 22) % 2) and DMs to shard 0.
 *
 * Each process identifies as its own shard, receives only its guild, and answers the commands
 * from that guild; nothing is answered twice. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Bot, killBots, spawnBot } from "../digest/e2e-support.ts";
import { type FakeDiscord, shardOf, slashCommand, startFakeDiscord } from "../support/fake-discord.ts";
import { type FakeUpstream, startFakeUpstream } from "../support/fake-upstream.ts";
import { removeKeys } from "../support/redis.ts";

const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const NAMESPACE = `discord-shards-${randomUUID().slice(0, 8)}`;

let dc: FakeDiscord;
let upstream: FakeUpstream;
let shard: Bot[] = [];

beforeAll(async () => {
  [dc, upstream] = await Promise.all([startFakeDiscord({ guilds: 2 }), startFakeUpstream()]);
  shard = await Promise.all(
    ["0", "1"].map((id) =>
      spawnBot({
        PATH: process.env.PATH,
        MEMPOOL_API_URL: upstream.mempoolUrl,
        COINGECKO_API_URL: upstream.coingeckoUrl,
        STORE_URL: REDIS_URL,
        STORE_NAMESPACE: NAMESPACE,
        DISCORD_TOKEN: dc.token,
        DISCORD_APPLICATION_ID: dc.applicationId,
        DISCORD_API_URL: dc.apiUrl,
        DISCORD_SHARD_COUNT: "2",
        DISCORD_SHARDS: id,
        DIGEST_ENABLED: "false",
        LOG_LEVEL: "info",
      }),
    ),
  );
}, 30_000);

afterAll(async () => {
  killBots();
  await Promise.all([dc?.close(), upstream?.close()]);
  await removeKeys(NAMESPACE);
});

/** The "discord ready" log line of a process. */
function readyLine(bot: Bot): Record<string, unknown> {
  const line = bot
    .stderr()
    .split("\n")
    .find((l) => l.includes('"message":"discord ready"'));
  return JSON.parse(line ?? "{}");
}

it("each process identifies as its own shard of two and holds only that shard's guild", () => {
  expect(dc.identifies.map((d) => d.shard).sort()).toEqual([
    [0, 2],
    [1, 2],
  ]);
  // The fake's two guilds fall on different shards, as Discord would place them.
  expect(shardOf(dc.guildId, 2)).not.toBe(shardOf(dc.secondGuild!.guildId, 2));
  for (const [index, bot] of shard.entries()) {
    expect(readyLine(bot)).toMatchObject({ shards: [index], shardCount: 2, guilds: 1 });
  }
});

it("answers each guild's commands from the process running its shard, once", async () => {
  const first = shardOf(dc.guildId, 2);
  const second = shardOf(dc.secondGuild!.guildId, 2);
  // help in the first guild, sources in the second, and sources in a DM (shard 0).
  const [inFirst, inSecond, inDm] = await Promise.all([
    dc.interact(slashCommand(dc, "help")),
    dc.interact(slashCommand(dc, "sources", {}, { secondGuild: true })),
    dc.interact(slashCommand(dc, "edge_ai", { year: 2030 }, { dm: true })),
  ]);
  for (const result of [inFirst, inSecond, inDm]) expect(result.callback.type).toBe(4);
  expect(JSON.stringify(inFirst.final.embeds)).toMatch(/mining_cost/);
  expect(JSON.stringify(inSecond.final.embeds)).toMatch(/mempool/i);
  expect(JSON.stringify(inDm.final.embeds)).toMatch(/Edge-AI market in 2030/);
  // One interaction callback per interaction: no second process answered.
  const callbacks = dc.calls.filter((c) => c.path.endsWith("/callback"));
  expect(callbacks).toHaveLength(3);
  const logged = (bot: Bot, command: string) => bot.stderr().includes(`"command":"${command}"`);
  expect(logged(shard[first]!, "help")).toBe(true);
  expect(logged(shard[second]!, "help")).toBe(false);
  expect(logged(shard[second]!, "sources")).toBe(true);
  expect(logged(shard[first]!, "sources")).toBe(false);
  expect(logged(shard[0]!, "edge_ai")).toBe(true);
  expect(logged(shard[1]!, "edge_ai")).toBe(false);
});
