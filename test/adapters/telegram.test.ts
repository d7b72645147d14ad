import { type Api, GrammyError, HttpError } from "grammy";
import type { Message } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { createTelegramBot, decodeCommand, toDeliveryError } from "../../src/adapters/telegram/index.ts";
import {
  changesChatSettings,
  createAdminCheck,
  invocationFor,
  MANAGE_REQUIREMENT,
} from "../../src/adapters/telegram/permissions.ts";
import { createCommandLimiter } from "../../src/adapters/telegram/rate-limit.ts";
import { createRegistry, DeliveryError, type Deps, type Reply } from "../../src/core/index.ts";
import { manualClock, recordingLogger } from "../data/helpers.ts";
import {
  channelPost,
  checkTelegramHtml,
  type FakeTelegram,
  groupMessage,
  privateMessage,
  startFakeTelegram,
} from "../support/fake-telegram.ts";

const BOT = "DecentraTestBot";
const msg = (update: { message?: unknown; channel_post?: unknown }) =>
  (update.message ?? update.channel_post) as Message;

describe("decodeCommand", () => {
  it("decodes a private command with its sender", () => {
    expect(
      decodeCommand(msg(privateMessage("/mining_cost paraguay", { userId: 9, messageId: 3 })), BOT),
    ).toEqual({
      line: "/mining_cost paraguay",
      name: "mining_cost",
      addressed: false,
      chatId: 9,
      chatKind: "private",
      messageId: 3,
      userId: 9,
      senderKey: "user:9",
    });
  });

  it("accepts /cmd@ThisBot in any case and ignores /cmd@OtherBot", () => {
    const mine = decodeCommand(msg(groupMessage("/Mining_Cost@decentratestbot paraguay")), BOT);
    expect(mine).toMatchObject({ name: "mining_cost", addressed: true, chatKind: "supergroup" });
    expect(decodeCommand(msg(groupMessage("/mining_cost@OtherBot paraguay")), BOT)).toBeUndefined();
  });

  it("ignores text that is not a command", () => {
    for (const text of ["hello", "price /mining_cost", "/", "/mining-cost", " /help"]) {
      expect(decodeCommand(msg(privateMessage(text)), BOT), text).toBeUndefined();
    }
  });

  it("decodes a channel post, counted against the channel", () => {
    const post = decodeCommand(msg(channelPost("/sources", { chatId: -100777 })), BOT);
    expect(post).toMatchObject({ chatId: -100777, chatKind: "channel", senderKey: "chat:-100777" });
    expect(post?.userId).toBeUndefined();
  });

  it("treats an anonymous group admin as the group, and keeps the forum topic", () => {
    const base = msg(groupMessage("/digest status", { chatId: -100555 }));
    const anonymous = {
      ...base,
      sender_chat: { id: -100555, type: "supergroup", title: "Miners" },
      is_topic_message: true,
      message_thread_id: 42,
    } as Message;
    expect(decodeCommand(anonymous, BOT)).toMatchObject({
      senderChatId: -100555,
      senderKey: "chat:-100555",
      threadId: 42,
    });
    expect(decodeCommand(anonymous, BOT)?.userId).toBeUndefined();
  });
});

describe("invocationFor", () => {
  const isAdmin = async (_chatId: number, userId: number) => userId === 1;
  const decode = (update: { message?: unknown; channel_post?: unknown }) => decodeCommand(msg(update), BOT)!;

  it("lets anyone manage a private chat and the channel manage itself", async () => {
    expect(await invocationFor(decode(privateMessage("/digest", { userId: 5 })), isAdmin, true)).toEqual({
      platform: "telegram",
      chatId: "5",
      userId: "5",
      canManage: true,
    });
    expect((await invocationFor(decode(channelPost("/digest")), isAdmin, true)).canManage).toBe(true);
  });

  it("lets group administrators manage, and tells members who may", async () => {
    expect(
      (await invocationFor(decode(groupMessage("/digest", { userId: 1 })), isAdmin, true)).canManage,
    ).toBe(true);
    expect(
      await invocationFor(decode(groupMessage("/digest", { chatId: -100, userId: 2 })), isAdmin, true),
    ).toEqual({
      platform: "telegram",
      chatId: "-100",
      userId: "2",
      canManage: false,
      manageRequirement: MANAGE_REQUIREMENT,
    });
  });

  it("does not ask about rights for a command that changes nothing", async () => {
    const asked: number[] = [];
    const recording = async (_chatId: number, userId: number) => {
      asked.push(userId);
      return true;
    };
    const invocation = await invocationFor(decode(groupMessage("/help", { userId: 1 })), recording, false);
    expect(invocation.canManage).toBe(false);
    expect(asked).toEqual([]);
  });
});

