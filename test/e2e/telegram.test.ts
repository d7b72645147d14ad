/** The real grammY bot from createTelegramBot against a fake Bot API server and a fake mempool /
 * CoinGecko, both on 127.0.0.1: long polling and webhook mode. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  createTelegramBot,
  type TelegramBot,
  type TelegramStartMode,
} from "../../src/adapters/telegram/index.ts";
import type { App } from "../../src/app.ts";
import { type ChartRenderer, createChartRenderer } from "../../src/charts/render.ts";
import type { Clock, Deps, DigestPort, NetworkData, Registry } from "../../src/core/index.ts";
import { createRegistry, defineCommand, runTextLine } from "../../src/core/index.ts";
import { escapeHtml } from "../../src/render/telegram.ts";
import { manualClock, recordingLogger } from "../data/helpers.ts";
import { createTestApp } from "../support/app.ts";
import {
  botMessage,
  buttonPress,
  channelPost,
  checkTelegramHtml,
  type FakeTelegram,
  groupMessage,
  inlineQuery,
  privateMessage,
  type SentMessage,
  startFakeTelegram,
} from "../support/fake-telegram.ts";
import { defaultPayloads, type FakeUpstream, replies, startFakeUpstream } from "../support/fake-upstream.ts";
import { closedPort, sleep } from "../support/net.ts";

interface Stack {
  tg: FakeTelegram;
  app: App;
  /** What the bot serves: the app's registry, or the test's wrap of it. */
  registry: Registry;
  deps: Deps;
  bot: TelegramBot;
  logger: ReturnType<typeof recordingLogger>;
  port?: number;
  close(): Promise<void>;
}

interface StackOptions {
  upstream: { mempoolUrl: string; coingeckoUrl: string };
  limit?: number;
  clock?: Clock;
  mode?: TelegramStartMode;
  wrapDeps?: (deps: Deps) => Deps;
  wrapRegistry?: (registry: Registry) => Registry;
  onFatal?: (error: unknown) => void;
  /** Runs before the bot starts, e.g. to make the first getUpdates fail. */
  beforeStart?: (tg: FakeTelegram) => void;
  charts?: ChartRenderer;
}

async function startStack(options: StackOptions): Promise<Stack> {
  const logger = recordingLogger();
  const tg = await startFakeTelegram();
  const app = await createTestApp({ upstream: options.upstream, logger });
  const deps = options.wrapDeps ? options.wrapDeps(app.deps) : app.deps;
  const registry = options.wrapRegistry ? options.wrapRegistry(app.registry) : app.registry;
  options.beforeStart?.(tg);
  const bot = createTelegramBot({
    registry,
    deps,
    token: tg.token,
    apiRoot: tg.apiRoot,
    logger,
    commandsPerUserPerMinute: options.limit ?? 1000,
    pollingTimeoutSeconds: 2,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    ...(options.charts ? { charts: options.charts } : {}),
  });
  const started = await bot.start(options.mode ?? { kind: "polling" });
  return {
    tg,
    app,
    registry,
    deps,
    bot,
    logger,
    ...(started.port !== undefined ? { port: started.port } : {}),
    async close() {
      await bot.stop();
      await app.close();
      await tg.close();
    },
  };
}

/** Renders to nothing Telegram can take: its title is not a string, so escaping it throws. */
const hostile = defineCommand({
  name: "hostile",
  description: "A reply the renderer chokes on",
  options: [],
  args: z.object({}),
  examples: ["/hostile"],
  usesUpstream: false,
  run: async () => ({ title: 42 as unknown as string, summary: "", sources: [], data: {} }),
});

let chatCounter = 5000;
/** A fresh chat per test: Telegram's 1 message/s per chat would otherwise pace the tests. */
const nextChat = () => ++chatCounter;
const nextGroup = () => -1_000_000_000_000 - ++chatCounter;
const firstLine = (m: SentMessage) => m.text.split("\n")[0];

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
});

