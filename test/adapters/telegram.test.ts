import { GrammyError, HttpError } from "grammy";
import type { Message } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTelegramBot, decodeCommand, toDeliveryError } from "../../src/adapters/telegram/index.ts";
import { invocationFor, MANAGE_REQUIREMENT } from "../../src/adapters/telegram/permissions.ts";
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
    expect(await invocationFor(decode(privateMessage("/digest", { userId: 5 })), isAdmin)).toEqual({
      platform: "telegram",
      chatId: "5",
      userId: "5",
      canManage: true,
    });
    expect((await invocationFor(decode(channelPost("/digest")), isAdmin)).canManage).toBe(true);
  });

  it("lets group administrators manage, and tells members who may", async () => {
    expect((await invocationFor(decode(groupMessage("/digest", { userId: 1 })), isAdmin)).canManage).toBe(
      true,
    );
    expect(
      await invocationFor(decode(groupMessage("/digest", { chatId: -100, userId: 2 })), isAdmin),
    ).toEqual({
      platform: "telegram",
      chatId: "-100",
      userId: "2",
      canManage: false,
      manageRequirement: MANAGE_REQUIREMENT,
    });
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
  const messenger = () =>
    createTelegramBot({
      registry: createRegistry([]),
      deps: { clock: { now: () => new Date() } } as Deps,
      token: tg.token,
      apiRoot: tg.apiRoot,
      logger: recordingLogger(),
      commandsPerUserPerMinute: 20,
    }).messenger;

  beforeAll(async () => {
    tg = await startFakeTelegram();
  });
  afterAll(async () => {
    await tg.close();
  });

  it("posts a long reply as several valid HTML messages, in order, at most one a second per group", async () => {
    const long = Array.from({ length: 150 }, (_, i) => `line ${i} & more text to fill the message`).join(
      "\n",
    );
    await messenger().send("-100200", reply(long));
    const sent = tg.sent.filter((m) => m.chat_id === "-100200");
    expect(sent).toHaveLength(2);
    // Telegram allows one message a second per chat: the throttle spaces them.
    expect(sent[1]!.receivedAt - sent[0]!.receivedAt).toBeGreaterThanOrEqual(900);
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
});