describe("changesChatSettings", () => {
  const registry = createCommandRegistry();
  const changes = (text: string) =>
    changesChatSettings(registry, decodeCommand(msg(groupMessage(text)), BOT)!);

  it("is true for /digest subscribe and unsubscribe, positional or named", () => {
    expect(changes('/digest subscribe "0 8 * * *" UTC')).toBe(true);
    expect(changes("/digest@DecentraTestBot unsubscribe")).toBe(true);
    expect(changes("/digest action=subscribe")).toBe(true);
  });

  it("is false for read-only actions, other commands and lines that do not decode", () => {
    for (const text of ["/digest", "/digest status", "/digest preview", "/mining_cost paraguay", "/help"]) {
      expect(changes(text), text).toBe(false);
    }
    expect(changes('/digest subscribe "0 8')).toBe(false); // unclosed quote: answered with an error
  });
});

describe("createAdminCheck", () => {
  it("caches an answer for ttlMs and a failed check briefly", async () => {
    const clock = manualClock();
    let calls = 0;
    let failing = true;
    const api = {
      getChatMember: async () => {
        calls++;
        if (failing) throw new Error("network down");
        return { status: "administrator" };
      },
    } as unknown as Api;
    const isAdmin = createAdminCheck({
      api,
      clock,
      logger: recordingLogger(),
      ttlMs: 60_000,
      failureTtlMs: 5_000,
    });
    expect(await isAdmin(-100, 1)).toBe(false);
    expect(await isAdmin(-100, 1)).toBe(false);
    expect(calls, "a failure is cached").toBe(1);
    clock.advance(5_001);
    failing = false;
    expect(await isAdmin(-100, 1)).toBe(true);
    expect(calls).toBe(2);
    clock.advance(59_000);
    expect(await isAdmin(-100, 1)).toBe(true);
    expect(calls).toBe(2);
  });
});

describe("createCommandLimiter", () => {
  it("allows `limit` commands per sliding window, notifies once, then frees one slot at a time", () => {
    const clock = manualClock();
    const limiter = createCommandLimiter({ limit: 3, windowMs: 60_000, clock });
    expect(limiter.check("u")).toEqual({ allowed: true }); // t=0
    clock.advance(10_000);
    expect(limiter.check("u")).toEqual({ allowed: true }); // t=10
    clock.advance(10_000);
    expect(limiter.check("u")).toEqual({ allowed: true }); // t=20
    clock.advance(5_000);
    expect(limiter.check("u")).toEqual({ allowed: false, notify: true, retryAfterMs: 35_000 });
    expect(limiter.check("u")).toEqual({ allowed: false, notify: false, retryAfterMs: 35_000 });
    expect(limiter.check("v")).toEqual({ allowed: true });
    clock.advance(35_000); // t=60: the t=0 command leaves the window
    expect(limiter.check("u")).toEqual({ allowed: true });
    expect(limiter.check("u")).toEqual({ allowed: false, notify: true, retryAfterMs: 10_000 });
  });

  it("forgets senders that have been quiet for a window", () => {
    const clock = manualClock();
    const limiter = createCommandLimiter({ limit: 1, windowMs: 1000, clock });
    for (let i = 0; i < 50; i++) limiter.check(`user${i}`);
    expect(limiter.size()).toBe(50);
    clock.advance(1500);
    limiter.check("late");
    expect(limiter.size()).toBe(1);
  });
});

