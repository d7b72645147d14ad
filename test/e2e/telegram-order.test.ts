/** Telegram updates are answered concurrently across chats and in order within a chat: a slow
 * answer in one chat does not hold another chat's answer, and a chat's answers keep the order of
 * its commands. The real grammY bot against the fake Bot API. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { createTelegramBot, type TelegramBot } from "../../src/adapters/telegram/index.ts";
import { createRegistry, defineCommand } from "../../src/core/index.ts";
import { recordingLogger } from "../data/helpers.ts";
import {
  type FakeTelegram,
  privateMessage,
  startFakeTelegram,
  visibleText,
} from "../support/fake-telegram.ts";
import { memoryDeps } from "../support/memory-deps.ts";

const command = (name: string, delayMs: number) =>
  defineCommand({
    name,
    description: `answers after ${delayMs} ms`,
    options: [],
    args: z.object({}),
    examples: [`/${name}`],
    usesUpstream: false,
    run: async () => {
      await new Promise((r) => setTimeout(r, delayMs));
      return { title: `${name} answer`, summary: "done", sources: [], data: {} };
    },
  });

let tg: FakeTelegram;
let bot: TelegramBot;

beforeAll(async () => {
  tg = await startFakeTelegram();
  const logger = recordingLogger();
  bot = createTelegramBot({
    registry: createRegistry([command("slow", 800), command("fast", 0)]),
    deps: memoryDeps({ logger }),
    token: tg.token,
    apiRoot: tg.apiRoot,
    logger,
    commandsPerUserPerMinute: 100,
    pollingTimeoutSeconds: 1,
  });
  await bot.start({ kind: "polling" });
});

afterAll(async () => {
  await bot.stop({ timeoutMs: 2000 });
  await tg.close();
});

it("answers another chat while one chat's answer is slow, and keeps each chat's order", async () => {
  // Chat 1: slow then fast; chat 2: fast. All three arrive in one getUpdates batch.
  tg.pushUpdate(privateMessage("/slow", { chatId: 1 }));
  tg.pushUpdate(privateMessage("/fast", { chatId: 1 }));
  tg.pushUpdate(privateMessage("/fast", { chatId: 2 }));
  const sent = await tg.waitForMessages(3, { timeoutMs: 5000 });
  const order = sent.map((m) => `${m.chat_id}:${visibleText(m.text).split("\n")[0]}`);
  // Chat 2 is not held behind chat 1's 800 ms; chat 1's fast answer waits for its slow one.
  expect(order).toEqual(["2:fast answer", "1:slow answer", "1:fast answer"]);
  const [chat2, slow, fast] = sent;
  expect(slow!.receivedAt - chat2!.receivedAt).toBeGreaterThan(700);
  expect(fast!.receivedAt).toBeGreaterThanOrEqual(slow!.receivedAt);
});
