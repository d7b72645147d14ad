/** The real discord.js Client, logged in to a fake Discord on 127.0.0.1, answering with data from a
 * fake mempool/CoinGecko: every command, autocomplete, errors, deferral, upstream failure, mention
 * injection, DMs, digest permissions, delivery errors, command registration and shutdown. */
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDiscordBot, type DiscordBot, MANAGE_REQUIREMENT } from "../../src/adapters/discord/bot.ts";
import { deployCommands } from "../../src/adapters/discord/deploy.ts";
import type { App } from "../../src/app.ts";
import type { DigestPort, DigestSubscription, Logger, Reply } from "../../src/core/index.ts";
import { DeliveryError } from "../../src/core/index.ts";
import { COLORS } from "../../src/render/discord.ts";
import { createTestApp } from "../support/app.ts";
import {
  autocomplete,
  buttonClick,
  type FakeDiscord,
  type InteractionResult,
  type OptionValues,
  PERMISSIONS,
  slashCommand,
  startFakeDiscord,
} from "../support/fake-discord.ts";
import {
  defaultPayloads,
  type FakeUpstream,
  type RouteName,
  replies,
  startFakeUpstream,
} from "../support/fake-upstream.ts";

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));

const logLines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
const logger: Logger = {
  debug: () => {},
  info: (message, fields) => logLines.push({ level: "info", message, ...(fields ? { fields } : {}) }),
  warn: (message, fields) => logLines.push({ level: "warn", message, ...(fields ? { fields } : {}) }),
  error: (message, fields) => logLines.push({ level: "error", message, ...(fields ? { fields } : {}) }),
};

/** The data layer's clock: moving it forward expires every cached figure. */
let nowMs = Date.parse("2025-12-01T00:00:00Z");
const clock = { now: () => new Date(nowMs) };
const expireCaches = () => {
  nowMs += 3 * 3600_000;
};

/** A DigestPort that records what the command asked for. */
const subscribed: Array<Parameters<DigestPort["subscribe"]>[0]> = [];
const digest: DigestPort = {
  async subscribe(input) {
    subscribed.push(input);
    const at = clock.now().toISOString();
    const subscription: DigestSubscription = { ...input, createdAt: at, updatedAt: at, enabled: true };
    return { subscription, created: true, nextRuns: ["2025-12-02T08:00:00.000Z"] };
  },
  unsubscribe: async () => false,
  status: async () => ({ nextRuns: [] }),
  preview: async () => {
    throw new Error("not used");
  },
};

let upstream: FakeUpstream;
let dc: FakeDiscord;
let app: App;
let bot: DiscordBot;

beforeAll(async () => {
  [upstream, dc] = await Promise.all([startFakeUpstream(), startFakeDiscord()]);
  app = await createTestApp({ upstream, logger, clock, env: { UPSTREAM_TIMEOUT_MS: "2500" } });
  bot = createDiscordBot({
    registry: app.registry,
    deps: { ...app.deps, digest },
    token: dc.token,
    applicationId: dc.applicationId,
    apiUrl: dc.apiUrl,
    logger,
    clock: { now: () => new Date() },
    // Short, so the slow-upstream cases below (800–1000 ms) take the deferred path.
    directReplyBudgetMs: 300,
    // Short, so the wave of deferred answers below sees its handlers swept.
    handlerSweepMs: 1000,
  });
  await bot.start();
});

afterAll(async () => {
  await bot?.stop();
  await app?.close();
  await Promise.all([dc?.close(), upstream?.close()]);
});

function run(name: string, options: OptionValues = {}, where = {}): Promise<InteractionResult> {
  return dc.interact(slashCommand(dc, name, options, where));
}

/** All text a user sees in a message's embeds. */
function textOf(message: { embeds?: Array<Record<string, unknown>> }): string {
  return JSON.stringify(message.embeds ?? []);
}

