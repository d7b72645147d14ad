/** Where free-text questions reach the bot on Telegram, each handed to the `ask` command:
 *  - any plain text in a private chat;
 *  - in a group, only a message that mentions the bot (@Bot …) or replies to one of its messages —
 *    everything else in a group is other people's conversation and is ignored;
 *  - inline mode (`@Bot can I run llama 8b on a pi 5` typed in any chat), answered with
 *    answerInlineQuery: one article carrying the headline and the answer.
 * decode (message → an `/ask …` line) → the usual command flow in bot.ts; inline: run → render → answer. */
import type { Bot, Context } from "grammy";
import type { InlineQueryResultArticle, Message, UserFromGetMe } from "grammy/types";
import {
  type Deps,
  errorReply,
  type Logger,
  type Registry,
  type Reply,
  runCommand,
} from "../../core/index.ts";
import { renderTelegram } from "../../render/telegram.ts";
import { type DecodedCommand, decodeCommand, isGroupChat } from "./decode.ts";
import { describeError } from "./send.ts";

/** The longest question passed on; Telegram inline queries are at most 256 characters anyway. */
const QUESTION_MAX = 500;
const INLINE_TITLE_MAX = 100;
const INLINE_DESCRIPTION_MAX = 200;

/** A plain-text message that is a question for this bot, as the `/ask …` line it amounts to;
 * undefined for commands (decodeCommand reads those) and for group chatter not addressed to us. */
export function decodeQuestion(message: Message, me: UserFromGetMe): DecodedCommand | undefined {
  const text = message.text?.trim();
  if (!text || text.startsWith("/") || message.via_bot) return undefined;
  const kind = message.chat.type;
  let question: string | undefined;
  if (kind === "private") question = text;
  else if (isGroupChat(kind)) {
    const mention = new RegExp(`@${me.username}\\b`, "i");
    if (mention.test(text)) question = text.replace(mention, " ");
    else if (message.reply_to_message?.from?.id === me.id) question = text;
  }
  question = question?.replace(/\s+/g, " ").trim().slice(0, QUESTION_MAX);
  if (!question) return undefined;
  // Reuse the command decoder for chat, sender and thread: the question becomes an /ask line.
  const decoded = decodeCommand({ ...message, text: `/ask ${question}` } as Message, me.username);
  return decoded && { ...decoded, addressed: kind !== "private" };
}

export interface InlineOptions {
  registry: Registry;
  deps: Deps;
  logger: Logger;
  /** Keeps the answer in the bot's set of work in flight, so stop() waits for it. */
  track(task: Promise<void>, what: string, updateId?: number): void;
}

/** Inline mode: the question typed after @Bot in any chat, answered with one article. */
export function installInlineQuestions(bot: Bot, options: InlineOptions): void {
  bot.on("inline_query", (ctx) => {
    options.track(answerInline(ctx, options), "telegram inline query failed", ctx.update.update_id);
  });
}

async function answerInline(ctx: Context, options: InlineOptions): Promise<void> {
  const query = ctx.inlineQuery!;
  const question = query.query.replace(/\s+/g, " ").trim().slice(0, QUESTION_MAX);
  if (!question) {
    await ctx.answerInlineQuery([], { cache_time: 300 });
    return;
  }
  const ask = options.registry.find("ask");
  const invocation = {
    platform: "telegram",
    chatId: `inline:${query.from.id}`,
    userId: String(query.from.id),
    canManage: false,
  } as const;
  const reply: Reply = ask
    ? await runCommand(ask, { question }, { deps: options.deps, invocation })
    : errorReply(new Error("ask is not registered"), "ask", options.deps);
  const [html = ""] = renderTelegram(reply);
  const result: InlineQueryResultArticle = {
    type: "article",
    id: "answer",
    title: clip(reply.headline ?? reply.title, INLINE_TITLE_MAX),
    description: clip(reply.readAs ?? reply.summary, INLINE_DESCRIPTION_MAX),
    input_message_content: {
      message_text: html,
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    },
  };
  try {
    // Answers depend on live data: a minute of caching spares repeated keystrokes, no more.
    await ctx.answerInlineQuery([result], { cache_time: 60, is_personal: false });
  } catch (error) {
    options.logger.warn("telegram inline answer not delivered", { error: describeError(error) });
  }
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