describe("toDeliveryError", () => {
  const apiError = (error_code: number, description: string, parameters = {}) =>
    new GrammyError("call failed", { ok: false, error_code, description, parameters }, "sendMessage", {});

  it("marks a blocked or removed bot and a missing chat as permanent", () => {
    for (const error of [
      apiError(403, "Forbidden: bot was blocked by the user"),
      apiError(403, "Forbidden: bot was kicked from the supergroup chat"),
      apiError(400, "Bad Request: chat not found"),
      apiError(400, "Bad Request: not enough rights to send text messages to the chat"),
      apiError(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: -100123,
      }),
    ]) {
      const mapped = toDeliveryError(error);
      expect(mapped, error.description).toBeInstanceOf(DeliveryError);
      expect(mapped.permanent, error.description).toBe(true);
    }
  });

  it("marks flood control, server errors and network trouble as temporary, with a retry delay", () => {
    expect(
      toDeliveryError(apiError(429, "Too Many Requests: retry after 120", { retry_after: 120 })),
    ).toMatchObject({
      permanent: false,
      retryAfterMs: 120_000,
    });
    expect(toDeliveryError(apiError(502, "Bad Gateway"))).toMatchObject({
      permanent: false,
      retryAfterMs: 5000,
    });
    const network = new HttpError("Network request for 'sendMessage' failed!", new Error("ECONNRESET"));
    expect(toDeliveryError(network)).toMatchObject({ permanent: false, retryAfterMs: 5000 });
    expect(toDeliveryError(apiError(400, "Bad Request: can't parse entities")).permanent).toBe(false);
  });
});