function expectNoMentions(result: InteractionResult): void {
  for (const body of [result.callback.data, ...result.edits, ...result.followups].filter(Boolean)) {
    if (body.embeds || body.content) expect(body.allowed_mentions).toEqual({ parse: [] });
  }
}

describe("connecting", () => {
  it("identifies with the token and only the Guilds intent, over uncompressed JSON", () => {
    expect(dc.identifies).toHaveLength(1);
    expect(dc.identifies[0].token).toBe(dc.token);
    expect(dc.identifies[0].intents).toBe(1);
    expect(dc.gatewayQueries[0]!.get("v")).toBe("10");
    expect(dc.gatewayQueries[0]!.get("compress")).toBeNull();
    expect(bot.client.isReady()).toBe(true);
    expect(dc.calls.find((c) => c.path === "/gateway/bot")!.authorization).toBe(`Bot ${dc.token}`);
  });
});

describe("every command answers with an embed", () => {
  /** Per command: options, the title, and text that must appear (numbers from the fake upstream
   * where the command uses it: price 91,250; Foundry 294 of 1,000 blocks → 29.4%). */
  const cases: Record<string, { options: OptionValues; title: RegExp; shows: string[] }> = {
    mining_cost: { options: { region: "paraguay" }, title: /Paraguay/, shows: ["$91,250", "Paraguay"] },
    migration: { options: {}, title: /cost per BTC by region/, shows: ["$91,250", "Russia"] },
    concentration: { options: {}, title: /concentrated/, shows: ["1,000 blocks", "Foundry USA 29.4%"] },
    edge_ai: { options: { year: 2030 }, title: /Edge-AI market in 2030/, shows: ["CAGR"] },
    edge_fit: {
      options: { model: "llama_3_1_8b", device: "raspberry_pi_5_8gb" },
      title: /Llama 3\.1 8B on Raspberry Pi 5/,
      shows: ["q4\\\\_k\\\\_m", "tokens/s"],
    },
    // side=ai here: the mining side reads the pool windows, which "upstream trouble" needs unfetched;
    // both sides are checked after it.
    trend: { options: { side: "ai" }, title: /Is mining centralizing/, shows: ["4.6 months", "Qwen3-4B"] },
    digest: { options: { action: "status" }, title: /^Digest$/, shows: ["No digest here yet"] },
    sources: { options: {}, title: /^Sources$/, shows: ["live"] },
    help: { options: {}, title: /Decentra/, shows: ["/mining\\\\_cost", "/edge\\\\_fit", "/digest"] },
    ask: {
      options: { question: "what does it cost to mine 1 BTC in Texas at 5 cents per kWh?" },
      title: /Cost to mine 1 BTC/,
      // The read-as line, italic, markdown-escaped; 5 ¢/kWh read as 0.05 $/kWh; the live price.
      shows: ["*Read as /mining\\\\_cost texas usd\\\\_per\\\\_kwh=0.05*", "$91,250"],
    },
  };

  it("has a case for every registered command", () => {
    expect(Object.keys(cases).sort()).toEqual(app.registry.commands.map((c) => c.name).sort());
  });

  for (const [name, expected] of Object.entries(cases)) {
    it(`/${name}`, async () => {
      const command = app.registry.find(name)!;
      const result = await run(name, expected.options);
      // Changed on purpose: an answer ready within the budget (the fake upstream is fast) is the
      // direct reply (type 4), upstream command or not: one request, no deferral and edit.
      expect(command.usesUpstream === true || command.usesUpstream === false).toBe(true);
      expect(result.callback.type).toBe(4);
      expect(result.edits).toHaveLength(0);
      const [embed] = result.final.embeds;
      // An answer's title is the lead embed's author line (its title is the headline); a note's is the title.
      expect(embed.author?.name ?? embed.title).toMatch(expected.title);
      expect(embed.color).not.toBe(COLORS.error);
      for (const text of expected.shows) expect(textOf(result.final)).toContain(text);
      expect(result.final.flags ?? 0).toBe(0);
      expectNoMentions(result);
    });
  }

  it("shows sources and their age in the footer", async () => {
    const result = await run("mining_cost", { region: "texas", machine: "s21_xp" });
    const footer = result.final.embeds.at(-1).footer.text as string;
    expect(footer).toMatch(/^Sources: 127\.0\.0\.1:\d+ live \d+ s · /);
    expect(textOf(result.final)).toContain("Antminer S21 XP");
  });
});