describe("telegram bot, long polling", () => {
  let stack: Stack;
  let priceFails = false;

  beforeAll(async () => {
    stack = await startStack({
      upstream,
      // A command whose reply the renderer cannot handle: the adapter itself throws on it.
      wrapRegistry: (registry) => createRegistry([...registry.commands, hostile]),
      // A dependency that can be made to throw, to stand for any bug inside a command.
      wrapDeps: (deps) => ({
        ...deps,
        network: new Proxy(deps.network, {
          get(target, key) {
            if (key === "btcPriceUsd" && priceFails)
              return () => Promise.reject(new Error("price source exploded"));
            const value = Reflect.get(target, key) as unknown;
            return typeof value === "function" ? value.bind(target) : value;
          },
        }) as NetworkData,
      }),
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("publishes every registry command with setMyCommands at start", () => {
    const [call] = stack.tg.calls("setMyCommands");
    const commands = call!.commands as Array<{ command: string; description: string }>;
    expect(commands.map((c) => c.command)).toEqual(stack.registry.commands.map((c) => c.name));
    for (const c of commands) {
      expect(c.command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(256);
    }
  });

  it("answers every command in the registry with its title, in HTML, without link previews", async () => {
    const { tg, app, deps } = stack;
    for (const command of app.registry.commands) {
      const chatId = nextChat();
      const line = command.examples[0]!;
      tg.pushUpdate(privateMessage(line, { chatId }));
      const [message] = await tg.waitForMessages(1, { chatId });
      const expected = await runTextLine(app.registry, line, {
        deps,
        invocation: { platform: "telegram", chatId: String(chatId), canManage: true },
      });
      expect(message!.parse_mode, command.name).toBe("HTML");
      expect(message!.link_preview_options).toEqual({ is_disabled: true });
      expect(message!.reply_parameters, "private chats get plain messages").toBeUndefined();
      // The headline comes first (a note or an error has none: its title does).
      expect(firstLine(message!), command.name).toBe(
        `<b>${escapeHtml(expected!.headline ?? expected!.title)}</b>`,
      );
      expect(checkTelegramHtml(message!.text)).toBeUndefined();
      if (!expected!.error && expected!.sources.length) {
        expect(message!.text.split("\n").at(-1), command.name).toMatch(/^<i>Sources: /);
      }
    }
  });

  it("computes mining_cost from the upstream's numbers", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toMatch(/^<b>Mining 1 BTC in Paraguay costs \$[\d,]+ in electricity/);
    // Price $91,250 from the fake mempool /v1/prices; difficulty 155.97 T from /v1/mining/hashrate/3d.
    expect(message!.text).toContain("$91,250");
    expect(message!.text).toContain("155.97 T");
    expect(message!.text).toMatch(/<i>Sources: 127\.0\.0\.1:\d+ live \d+ s/);
  });

  it("answers /trend from the fake mempool's pool windows and weekly series, both sides", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/trend", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toBe(
      "<b>Pools: HHI up 18% over 3 years; open models: the size needed for GPT-3.5's MMLU score halves every 4.6 months.</b>",
    );
    // The fake series: Foundry 17.4 % → 29.4 % over 156 weeks, HHI 1,316 → 1,551 (+18 %).
    expect(message!.text).toContain("Centralizing — pool HHI +6% a year");
    expect(message!.text).toContain("156 weeks");
    expect(message!.text).toContain("4.6 months");
    for (const route of ["pools3y", "pools2y", "pools1y", "pools6m", "pools3m", "poolShares3y"] as const)
      expect(upstream.requests(route), route).toBeGreaterThan(0);
  });

  it("shows 'typing' while an upstream answer is slow, and not for one ready at once", async () => {
    // A stack of its own, so its cache starts cold: the first /concentration waits 600 ms on the
    // pools (past the 250 ms after which typing shows), the second is answered from the cache.
    const own = await startStack({ upstream });
    try {
      upstream.respond("pools1w", replies.delayed(600, replies.json(defaultPayloads.pools1w)));
      const [slowChat, warmChat, localChat] = [nextChat(), nextChat(), nextChat()];
      own.tg.pushUpdate(privateMessage("/concentration", { chatId: slowChat }));
      await own.tg.waitForMessages(1, { chatId: slowChat });
      own.tg.pushUpdate(privateMessage("/concentration", { chatId: warmChat }));
      own.tg.pushUpdate(privateMessage("/edge_ai 2030", { chatId: localChat }));
      for (const chatId of [warmChat, localChat]) await own.tg.waitForMessages(1, { chatId });
      const actions = own.tg.calls("sendChatAction");
      expect(actions).toContainEqual(expect.objectContaining({ chat_id: slowChat, action: "typing" }));
      expect(actions.filter((a) => a.chat_id === warmChat)).toEqual([]);
      expect(actions.filter((a) => a.chat_id === localChat)).toEqual([]);
    } finally {
      upstream.reset();
      await own.bot.stop();
      await own.app.close();
      await own.tg.close();
    }
  });

  it("answers /cmd@ThisBot in a group as a reply, and ignores /cmd@OtherBot", async () => {
    const chatId = nextGroup();
    stack.tg.pushUpdate(groupMessage("/mining_cost@OtherBot paraguay", { chatId, messageId: 71 }));
    stack.tg.pushUpdate(groupMessage("/mining_cost@DecentraTestBot paraguay", { chatId, messageId: 72 }));
    stack.tg.pushUpdate(groupMessage("/not_ours", { chatId, messageId: 73 }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toMatch(/^<b>Mining 1 BTC in Paraguay costs \$[\d,]+ in electricity/);
    expect(message!.reply_parameters).toEqual({ message_id: 72, allow_sending_without_reply: true });
    await sleep(300);
    expect(stack.tg.sent.filter((m) => m.chat_id === chatId)).toHaveLength(1);
  });

  it("answers a channel post in the channel", async () => {
    const chatId = nextGroup();
    stack.tg.pushUpdate(channelPost("/edge_ai 2030", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toMatch(/^<b>Edge AI in 2030: about \$[\d.]+B/);
    expect(message!.reply_parameters).toBeUndefined();
  });

  it("answers bad input with a message naming the option and an example", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/mining_cost usd_per_kwh=abc", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toBe("<b>Invalid usd_per_kwh</b>");
    expect(message!.text).toMatch(
      /usd_per_kwh must be a number \(for example usd_per_kwh=[\d.]+\); got &quot;abc&quot;/,
    );
  });

  it("escapes an HTML-injection attempt in an argument", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage('/mining_cost "<b>x</b>"', { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(message!.text).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(message!.text).not.toContain("<b>x</b>");
    expect(checkTelegramHtml(message!.text)).toBeUndefined();
  });

  it("retries a 429 on sendMessage after retry_after and delivers the answer", async () => {
    const chatId = nextChat();
    stack.tg.failNext("sendMessage", { status: 429, retry_after: 1 });
    const before = stack.tg.calls("sendMessage").length;
    const pushed = performance.now();
    stack.tg.pushUpdate(privateMessage("/edge_ai 2030", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId, timeoutMs: 5000 });
    expect(message!.receivedAt - pushed, "waited retry_after = 1 s").toBeGreaterThanOrEqual(950);
    expect(firstLine(message!)).toMatch(/^<b>Edge AI in 2030: about \$[\d.]+B/);
    const attempts = stack.tg.calls("sendMessage").slice(before);
    expect(attempts.filter((a) => a.chat_id === chatId)).toHaveLength(2);
  });

  it("answers an internal error with an error id, logs it, and keeps answering", async () => {
    const chatId = nextChat();
    priceFails = true;
    stack.tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
    const [failed] = await stack.tg.waitForMessages(1, { chatId });
    priceFails = false;
    expect(firstLine(failed!)).toBe("<b>Something went wrong</b>");
    const errorId = /Error id: ([0-9a-f]{8})\./.exec(failed!.text)?.[1];
    expect(errorId).toBeDefined();
    expect(failed!.text).not.toContain("exploded");
    const logged = stack.logger.lines.find((l) => l.level === "error" && l.fields?.errorId === errorId);
    expect(String(logged?.fields?.error)).toContain("price source exploded");

    stack.tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
    const [, next] = await stack.tg.waitForMessages(2, { chatId });
    expect(firstLine(next!)).toMatch(/^<b>Mining 1 BTC in Paraguay costs \$[\d,]+ in electricity/);
  });

  it("keeps answering after the adapter itself throws on an update (render fails)", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/hostile", { chatId }));
    await waitFor(() =>
      stack.logger.lines.some(
        (l) => l.message === "telegram update failed" && /replace/.test(String(l.fields?.error)),
      ),
    );
    expect(stack.tg.sent.filter((m) => m.chat_id === chatId)).toEqual([]);
    stack.tg.pushUpdate(privateMessage("/edge_ai 2030", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toMatch(/^<b>Edge AI in 2030: about \$[\d.]+B/);
  });

  it("ignores an unknown bare command in a channel, as in a group, but answers one addressed to it", async () => {
    const channel = nextGroup();
    const other = nextGroup();
    stack.tg.pushUpdate(channelPost("/not_ours", { chatId: channel }));
    stack.tg.pushUpdate(channelPost("/edge_ai 2030", { chatId: channel }));
    stack.tg.pushUpdate(channelPost("/not_ours@DecentraTestBot", { chatId: other }));
    const [addressed] = await stack.tg.waitForMessages(1, { chatId: other });
    expect(addressed!.text).toContain("Unknown command /not_ours");
    await stack.tg.waitForMessages(1, { chatId: channel });
    // Telegram's 1 message/s per chat spaces a second answer in the channel by a second.
    await sleep(1300);
    const answers = stack.tg.sent.filter((m) => m.chat_id === channel);
    expect(answers.map(firstLine)).toEqual([expect.stringMatching(/^<b>Edge AI in 2030: about \$[\d.]+B/)]);
  });

  it("keeps polling when an answer cannot be delivered (bot blocked)", async () => {
    const blocked = nextChat();
    const other = nextChat();
    stack.tg.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
    stack.tg.pushUpdate(privateMessage("/help", { chatId: blocked }));
    await waitFor(() => stack.logger.lines.some((l) => l.message === "telegram answer not delivered"));
    stack.tg.pushUpdate(privateMessage("/help", { chatId: other }));
    const [message] = await stack.tg.waitForMessages(1, { chatId: other });
    expect(firstLine(message!)).toMatch(/^<b>Decentra/);
    const warning = stack.logger.lines.find((l) => l.message === "telegram answer not delivered");
    expect(warning?.fields?.error).toBe("sendMessage: 403 Forbidden: bot was blocked by the user");
  });

  it("answers /start with the help", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/start", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(message!.text).toContain("<b>/mining_cost</b>");
  });

  it("never logs the token", () => {
    const all = JSON.stringify(stack.logger.lines);
    expect(all).not.toContain(stack.tg.token);
    expect(all).not.toContain(stack.tg.token.split(":")[1]);
  });
});

describe("telegram bot, buttons", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ upstream });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("offers the next questions as an inline keyboard; a press follows up the same answer", async () => {
    const { tg } = stack;
    const chatId = nextChat();
    tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
    const [answer] = await tg.waitForMessages(1, { chatId });
    const buttons = answer!.reply_markup!.inline_keyboard.flat();
    expect(buttons.map((b) => b.text)).toEqual(["Other regions", "With a machine", "Sources"]);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    const other = buttons[0]!.callback_data;
    expect(other).toMatch(/^r[0-9a-z]+\|\/migration$/);
    expect(buttons[1]!.callback_data).toMatch(/^r[0-9a-z]+\|\/mining_cost region=paraguay machine=s21_xp$/);

    tg.pushUpdate(buttonPress(buttons[1]!.callback_data, { chatId, messageId: 777 }));
    const [, followUp] = await tg.waitForMessages(2, { chatId });
    expect(followUp!.reply_parameters).toEqual({ message_id: 777, allow_sending_without_reply: true });
    expect(firstLine(followUp!)).toMatch(/^<b>Mining 1 BTC in Paraguay costs \$[\d,]+/);
    expect(followUp!.text).toContain("Antminer S21 XP profit: <b>$");
    // The spinner on the button is stopped without a notice.
    const answered = tg.calls("answerCallbackQuery").at(-1)!;
    expect(answered.text).toBeUndefined();
  });

  it("an old button says it expired and runs nothing", async () => {
    const { tg } = stack;
    const chatId = nextChat();
    // Issued in the first minute of 1970: far past the day a button lives.
    tg.pushUpdate(buttonPress("r1|/migration", { chatId }));
    await until(() => tg.calls("answerCallbackQuery").some((c) => String(c.text ?? "").includes("expired")));
    const answered = tg.calls("answerCallbackQuery").at(-1)!;
    expect(answered).toMatchObject({
      text: expect.stringContaining("This button has expired"),
      show_alert: true,
    });
    await sleep(200);
    expect(tg.sent.filter((m) => String(m.chat_id) === String(chatId))).toEqual([]);
  });

  it("a button from elsewhere (unknown data) is refused politely", async () => {
    const { tg } = stack;
    tg.pushUpdate(buttonPress("something-else", { chatId: nextChat() }));
    await until(() =>
      tg.calls("answerCallbackQuery").some((c) => String(c.text ?? "").includes("not from this bot")),
    );
  });
});

/** Polls until `check` holds (every 20 ms, up to 5 s). */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met within 5 s");
    await sleep(20);
  }
}

describe("telegram bot, upstream down", () => {
  it("answers from the bundled snapshot and says so", async () => {
    const port = await closedPort();
    const stack = await startStack({
      upstream: {
        mempoolUrl: `http://127.0.0.1:${port}/api`,
        coingeckoUrl: `http://127.0.0.1:${port}/api/v3`,
      },
    });
    try {
      const chatId = nextChat();
      stack.tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
      const [message] = await stack.tg.waitForMessages(1, { chatId });
      expect(firstLine(message!)).toMatch(/^<b>Mining 1 BTC in Paraguay costs \$[\d,]+ in electricity/);
      expect(message!.text).toMatch(/\n⚠️ [^\n]*bundled snapshot[^\n]*BTC price/);
      expect(message!.text).toMatch(/<i>Sources: bundled snapshot (\w{3} )?\d{4} \(live data unavailable\)/);
      expect(firstLine(message!)).toMatch(/\(on (\w{3} )?\d{4} data — live data unavailable\)\.<\/b>$/);
      // The price is the snapshot's, not the (unreachable) upstream's.
      expect(message!.text).not.toContain("$91,250");
    } finally {
      await stack.close();
    }
  });
});

describe("telegram bot, per-user command limit", () => {
  it("answers once with a notice, then ignores the user until the window frees", async () => {
    const clock = manualClock();
    const stack = await startStack({ upstream, limit: 2, clock });
    try {
      const user = 777;
      const groups = [nextGroup(), nextGroup(), nextGroup(), nextGroup(), nextGroup()];
      for (const chatId of groups.slice(0, 4))
        stack.tg.pushUpdate(groupMessage("/help", { chatId, userId: user }));
      await stack.tg.waitForMessages(3);
      await sleep(300);
      const texts = groups.map((chatId) =>
        stack.tg.sent.filter((m) => m.chat_id === chatId).map((m) => m.text),
      );
      expect(texts[0]![0]).toMatch(/^<b>Decentra/);
      expect(texts[1]).toHaveLength(1);
      expect(texts[2]).toEqual(["<b>Slow down</b>\nYou're sending commands too fast; try again in 60 s."]);
      expect(texts[3], "ignored after the notice").toEqual([]);
      // Another user is not affected.
      const otherChat = nextGroup();
      stack.tg.pushUpdate(groupMessage("/help", { chatId: otherChat, userId: 778 }));
      await stack.tg.waitForMessages(1, { chatId: otherChat });

      clock.advance(60_001);
      stack.tg.pushUpdate(groupMessage("/help", { chatId: groups[4]!, userId: user }));
      const [again] = await stack.tg.waitForMessages(1, { chatId: groups[4]! });
      expect(firstLine(again!)).toMatch(/^<b>Decentra/);
    } finally {
      await stack.close();
    }
  });
});

describe("telegram bot, group permissions", () => {
  it("lets a group administrator subscribe the digest and tells a member who may", async () => {
    const subscribed: string[] = [];
    const digest: DigestPort = {
      async subscribe(input) {
        subscribed.push(`${input.platform}:${input.chatId}:${input.userId}`);
        const now = new Date().toISOString();
        const subscription = { ...input, enabled: true, createdAt: now, updatedAt: now };
        return { subscription, created: true, nextRuns: ["2025-12-02T08:00:00.000Z"] };
      },
      unsubscribe: async () => false,
      status: async () => ({ nextRuns: [] }),
      preview: () => Promise.reject(new Error("not used")),
    };
    const stack = await startStack({ upstream, wrapDeps: (deps) => ({ ...deps, digest }) });
    try {
      const chatId = nextGroup();
      const admin = 11;
      const member = 12;
      stack.tg.setChatMember(chatId, admin, "administrator");
      // Commands that change nothing never ask Telegram about rights.
      const quiet = nextGroup();
      stack.tg.pushUpdate(groupMessage("/edge_ai 2030", { chatId: quiet, userId: 13 }));
      stack.tg.pushUpdate(groupMessage("/digest status", { chatId: quiet, userId: 14 }));
      await stack.tg.waitForMessages(2, { chatId: quiet });
      expect(stack.tg.calls("getChatMember")).toEqual([]);

      stack.tg.pushUpdate(groupMessage('/digest subscribe "0 8 * * *" UTC', { chatId, userId: member }));
      const [refused] = await stack.tg.waitForMessages(1, { chatId });
      expect(refused!.text).toBe("<b>Not allowed</b>\nOnly group administrators can change the digest.");
      expect(subscribed).toEqual([]);

      stack.tg.pushUpdate(groupMessage('/digest subscribe "0 8 * * *" UTC', { chatId, userId: admin }));
      const [, accepted] = await stack.tg.waitForMessages(2, { chatId });
      expect(accepted!.text).toMatch(/^<b>Digest<\/b>\nSubscribed: &quot;0 8 \* \* \*&quot; \(UTC\)/);
      expect(subscribed).toEqual([`telegram:${chatId}:${admin}`]);

      // Each (chat, user) is asked of Telegram once, then cached.
      stack.tg.pushUpdate(groupMessage("/digest unsubscribe", { chatId, userId: admin }));
      await stack.tg.waitForMessages(3, { chatId, timeoutMs: 4000 });
      expect(stack.tg.calls("getChatMember").map((c) => c.user_id)).toEqual([member, admin]);
    } finally {
      await stack.close();
    }
  });
});

describe("telegram bot, polling ends for good", () => {
  /** An onFatal that records its calls and resolves on the first. */
  function fatalSpy() {
    const errors: unknown[] = [];
    const first = Promise.withResolvers<unknown>();
    return {
      errors,
      first: first.promise,
      onFatal: (error: unknown) => {
        errors.push(error);
        first.resolve(error);
      },
    };
  }
  const within = <T>(promise: Promise<T>, ms = 5000) =>
    Promise.race([
      promise,
      sleep(ms).then(() => {
        throw new Error(`not within ${ms} ms`);
      }),
    ]);

  it("calls onFatal once when the first poll answers 409 (another instance is polling)", async () => {
    const fatal = fatalSpy();
    const stack = await startStack({
      upstream,
      onFatal: fatal.onFatal,
      beforeStart: (tg) =>
        tg.failNext("getUpdates", {
          status: 409,
          description:
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
        }),
    });
    try {
      const error = await within(fatal.first);
      expect(error).toMatchObject({ error_code: 409, method: "getUpdates" });
      expect(
        stack.logger.lines.some((l) => l.level === "error" && l.message === "telegram polling stopped"),
      ).toBe(true);
      await stack.bot.stop();
      expect(fatal.errors).toHaveLength(1);
    } finally {
      await stack.close();
    }
  });

  it("calls onFatal when a later poll answers 401 (token revoked)", async () => {
    const fatal = fatalSpy();
    const stack = await startStack({ upstream, onFatal: fatal.onFatal });
    try {
      const chatId = nextChat();
      stack.tg.pushUpdate(privateMessage("/edge_ai 2030", { chatId }));
      await stack.tg.waitForMessages(1, { chatId });
      stack.tg.failNext("getUpdates", { status: 401, description: "Unauthorized" });
      const error = await within(fatal.first);
      expect(error).toMatchObject({ error_code: 401 });
      expect(fatal.errors).toHaveLength(1);
    } finally {
      await stack.close();
    }
  });

  it("does not call onFatal on a normal stop", async () => {
    const fatal = fatalSpy();
    const stack = await startStack({ upstream, onFatal: fatal.onFatal });
    await stack.close();
    await sleep(100);
    expect(fatal.errors).toEqual([]);
  });
});

describe("telegram bot, webhook mode", () => {
  it("answers updates POSTed with the secret, refuses others with 401, and closes on stop", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/telegram`;
    const stack = await startStack({
      upstream,
      mode: { kind: "webhook", url, secret: "s3cret_Token-1", port, host: "127.0.0.1" },
    });
    let stopped = false;
    try {
      expect(stack.port).toBe(port);
      expect(stack.tg.webhook).toEqual({ url, secret_token: "s3cret_Token-1" });
      expect(stack.tg.calls("setWebhook")[0]).toMatchObject({
        allowed_updates: ["message", "channel_post", "inline_query", "callback_query"],
      });
      expect(stack.tg.calls("getUpdates"), "no polling in webhook mode").toEqual([]);

      const chatId = nextChat();
      expect(
        await stack.tg.deliverWebhook(privateMessage("/edge_ai 2030", { chatId }), { secret: null }),
      ).toBe(401);
      expect(
        await stack.tg.deliverWebhook(privateMessage("/edge_ai 2030", { chatId }), { secret: "wrong" }),
      ).toBe(401);
      expect(await stack.tg.deliverWebhook(privateMessage("/edge_ai 2031", { chatId }))).toBe(200);
      const [message] = await stack.tg.waitForMessages(1, { chatId });
      expect(firstLine(message!)).toMatch(/^<b>Edge AI in 2031: about \$[\d.]+B/);
      await sleep(200);
      expect(stack.tg.sent.filter((m) => m.chat_id === chatId)).toHaveLength(1);

      expect((await fetch(url)).status).toBe(405);

      await stack.bot.stop();
      stopped = true;
      await expect(fetch(url, { method: "POST", body: "{}" })).rejects.toThrow();
    } finally {
      if (!stopped) await stack.bot.stop();
      await stack.app.close();
      await stack.tg.close();
    }
  });
});

describe("telegram bot, graceful stop", () => {
  it("stops polling and finishes the answer in flight before resolving", async () => {
    const stack = await startStack({ upstream });
    try {
      upstream.respond("prices", replies.delayed(400, replies.json({ time: 1_764_547_200, USD: 90_000 })));
      const chatId = nextChat();
      stack.tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
      // The typing action shows the update is being handled; the price answer is still 400 ms away.
      await waitFor(() => stack.tg.calls("sendChatAction").some((c) => c.chat_id === chatId));
      expect(stack.tg.sent.filter((m) => m.chat_id === chatId)).toEqual([]);
      await stack.bot.stop();
      const answered = stack.tg.sent.filter((m) => m.chat_id === chatId);
      expect(answered).toHaveLength(1);
      expect(answered[0]!.text).toContain("$90,000");

      // No more polling: a new update stays unanswered.
      const later = nextChat();
      stack.tg.pushUpdate(privateMessage("/help", { chatId: later }));
      await sleep(300);
      expect(stack.tg.sent.filter((m) => m.chat_id === later)).toEqual([]);
    } finally {
      upstream.reset();
      await stack.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(10);
  }
}

describe("telegram bot, questions in people's words", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ upstream });
  });
  afterAll(async () => {
    await stack.close();
  });

  const waitFor = async <T>(read: () => T | undefined, timeoutMs = 5000): Promise<T> => {
    const started = performance.now();
    for (;;) {
      const value = read();
      if (value !== undefined) return value;
      if (performance.now() - started > timeoutMs) throw new Error("timed out");
      await sleep(20);
    }
  };

  it("answers plain text in a private chat through ask, saying how it read it", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("can I run llama 3.1 8b on a raspberry pi 5?", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(checkTelegramHtml(message!.text)).toBeUndefined();
    expect(message!.text.split("\n")[1]).toBe(
      "<i>Read as /edge_fit llama_3_1_8b device=raspberry_pi_5_8gb</i>",
    );
    expect(message!.text).toContain("Raspberry Pi 5");
  });

  it.each([
    ["/edge_fit llama 3.1 8b raspberry pi 5", "<b>Llama 3.1 8B on Raspberry Pi 5"],
    ["/mining_cost texas machine=S21 XP", "Antminer S21 XP"],
    ["/migration us ethiopia 50", "Moving 50.0 EH/s from United States to Ethiopia"],
  ])("reads %s the forgiving way", async (line, shows) => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage(line, { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).not.toBe("<b>Can't do that</b>");
    expect(message!.text).toContain(shows);
  });

  it("says did you mean for a typo in a region, as every platform does", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/mining_cost texsa", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(message!.text).toContain("Unknown region &quot;texsa&quot;. Did you mean texas?");
  });

  it("answers a private question it cannot place with examples, not silence", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("what's the weather like?", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toBe("<b>I couldn't place that question</b>");
    expect(message!.text.match(/• /g)).toHaveLength(3);
  });

  it("ignores group chatter, answers a mention and a reply to the bot, each as a reply", async () => {
    const chatId = nextGroup();
    const me = stack.tg.botInfo;
    stack.tg.pushUpdate(groupMessage("mining in texas is getting expensive", { chatId, messageId: 81 }));
    stack.tg.pushUpdate(
      groupMessage("@DecentraTestBot how much does it cost to mine 1 BTC in Texas at 5 cents per kWh?", {
        chatId,
        messageId: 82,
      }),
    );
    const [mention] = await stack.tg.waitForMessages(1, { chatId });
    expect(mention!.reply_parameters).toEqual({ message_id: 82, allow_sending_without_reply: true });
    expect(mention!.text).toContain("<i>Read as /mining_cost texas usd_per_kwh=0.05</i>");

    stack.tg.pushUpdate(
      groupMessage("and the cost to mine in paraguay?", {
        chatId,
        messageId: 84,
        replyTo: botMessage(me, chatId, 83),
      }),
    );
    // A reply to someone else is not for us.
    const other = { id: 777, is_bot: false, first_name: "Other" };
    stack.tg.pushUpdate(
      groupMessage("cost to mine in norway?", {
        chatId,
        messageId: 86,
        replyTo: botMessage(other, chatId, 85),
      }),
    );
    const messages = await stack.tg.waitForMessages(2, { chatId });
    expect(messages[1]!.reply_parameters).toEqual({ message_id: 84, allow_sending_without_reply: true });
    expect(messages[1]!.text).toContain("Read as /mining_cost paraguay");
    await sleep(1300); // Telegram's 1 message/s per chat: a third answer would have arrived by now
    expect(stack.tg.sent.filter((m) => m.chat_id === chatId)).toHaveLength(2);
  });

  it("answers an inline query with one article carrying the headline and the answer", async () => {
    stack.tg.pushUpdate(inlineQuery("can I run qwen 7b on a 4090?", { userId: 991 }));
    const call = await waitFor(() => stack.tg.calls("answerInlineQuery").at(-1));
    const results = (typeof call.results === "string" ? JSON.parse(call.results) : call.results) as Array<{
      type: string;
      title: string;
      description: string;
      input_message_content: { message_text: string; parse_mode: string };
    }>;
    expect(results).toHaveLength(1);
    expect(results[0]!.type).toBe("article");
    expect(results[0]!.description).toBe("/edge_fit qwen2_5_7b device=rtx_4090");
    expect(results[0]!.title.length).toBeGreaterThan(0);
    expect(results[0]!.input_message_content.parse_mode).toBe("HTML");
    expect(results[0]!.input_message_content.message_text).toContain("Read as /edge_fit qwen2_5_7b");
    expect(checkTelegramHtml(results[0]!.input_message_content.message_text)).toBeUndefined();
    // The fake accepted it (an invalid answer would have been refused with a 400 and logged).
    expect(stack.logger.lines.some((l) => l.message.includes("inline"))).toBe(false);
  });

  it("answers an empty inline query with no results", async () => {
    const before = stack.tg.calls("answerInlineQuery").length;
    stack.tg.pushUpdate(inlineQuery("   "));
    const call = await waitFor(() => stack.tg.calls("answerInlineQuery")[before]);
    const results = typeof call.results === "string" ? JSON.parse(call.results) : call.results;
    expect(results).toEqual([]);
  });
});

describe("telegram bot, answers with a chart", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ upstream, charts: createChartRenderer() });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("sends the chart with sendPhoto (multipart) and the headline, figures and sources as its caption", async () => {
    const chatId = nextChat();
    stack.tg.pushUpdate(privateMessage("/mining_cost paraguay", { chatId }));
    const [photo] = await stack.tg.waitForPhotos(1, { timeoutMs: 10_000 });
    expect(String(photo!.chat_id)).toBe(String(chatId));
    expect(photo!.photo.name).toBe("chart.png");
    expect(photo!.photo.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(photo!.parse_mode).toBe("HTML");
    const caption = photo!.caption!;
    expect(caption.length).toBeLessThanOrEqual(1024);
    expect(checkTelegramHtml(caption)).toBeUndefined();
    expect(caption.split("\n")[0]).toMatch(/^<b>Mining 1 BTC in Paraguay costs \$[\d,]+ in electricity/);
    expect(caption).toContain("Cost per BTC: <b>$");
    expect(caption.split("\n").at(-1)).toMatch(/^<i>Sources: 127\.0\.0\.1:\d+ live \d+ s/);
    // The details did not fit the caption: they follow as one message, folded.
    const [details] = await stack.tg.waitForMessages(1, { chatId });
    expect(details!.text.startsWith("<blockquote expandable><b>Cost to mine 1 BTC — Paraguay</b>")).toBe(
      true,
    );
    expect(checkTelegramHtml(details!.text)).toBeUndefined();
  });

  it("answers /trend with its two-panel chart as a photo, the headline as its caption", async () => {
    const chatId = nextChat();
    const before = stack.tg.photos.length;
    stack.tg.pushUpdate(privateMessage("/trend", { chatId }));
    const photos = await stack.tg.waitForPhotos(before + 1, { timeoutMs: 15_000 });
    const photo = photos.find((p) => String(p.chat_id) === String(chatId))!;
    expect(photo.photo.bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    // Two panels stacked (mining above, AI below): taller than wide.
    const width = photo.photo.bytes.readUInt32BE(16);
    const height = photo.photo.bytes.readUInt32BE(20);
    expect(height).toBeGreaterThan(width);
    expect(photo.caption!.split("\n")[0]).toMatch(/^<b>Pools: HHI up 18% over 3 years; open models: /);
    expect(checkTelegramHtml(photo.caption!)).toBeUndefined();
  });

  it("an answer without a chart is still a text message", async () => {
    const chatId = nextChat();
    const before = stack.tg.photos.length;
    stack.tg.pushUpdate(privateMessage("/sources", { chatId }));
    const [message] = await stack.tg.waitForMessages(1, { chatId });
    expect(firstLine(message!)).toMatch(/^<b>\d+ of \d+ live datasets are fresh/);
    expect(stack.tg.photos.length).toBe(before);
  });
});