describe("messenger", () => {
  let tg: FakeTelegram;
  const reply = (summary: string): Reply => ({
    title: "Daily digest <1>",
    summary,
    fields: [],
    sources: [],
    warnings: [],
    data: {},
    generatedAt: "2025-12-01T00:00:00Z",
  });
  const messenger = (options: { throttle?: boolean; logger?: ReturnType<typeof recordingLogger> } = {}) =>
    createTelegramBot({
      registry: createRegistry([]),
      deps: { clock: { now: () => new Date() } } as Deps,
      token: tg.token,
      apiRoot: tg.apiRoot,
      logger: options.logger ?? recordingLogger(),
      commandsPerUserPerMinute: 20,
      throttle: options.throttle ?? true,
    }).messenger;
  const long = Array.from({ length: 150 }, (_, i) => `line ${i} & more text to fill the message`).join("\n");
  const sentTo = (chatId: string) => tg.sent.filter((m) => String(m.chat_id) === chatId).map((m) => m.text);

  beforeAll(async () => {
    tg = await startFakeTelegram();
  });
  afterAll(async () => {
    await tg.close();
  });

  it("posts a long reply as several valid HTML messages, in order, at most one a second per group", async () => {
    const calledAt = performance.now();
    await messenger().send("-100200", reply(long));
    const sent = tg.sent.filter((m) => m.chat_id === "-100200");
    expect(sent).toHaveLength(2);
    // Telegram allows one message a second per group, and the throttler is configured for exactly
    // that: the second request may leave no earlier than 1000 ms after the first left, which is no
    // earlier than the call. So it reaches the (in-process) fake ≥ 1000 ms after the call, however
    // slow the first request was under load. 5 ms covers timer and clock rounding; unthrottled, the
    // second arrives a few ms after the call.
    expect(sent[1]!.receivedAt - calledAt).toBeGreaterThanOrEqual(1000 - 5);
    expect(sent[0]!.text.startsWith("<b>Daily digest &lt;1&gt;</b>\nline 0 &amp; more")).toBe(true);
    for (const m of sent) {
      expect(m.text.length).toBeLessThanOrEqual(4096);
      expect(checkTelegramHtml(m.text)).toBeUndefined();
      expect(m.reply_parameters).toBeUndefined();
    }
    expect(sent.at(-1)!.text).toMatch(/line 149 &amp; more text to fill the message$/);
  });

  it("throws a permanent DeliveryError when the bot was blocked", async () => {
    tg.failNext("sendMessage", { status: 403, description: "Forbidden: bot was blocked by the user" });
    const error = await messenger()
      .send("31", reply("hi"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: true, message: expect.stringContaining("blocked") });
  });

  it("throws a temporary DeliveryError when Telegram asks to wait longer than the retry cap", async () => {
    tg.failNext("sendMessage", { status: 429, retry_after: 300 });
    const error = await messenger()
      .send("32", reply("hi"))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ permanent: false, retryAfterMs: 300_000 });
    expect(tg.calls("sendMessage").filter((c) => c.chat_id === "32")).toHaveLength(1);
  });

  it("resumes a multi-part post after the parts already delivered when the caller retries", async () => {
    const chatId = "-100300";
    const digest = reply(long);
    const send = messenger({ throttle: false });
    // Part 1 goes through; part 2 is lost on the network (not retried by the API layer).
    tg.failNext("sendMessage", {
      status: 0,
      disconnect: true,
      when: (p) => p.chat_id === chatId && String(p.text).includes("line 149"),
    });
    const error = await send.send(chatId, digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).permanent).toBe(false);
    expect(sentTo(chatId)).toHaveLength(1);

    await send.send(chatId, digest); // the digest's retry, with the same Reply
    const texts = sentTo(chatId);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^<b>Daily digest &lt;1&gt;<\/b>\nline 0 /);
    expect(texts[1]).toMatch(/line 149 &amp; more text to fill the message$/);
    expect(new Set(texts).size, "each part exactly once").toBe(2);

    // Delivered: the same reply posted again (another day, say) is posted in full.
    await send.send(chatId, digest);
    expect(sentTo(chatId)).toHaveLength(4);
  });

  it("keeps resumption per chat: the same reply to another chat starts from part 1", async () => {
    const digest = reply(long);
    const send = messenger({ throttle: false });
    tg.failNext("sendMessage", {
      status: 0,
      disconnect: true,
      when: (p) => p.chat_id === "-100301" && String(p.text).includes("line 149"),
    });
    await expect(send.send("-100301", digest)).rejects.toBeInstanceOf(DeliveryError);
    await send.send("-100302", digest);
    await send.send("-100301", digest);
    expect(sentTo("-100301")).toHaveLength(2);
    expect(sentTo("-100302")).toHaveLength(2);
  });

  it("follows a group upgraded to a supergroup: posts to the new chat id and logs it", async () => {
    const logger = recordingLogger();
    const send = messenger({ throttle: false, logger });
    tg.failNext("sendMessage", {
      status: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      migrate_to_chat_id: -100400,
      when: (p) => p.chat_id === "-400",
    });
    await send.send("-400", reply("hello"));
    expect(sentTo("-400")).toEqual([]);
    expect(sentTo("-100400")).toEqual(["<b>Daily digest &lt;1&gt;</b>\nhello"]);
    const line = logger.lines.find((l) => l.message.includes("supergroup"));
    expect(line).toMatchObject({ level: "warn", fields: { chatId: "-400", newChatId: "-100400" } });

    // Remembered: the next post goes straight to the supergroup.
    const before = tg.calls("sendMessage").length;
    await send.send("-400", reply("again"));
    expect(
      tg
        .calls("sendMessage")
        .slice(before)
        .map((c) => c.chat_id),
    ).toEqual(["-100400"]);
  });

  it("fails for the old chat when the post to the supergroup fails too", async () => {
    const send = messenger({ throttle: false });
    tg.failNext("sendMessage", {
      status: 400,
      description: "Bad Request: group chat was upgraded to a supergroup chat",
      migrate_to_chat_id: -100500,
      when: (p) => p.chat_id === "-500",
    });
    tg.failNext("sendMessage", {
      status: 403,
      description: "Forbidden: bot is not a member of the supergroup chat",
      when: (p) => p.chat_id === "-100500",
    });
    const error = await send.send("-500", reply("hello")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ permanent: true, message: expect.stringContaining("not a member") });
  });
});