describe("autocomplete", () => {
  it("completes a region prefix from the snapshot without touching the upstream", async () => {
    const before = upstream.totalRequests();
    const result = await dc.interact(autocomplete(dc, "mining_cost", { region: "par" }, "region"));
    expect(result.callback.type).toBe(8);
    expect(result.callback.data.choices[0]).toEqual({ name: "Paraguay", value: "paraguay" });
    expect(upstream.totalRequests()).toBe(before);
  });

  it("offers at most 25 machines, each an id the command accepts", async () => {
    const result = await dc.interact(
      autocomplete(dc, "mining_cost", { region: "paraguay", machine: "" }, "machine"),
    );
    const choices = result.callback.data.choices as Array<{ name: string; value: string }>;
    expect(choices.length).toBeGreaterThan(5);
    expect(choices.length).toBeLessThanOrEqual(25);
    expect(choices).toContainEqual({ name: "Antminer S21 XP", value: "s21_xp" });
  });
});

describe("errors", () => {
  it("answers a bad input ephemerally, naming the option, without deferring or fetching", async () => {
    const before = upstream.totalRequests();
    const result = await run("mining_cost", { usd_per_kwh: 5 });
    expect(result.callback.type).toBe(4);
    expect(result.callback.data.flags).toBe(64);
    const [embed] = result.callback.data.embeds;
    expect(embed.color).toBe(COLORS.error);
    expect(embed.description).toContain("usd\\_per\\_kwh");
    expect(embed.description).toContain("from 0 to 2");
    expect(upstream.totalRequests()).toBe(before);
  });

  it("answers an error found while running ephemerally, directly when it is found at once", async () => {
    // Changed on purpose: this used to defer first, then delete the deferral and follow up.
    const result = await run("mining_cost", { region: "atlantis" });
    expect(result.callback.type).toBe(4);
    expect(result.deleted).toBe(false);
    expect(result.followups).toHaveLength(0);
    expect(result.final.flags).toBe(64);
    expect(textOf(result.final)).toContain('Unknown region \\"atlantis\\"');
  });

  it("gives a typo the same did-you-mean as the text grammar (texsa → texas)", async () => {
    const result = await run("mining_cost", { region: "texsa" });
    expect(textOf(result.final)).toContain('Unknown region \\"texsa\\". Did you mean texas?');
  });

  it("answers /ask it cannot place with examples, not an error", async () => {
    const result = await run("ask", { question: "what's the weather like?" });
    const [embed] = result.final.embeds;
    expect(embed.title).toBe("I couldn't place that question");
    expect(embed.color).not.toBe(COLORS.error);
  });

  it("cannot be made to ping: @everyone and a user mention are shown, not parsed", async () => {
    const injected = "@everyone <@123> <@&456>";
    for (const [name, options] of [
      ["mining_cost", { machine: injected }],
      ["edge_fit", { model: injected, device: "raspberry_pi_5_8gb" }],
    ] as const) {
      const result = await run(name, options);
      expectNoMentions(result);
      expect(result.final.allowed_mentions).toEqual({ parse: [] });
      expect(textOf(result.final)).toContain("@everyone <@123> <@&456>");
    }
  });

  it("keeps running after a reply fails (interaction expired)", async () => {
    dc.failNext("POST /interactions/", 404, { code: 10062, message: "Unknown interaction" });
    const failed = dc.interact(slashCommand(dc, "help"), { timeoutMs: 1500 });
    await expect(failed).rejects.toThrow(/not answered/);
    expect(logLines.some((l) => l.message === "discord interaction failed")).toBe(true);
    const result = await run("help");
    expect(result.callback.type).toBe(4);
  });
});

describe("upstream trouble", () => {
  const mining: RouteName[] = ["prices", "hashrate3d", "rewardStats", "tipHeight"];

  it("defers when the upstream is slow, then edits the reply with the embed", async () => {
    expireCaches();
    for (const route of mining) {
      const payload = defaultPayloads[route];
      const reply = typeof payload === "string" ? replies.text(payload) : replies.json(payload);
      // The price answers before the 800 ms CoinGecko hedge would, so the figure stays mempool's.
      upstream.respond(route, replies.delayed(route === "prices" ? 500 : 1000, reply));
    }
    // Should a loaded machine delay mempool's price past the hedge, CoinGecko still answers later.
    upstream.respond("coingeckoPrice", replies.delayed(2000, replies.json(defaultPayloads.coingeckoPrice)));
    const result = await run("mining_cost", { region: "paraguay" });
    upstream.reset();
    expect(result.callback.type).toBe(5);
    const callback = dc.calls.find((c) => c.path.endsWith("/callback") && c.body?.type === 5)!;
    const edit = dc.calls.findLast((c) => c.method === "PATCH")!;
    // The deferral goes out when the 300-ms budget is spent; the edit when the 1000-ms upstream has
    // answered: 1000 − 300 = 700 ms apart (less 100 ms for timer slack). It used to defer at once.
    expect(edit.at - callback.at).toBeGreaterThan(600);
    expect(textOf(result.final)).toContain("$91,250");
    expect(result.final.embeds[0].color).toBe(COLORS.fresh);
  });

  it("finishes a wave of deferred answers without the bot-wide REST cap, and forgets them after", async () => {
    expireCaches();
    for (const route of mining) {
      const payload = defaultPayloads[route];
      const reply = typeof payload === "string" ? replies.text(payload) : replies.json(payload);
      upstream.respond(route, replies.delayed(route === "prices" ? 400 : 600, reply));
    }
    const globalLimits: unknown[] = [];
    const onLimited = (info: { global: boolean }) => info.global && globalLimits.push(info);
    bot.client.rest.on("rateLimited", onLimited);
    bot.webhook.rest.on("rateLimited", onLimited);
    // 120 answers finishing together: through the client's REST (50 requests a second for the whole
    // bot) the last 70 edits would wait for the next second, and each wait is a "rateLimited" event.
    const results = await Promise.all(
      Array.from({ length: 120 }, () => dc.interact(slashCommand(dc, "mining_cost", { region: "paraguay" }))),
    );
    bot.client.rest.off("rateLimited", onLimited);
    bot.webhook.rest.off("rateLimited", onLimited);
    upstream.reset();
    expect(results.map((r) => r.callback.type)).toEqual(Array(120).fill(5));
    for (const result of results) expect(textOf(result.final)).toContain("$91,250");
    expect(globalLimits).toEqual([]);
    // One rate-limit handler per interaction token, none of them in the client's REST, and all of
    // them dropped at the next sweep (here 1 s) instead of held for an hour.
    const tokenHandlers = (rest: typeof bot.client.rest) =>
      [...rest.handlers.keys()].filter((key) => key.includes("/webhooks/")).length;
    expect(tokenHandlers(bot.client.rest)).toBe(0);
    expect(bot.webhook.rest.handlers.size).toBeGreaterThanOrEqual(120);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(bot.webhook.rest.handlers.size).toBe(0);
  });

  it("answers from the stale cache, labelled, when the upstream is down", async () => {
    expireCaches();
    for (const route of [...mining, "coingeckoPrice"] as RouteName[])
      upstream.respond(route, replies.status(503));
    const result = await run("mining_cost", { region: "paraguay" });
    expect(result.final.embeds[0].color).toBe(COLORS.stale);
    expect(textOf(result.final)).toContain("$91,250");
    expect(textOf(result.final)).toMatch(/⚠️ BTC price is stale[^"]*3 h/);
    upstream.reset();
  });

  it("answers from the snapshot, labelled, when nothing was ever fetched", async () => {
    upstream.respond("pools1m", replies.status(503));
    const result = await run("concentration", { layer: "pools", window: "1m" });
    expect(result.final.embeds[0].color).toBe(COLORS.fallback);
    const warning = textOf(result.final).match(/⚠️ [^"\\]*/)?.[0] ?? "";
    expect(warning).toMatch(/bundled snapshot/i);
    expect(warning).toMatch(/live data unavailable/i);
    expect(result.final.embeds.at(-1).footer.text).toMatch(/bundled snapshot .*\(live data unavailable\)/);
    upstream.reset();
  });
});

describe("trend, both sides", () => {
  it("reads every pool window and the weekly series from the fake mempool", async () => {
    upstream.reset();
    const result = await run("trend", { side: "both" });
    // The fake weekly pool series centralizes: Foundry 17.4% → 29.4% over 156 weeks, HHI 1,316 → 1,551.
    for (const text of ["Centralizing — pool HHI +6% a year", "156 weeks", "4.6 months"])
      expect(textOf(result.final)).toContain(text);
    for (const route of ["pools3y", "pools2y", "pools1y", "pools6m", "pools3m", "poolShares3y"] as const)
      expect(upstream.requests(route), route).toBe(1);
    expectNoMentions(result);
  });
});

describe("where and who", () => {
  it("works in a DM", async () => {
    const result = await run("edge_ai", { year: 2030 }, { dm: true });
    expect(result.callback.type).toBe(4);
    expect(result.final.embeds[0].author.name).toBe("Edge-AI market in 2030");
  });

  it("lets only Manage Channels / Manage Server change a server channel's digest", async () => {
    const refused = await run("digest", { action: "subscribe" });
    expect(refused.final.flags).toBe(64);
    expect(textOf(refused.final)).toContain(MANAGE_REQUIREMENT);
    expect(subscribed).toHaveLength(0);

    const allowed = await run("digest", { action: "subscribe" }, { permissions: PERMISSIONS.manager });
    expect(allowed.final.flags ?? 0).toBe(0);
    expect(textOf(allowed.final)).toContain("Subscribed");
    expect(subscribed[0]).toMatchObject({ platform: "discord", chatId: dc.channelId });

    const inDm = await run("digest", { action: "subscribe" }, { dm: true });
    expect(textOf(inDm.final)).toContain("Subscribed");
    expect(subscribed[1]).toMatchObject({ platform: "discord", chatId: dc.dmChannelId });
  });
});

describe("messenger (digest delivery)", () => {
  const reply: Reply = {
    title: "Daily digest",
    summary: "Hashprice $37.13 per PH/s per day. @everyone",
    fields: [],
    sources: [],
    warnings: [],
    data: {},
    generatedAt: "2025-12-01T08:00:00.000Z",
  };

  it("posts an embed to the channel with no mentions parsed", async () => {
    await bot.messenger.send("1300000000000000777", reply);
    const post = dc.calls.findLast(
      (c) => c.method === "POST" && c.path === "/channels/1300000000000000777/messages",
    )!;
    expect(post.body.embeds[0].title).toBe("Daily digest");
    expect(post.body.allowed_mentions).toEqual({ parse: [] });
  });

  it("maps missing permissions, unknown channel and missing access to permanent errors", async () => {
    for (const [status, code] of [
      [403, 50013],
      [404, 10003],
      [403, 50001],
    ] as const) {
      dc.failNext("POST /channels/", status, { code, message: "refused" });
      const error = await bot.messenger.send("1300000000000000777", reply).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).permanent).toBe(true);
    }
  });

  it("maps Cannot send messages to this user (50007) to a permanent error", async () => {
    dc.failNext("POST /channels/", 403, { code: 50007, message: "Cannot send messages to this user" });
    const error = await bot.messenger.send("1300000000000000777", reply).catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: true });
  });

  it("retries a bare 403 or 404 without a Discord error code (a proxy's, not Discord's word)", async () => {
    for (const [status, body] of [
      [403, { message: "Forbidden" }],
      [404, { message: "404: Not Found", code: 0 }],
      [403, { error: "blocked by proxy policy" }],
    ] as const) {
      dc.failNext("POST /channels/", status, body);
      const error = await bot.messenger.send("1300000000000000777", reply).catch((e: unknown) => e);
      expect(error, JSON.stringify(body)).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).permanent, JSON.stringify(body)).toBe(false);
    }
  });

  it("maps server errors to retryable errors", async () => {
    dc.failNext("POST /channels/", 502, { message: "bad gateway" }, 10);
    const error = await bot.messenger.send("1300000000000000777", reply).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(false);
  });
});

describe("command registration", () => {
  it("registers every command globally by bulk overwrite, idempotently", async () => {
    const options = {
      registry: app.registry,
      token: dc.token,
      applicationId: dc.applicationId,
      apiUrl: dc.apiUrl,
    };
    expect(await deployCommands(options)).toBe(app.registry.commands.length);
    const first = dc.registeredCommands()!;
    const put = dc.calls.findLast((c) => c.method === "PUT")!;
    expect(put.path).toBe(`/applications/${dc.applicationId}/commands`);
    expect(put.body.map((c: { name: string }) => c.name)).toEqual(app.registry.commands.map((c) => c.name));
    expect(put.body.find((c: { name: string }) => c.name === "mining_cost").options.length).toBeGreaterThan(
      5,
    );

    expect(await deployCommands(options)).toBe(app.registry.commands.length);
    const second = dc.registeredCommands()!;
    expect(second.map((c) => [c.id, c.name])).toEqual(first.map((c) => [c.id, c.name]));
    const puts = dc.calls.filter((c) => c.method === "PUT");
    expect(JSON.stringify(puts.at(-1)!.body)).toBe(JSON.stringify(puts.at(-2)!.body));
  });

  it("registers to one server when given a guild id", async () => {
    const count = await deployCommands({
      registry: app.registry,
      token: dc.token,
      applicationId: dc.applicationId,
      apiUrl: dc.apiUrl,
      guildId: dc.guildId,
    });
    expect(count).toBe(app.registry.commands.length);
    expect(dc.registeredCommands(dc.guildId)).toHaveLength(count);
  });
});

describe("npm run deploy:discord", () => {
  it("registers the commands from the environment and says where", async () => {
    const env = {
      PATH: process.env.PATH,
      DISCORD_TOKEN: dc.token,
      DISCORD_APPLICATION_ID: dc.applicationId,
      DISCORD_API_URL: dc.apiUrl,
      DISCORD_GUILD_ID: "1300000000000000888",
    };
    const { stdout } = await execFileAsync(process.execPath, ["src/deploy-discord.ts"], { env, cwd: root });
    expect(stdout.trim()).toBe(
      `Registered ${app.registry.commands.length} commands to server 1300000000000000888.`,
    );
    expect(dc.registeredCommands("1300000000000000888")).toHaveLength(app.registry.commands.length);
  });

  it("explains what is missing without a token", async () => {
    const failure = await execFileAsync(process.execPath, [`${root}/src/deploy-discord.ts`], {
      env: { PATH: process.env.PATH },
      cwd: tmpdir(),
    }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 78 });
    expect((failure as { stderr: string }).stderr).toContain("DISCORD_TOKEN and DISCORD_APPLICATION_ID");
  });
});

describe("shutdown", () => {
  it("lets a deferred command in flight finish, then closes the gateway connection", async () => {
    expireCaches();
    upstream.respond("prices", replies.delayed(800, replies.json(defaultPayloads.prices)));
    const payload = slashCommand(dc, "mining_cost", { region: "paraguay" });
    const answered = dc.interact(payload, { timeoutMs: 5000 });
    const callback = `/interactions/${payload.id}/${payload.token}/callback`;
    await expect.poll(() => dc.calls.some((c) => c.path === callback && c.body?.type === 5)).toBe(true);

    await bot.stop();
    const stoppedAt = performance.now();
    upstream.reset();
    const result = await answered;
    expect(result.edits).toHaveLength(1);
    expect(textOf(result.final)).toContain("Paraguay");
    const edit = dc.calls.findLast((c) => c.method === "PATCH" && c.path.includes(payload.token))!;
    expect(edit.at, "the edit arrived before stop() resolved").toBeLessThan(stoppedAt);
    expect(bot.client.isReady()).toBe(false);
  });

  it("closes the gateway connection on stop", async () => {
    await bot.stop();
    expect(bot.client.isReady()).toBe(false);
    await expect.poll(() => dc.connections(), { timeout: 2000 }).toBe(0);
  });
});

describe("answers with a chart", () => {
  let chartDc: FakeDiscord;
  let chartBot: DiscordBot;
  beforeAll(async () => {
    const { createChartRenderer } = await import("../../src/charts/render.ts");
    chartDc = await startFakeDiscord();
    chartBot = createDiscordBot({
      registry: app.registry,
      deps: { ...app.deps, digest },
      token: chartDc.token,
      applicationId: chartDc.applicationId,
      apiUrl: chartDc.apiUrl,
      logger,
      clock: { now: () => new Date() },
      charts: createChartRenderer(),
    });
    await chartBot.start();
  });
  afterAll(async () => {
    await chartBot?.stop();
    await chartDc?.close();
  });

  const PNG = "89504e470d0a1a0a";

  it("attaches chart.png and shows it as the lead embed's image (attachment://), details below", async () => {
    const result = await chartDc.interact(slashCommand(chartDc, "migration", {}));
    const [lead, ...details] = result.final.embeds;
    expect(lead.image).toEqual({ url: "attachment://chart.png" });
    expect(lead.title).toMatch(/^Russia mines 1 BTC cheapest at \$[\d,]+; \d+ of \d+ regions lose money/);
    expect(lead.author.name).toBe("Where mining pays: cost per BTC by region");
    expect(details.length).toBeGreaterThanOrEqual(1);
    expect(details.at(-1).footer.text).toMatch(/^Sources: 127\.0\.0\.1:\d+ live/);
    // The answer (a direct reply when ready within the budget, else the edit of the deferred one)
    // carried the PNG as a multipart file.
    const edit = chartDc.calls
      .filter(
        (c) =>
          c.path.endsWith("/callback") || (c.method === "PATCH" && c.path.endsWith("/messages/@original")),
      )
      .at(-1)!;
    expect(edit.files).toHaveLength(1);
    expect(edit.files![0]!.name).toBe("chart.png");
    expect(edit.files![0]!.bytes.subarray(0, 8).toString("hex")).toBe(PNG);
    expectNoMentions(result);
  });

  it("/trend attaches its two-panel chart and shows it as the lead embed's image", async () => {
    const result = await chartDc.interact(slashCommand(chartDc, "trend", {}));
    const [lead] = result.final.embeds;
    expect(lead.image).toEqual({ url: "attachment://chart.png" });
    expect(lead.title).toMatch(/^Pools: HHI up 18% over 3 years; open models: /);
    const sent = chartDc.calls
      .filter(
        (c) =>
          c.path.endsWith("/callback") || (c.method === "PATCH" && c.path.endsWith("/messages/@original")),
      )
      .at(-1)!;
    expect(sent.files![0]!.name).toBe("chart.png");
    const png = sent.files![0]!.bytes;
    expect(png.subarray(0, 8).toString("hex")).toBe(PNG);
    // Mining above, AI below: taller than wide.
    expect(png.readUInt32BE(20)).toBeGreaterThan(png.readUInt32BE(16));
  });

  it("a deferred answer's edit carries the chart, declared as its one attachment", async () => {
    expireCaches();
    // Past the default 1.5-s direct-reply budget, so the answer is deferred and then edited.
    for (const route of ["prices", "hashrate3d", "rewardStats", "tipHeight"] as RouteName[]) {
      const payload = defaultPayloads[route];
      const reply = typeof payload === "string" ? replies.text(payload) : replies.json(payload);
      upstream.respond(route, replies.delayed(1700, reply));
    }
    upstream.respond("coingeckoPrice", replies.delayed(2500, replies.json(defaultPayloads.coingeckoPrice)));
    const result = await chartDc.interact(slashCommand(chartDc, "migration", {}), { timeoutMs: 5000 });
    upstream.reset();
    expect(result.callback.type).toBe(5);
    expect(result.final.embeds[0].image).toEqual({ url: "attachment://chart.png" });
    const edit = chartDc.calls.findLast(
      (c) => c.method === "PATCH" && c.path.endsWith("/messages/@original"),
    )!;
    expect(edit.authorization).toBeUndefined();
    expect(edit.body.attachments).toEqual([{ id: "0", filename: "chart.png" }]);
    expect(edit.files![0]!.name).toBe("chart.png");
    expect(edit.files![0]!.bytes.subarray(0, 8).toString("hex")).toBe(PNG);
    expectNoMentions(result);
  });

  it("an immediate reply (no upstream) carries the chart too", async () => {
    const result = await chartDc.interact(
      slashCommand(chartDc, "edge_fit", { model: "llama_3_1_8b", device: "rtx_4090" }),
    );
    expect(result.callback.type).toBe(4);
    expect(result.final.embeds[0].image).toEqual({ url: "attachment://chart.png" });
    const callback = chartDc.calls.filter((c) => c.path.endsWith("/callback")).at(-1)!;
    expect(callback.files?.[0]?.bytes.subarray(0, 8).toString("hex")).toBe(PNG);
  });

  it("the digest messenger posts the PNG with the embed", async () => {
    const reply = await app.createDigest([]).preview(["migration"]);
    await chartBot.messenger.send(chartDc.channelId, reply);
    const post = chartDc.calls
      .filter((c) => c.method === "POST" && c.path === `/channels/${chartDc.channelId}/messages`)
      .at(-1)!;
    expect(post.files?.[0]?.name).toBe("chart.png");
    expect(post.body.embeds[0].image).toEqual({ url: "attachment://chart.png" });
  });
  it("offers the next questions as buttons; a press posts the next answer", async () => {
    const result = await chartDc.interact(slashCommand(chartDc, "mining_cost", { region: "paraguay" }));
    const buttons = result.final.components[0].components as {
      label: string;
      custom_id: string;
      type: number;
    }[];
    expect(buttons.map((b) => b.label)).toEqual(["Other regions", "With a machine", "Sources"]);
    for (const b of buttons) {
      expect(b.type).toBe(2);
      expect(b.custom_id.length).toBeLessThanOrEqual(100);
    }
    const pressed = await chartDc.interact(buttonClick(chartDc, buttons[1]!.custom_id));
    // Deferred (type 5), then the answer: the same command with a machine.
    expect(pressed.callback.type).toBe(5);
    expect(pressed.final.embeds[0].title).toMatch(/^Mining 1 BTC in Paraguay costs \$[\d,]+/);
    expect(textOf(pressed.final)).toContain("Antminer S21 XP");
    expectNoMentions(pressed);
  });

  it("an old button answers, to the presser only, that it expired", async () => {
    const pressed = await chartDc.interact(buttonClick(chartDc, "r1|/migration"));
    expect(pressed.callback.type).toBe(4);
    expect(pressed.callback.data.flags).toBe(64);
    expect(pressed.callback.data.content).toContain("This button has expired");
  });
});
