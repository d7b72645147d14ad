/** A fake Telegram Bot API server on 127.0.0.1, for the real grammY client (`client.apiRoot`).
 *
 *   const tg = await startFakeTelegram();
 *   new Bot(tg.token, { client: { apiRoot: tg.apiRoot } });
 *   tg.pushUpdate(privateMessage("/help"));                 // served to the next getUpdates
 *   const [msg] = await tg.waitForMessages(1, { chatId: 42 });
 *   tg.failNext("sendMessage", { status: 429, retry_after: 1 });
 *   tg.setChatMember(-100, 7, "administrator");
 *   tg.calls("setMyCommands");                              // payloads, in order
 *   await tg.close();
 *
 *   startFakeTelegram({ rateLimit: { perSecond: 30 } })     // Telegram's 30 messages/s per token
 *   tg.tooManyRequests                                      // sends refused with 429 so far
 *
 * Like Telegram, sendMessage refuses text over 4096 characters and HTML it cannot parse (unknown
 * or unbalanced tags, bad entities), so a test that gets an answer also knows the answer is valid. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeChat {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  username?: string;
  first_name?: string;
}

export interface FakeUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
}

export interface FakeMessage {
  message_id: number;
  date: number;
  chat: FakeChat;
  from?: FakeUser;
  sender_chat?: FakeChat;
  text?: string;
  entities?: Array<{ type: string; offset: number; length: number }>;
  /** The message this one replies to. */
  reply_to_message?: FakeMessage;
}

export interface FakeInlineQuery {
  id: string;
  from: FakeUser;
  query: string;
  offset: string;
  chat_type?: "sender" | "private" | "group" | "supergroup" | "channel";
}

export interface FakeUpdate {
  update_id: number;
  message?: FakeMessage;
  channel_post?: FakeMessage;
  edited_message?: FakeMessage;
  inline_query?: FakeInlineQuery;
  callback_query?: {
    id: string;
    from: FakeUser;
    message?: FakeMessage;
    chat_instance: string;
    data?: string;
  };
}

/** What a sendMessage call asked for. */
export interface SentMessage {
  chat_id: number | string;
  text: string;
  parse_mode?: string;
  reply_parameters?: { message_id: number; allow_sending_without_reply?: boolean };
  link_preview_options?: { is_disabled?: boolean };
  message_thread_id?: number;
  reply_markup?: { inline_keyboard: { text: string; callback_data: string }[][] };
  /** When the server received it (performance.now()). */
  receivedAt: number;
}

/** What a sendPhoto call (multipart, as grammY uploads a file) asked for. */
export interface SentPhoto {
  chat_id: number | string;
  caption?: string;
  parse_mode?: string;
  reply_markup?: unknown;
  /** The uploaded file. */
  photo: { name: string; type: string; bytes: Buffer };
  receivedAt: number;
}

export interface FailureSpec {
  /** HTTP status and error_code; ignored with `disconnect`. */
  status: number;
  description?: string;
  retry_after?: number;
  /** Telegram's answer when a group was upgraded to a supergroup (400, parameters.migrate_to_chat_id). */
  migrate_to_chat_id?: number;
  /** Drop the connection without an answer, as a network failure does. */
  disconnect?: boolean;
  /** Only a call whose payload matches fails (default: the next call). */
  when?: (payload: Record<string, unknown>) => boolean;
}

export type MemberStatus = "creator" | "administrator" | "member" | "restricted" | "left" | "kicked";

export interface FakeTelegram {
  /** http://127.0.0.1:<port>, for grammY's client.apiRoot. */
  apiRoot: string;
  token: string;
  /** What getMe answers. */
  botInfo: FakeUser & { username: string };
  /** Queues an update (update_id is assigned when missing) and wakes a waiting getUpdates. */
  pushUpdate(update: Omit<FakeUpdate, "update_id"> & { update_id?: number }): number;
  /** Resolves with the first n recorded sendMessage calls (for one chat when given); rejects after
   * timeoutMs (default 5000). */
  waitForMessages(
    n: number,
    options?: { chatId?: number | string; timeoutMs?: number },
  ): Promise<SentMessage[]>;
  /** Every accepted sendMessage, in order. */
  readonly sent: SentMessage[];
  /** Every accepted sendPhoto, in order. */
  readonly photos: SentPhoto[];
  /** Resolves with the first n recorded sendPhoto calls; rejects after timeoutMs (default 5000). */
  waitForPhotos(n: number, options?: { timeoutMs?: number }): Promise<SentPhoto[]>;
  /** Payloads of every call to a method (accepted or failed), in order. */
  calls(method: string): Array<Record<string, unknown>>;
  /** The next call to `method` (that matches `failure.when`) fails with this answer (once per call
   * of failNext). */
  failNext(method: string, failure: FailureSpec): void;
  setChatMember(chatId: number, userId: number, status: MemberStatus): void;
  /** What setWebhook last registered. */
  readonly webhook: { url: string; secret_token?: string } | undefined;
  /** Plays Telegram delivering an update to the registered webhook; returns the HTTP status. */
  deliverWebhook(
    update: Omit<FakeUpdate, "update_id">,
    options?: { secret?: string | null },
  ): Promise<number>;
  /** Sends refused with 429 because of the rateLimit option. */
  readonly tooManyRequests: number;
  /** Forget recorded calls and sent messages (queued updates and settings stay). */
  clearCalls(): void;
  close(): Promise<void>;
}

export const FAKE_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmno";

interface Waiter {
  offset: number;
  resolve: () => void;
}

export interface FakeRateLimit {
  /** At most this many messages are accepted in any 1000 ms (a sliding window), per token. */
  perSecond: number;
  /** The retry_after (seconds) a refused send is told. Default 1. */
  retryAfterSeconds?: number;
}

/** Methods that post a message and count against the limit (not sendChatAction). */
const RATE_LIMITED_METHOD = /^(?:send(?!ChatAction$)\w+|copyMessages?|forwardMessages?)$/;

export async function startFakeTelegram(
  options: {
    token?: string;
    username?: string;
    botId?: number;
    /** Off by default: enforce a message rate per token with 429 + retry_after, as Telegram does. */
    rateLimit?: FakeRateLimit;
    /** Sends are answered this long after they were accepted (a real round trip is 50–200 ms). */
    sendLatencyMs?: number;
  } = {},
): Promise<FakeTelegram> {
  const token = options.token ?? FAKE_TOKEN;
  const botInfo = {
    id: options.botId ?? Number(token.split(":")[0]),
    is_bot: true,
    first_name: "Decentra Test",
    username: options.username ?? "DecentraTestBot",
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: true,
  };
  let queue: FakeUpdate[] = [];
  let nextUpdateId = 1;
  let nextMessageId = 1000;
  const waiters = new Set<Waiter>();
  const sent: SentMessage[] = [];
  const photos: SentPhoto[] = [];
  const callLog = new Map<string, Array<Record<string, unknown>>>();
  const failures = new Map<string, FailureSpec[]>();
  const members = new Map<string, MemberStatus>();
  const messageWatchers = new Set<() => void>();
  const sockets = new Set<Socket>();
  /** Times (performance.now()) of the sends accepted in the last second, oldest first. */
  const acceptedSends: number[] = [];
  let tooManyRequests = 0;
  /** True when one more send would exceed the limit now; otherwise records the send. */
  const overLimit = (method: string): boolean => {
    const limit = options.rateLimit;
    if (!limit || !RATE_LIMITED_METHOD.test(method)) return false;
    const now = performance.now();
    while (acceptedSends.length && acceptedSends[0]! <= now - 1000) acceptedSends.shift();
    if (acceptedSends.length >= limit.perSecond) {
      tooManyRequests++;
      return true;
    }
    acceptedSends.push(now);
    return false;
  };
  let webhook: { url: string; secret_token?: string } | undefined;

  const methods: Record<
    string,
    (payload: Record<string, unknown>, req: IncomingMessage) => Promise<Answer> | Answer
  > = {
    getMe: () => ok(botInfo),
    setMyCommands: () => ok(true),
    deleteMyCommands: () => ok(true),
    deleteWebhook: () => {
      webhook = undefined;
      return ok(true);
    },
    setWebhook: (payload) => {
      webhook = {
        url: String(payload.url),
        ...(payload.secret_token ? { secret_token: String(payload.secret_token) } : {}),
      };
      return ok(true);
    },
    close: () => ok(true),
    sendChatAction: () => ok(true),
    // Accepted when the results are a non-empty list of valid articles (or an empty list), as the
    // Bot API checks: ids unique and at most 64 bytes, titles present, message text at most 4096.
    answerInlineQuery: (payload) => {
      const results = (
        typeof payload.results === "string" ? JSON.parse(payload.results) : payload.results
      ) as Array<Record<string, unknown>>;
      if (!payload.inline_query_id)
        return fail({ status: 400, description: "Bad Request: query id is empty" });
      if (!Array.isArray(results) || results.length > 50)
        return fail({ status: 400, description: "Bad Request: RESULTS_TOO_MUCH" });
      const ids = new Set<string>();
      for (const r of results) {
        const content = r.input_message_content as { message_text?: string; parse_mode?: string } | undefined;
        const text = content?.message_text ?? "";
        if (r.type !== "article" || !r.title || !text || ids.has(String(r.id)) || String(r.id).length > 64)
          return fail({ status: 400, description: "Bad Request: RESULT_INVALID" });
        if (text.length > 4096) return fail({ status: 400, description: "Bad Request: MESSAGE_TOO_LONG" });
        if (content?.parse_mode === "HTML" && checkTelegramHtml(text))
          return fail({
            status: 400,
            description: `Bad Request: can't parse entities: ${checkTelegramHtml(text)}`,
          });
        ids.add(String(r.id));
      }
      for (const watch of messageWatchers) watch();
      return ok(true);
    },
    answerCallbackQuery: () => ok(true),
    getChatMember: (payload) => {
      const status = members.get(`${payload.chat_id}:${payload.user_id}`) ?? "member";
      return ok({ status, user: { id: Number(payload.user_id), is_bot: false, first_name: "User" } });
    },
    getUpdates: (payload, req) => getUpdates(payload, req),
    sendPhoto: (payload) => {
      const photo = payload.photo as SentPhoto["photo"] | string | undefined;
      if (!photo || typeof photo === "string" || photo.bytes.length === 0)
        return fail({ status: 400, description: "Bad Request: there is no photo in the request" });
      const caption = payload.caption === undefined ? undefined : String(payload.caption);
      if (caption !== undefined && caption.length > 1024)
        return fail({ status: 400, description: "Bad Request: message caption is too long" });
      if (caption !== undefined && payload.parse_mode === "HTML") {
        const problem = checkTelegramHtml(caption);
        if (problem)
          return fail({ status: 400, description: `Bad Request: can't parse entities: ${problem}` });
      }
      photos.push({
        chat_id: payload.chat_id as string,
        ...(caption !== undefined ? { caption } : {}),
        ...(payload.parse_mode ? { parse_mode: String(payload.parse_mode) } : {}),
        ...(payload.reply_markup ? { reply_markup: payload.reply_markup } : {}),
        photo,
        receivedAt: performance.now(),
      });
      for (const watch of messageWatchers) watch();
      const chatId = Number(payload.chat_id);
      return ok({
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: chatId < 0 ? "supergroup" : "private" },
        photo: [{ file_id: `photo-${nextMessageId}`, width: 780, height: 600 }],
        ...(caption !== undefined ? { caption } : {}),
      });
    },
    sendMessage: (payload) => {
      const text = String(payload.text ?? "");
      if (!text.trim()) return fail({ status: 400, description: "Bad Request: message text is empty" });
      if (text.length > 4096) return fail({ status: 400, description: "Bad Request: message is too long" });
      if (payload.parse_mode === "HTML") {
        const problem = checkTelegramHtml(text);
        if (problem)
          return fail({ status: 400, description: `Bad Request: can't parse entities: ${problem}` });
      }
      const message = { ...(payload as Omit<SentMessage, "receivedAt">), receivedAt: performance.now() };
      sent.push(message);
      for (const watch of messageWatchers) watch();
      const chatId = Number(payload.chat_id);
      return ok({
        message_id: nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: chatId < 0 ? "supergroup" : "private" },
        text,
      });
    },
  };

  async function getUpdates(payload: Record<string, unknown>, req: IncomingMessage): Promise<Answer> {
    const offset = Number(payload.offset ?? 0);
    // Telegram forgets every update below the offset: that is how a client confirms them.
    if (offset > 0) queue = queue.filter((u) => u.update_id >= offset);
    const timeoutMs = Number(payload.timeout ?? 0) * 1000;
    const ready = () => queue.filter((u) => u.update_id >= offset);
    if (!ready().length && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const waiter: Waiter = { offset, resolve: () => done() };
        const timer = setTimeout(() => done(), timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(waiter);
          req.off("close", done);
          resolve();
        };
        waiters.add(waiter);
        // The client aborted the long poll (bot.stop()).
        req.once("close", done);
      });
    }
    const limit = Number(payload.limit ?? 100);
    return ok(ready().slice(0, limit));
  }

  const server = createServer(async (req, res) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)/.exec(req.url ?? "");
    if (!match) return answer(res, fail({ status: 404, description: "Not Found" }));
    const [, requestToken, method] = match;
    if (requestToken !== token) return answer(res, fail({ status: 401, description: "Unauthorized" }));
    let payload: Record<string, unknown>;
    try {
      payload = await readJson(req);
    } catch {
      return answer(res, fail({ status: 400, description: "Bad Request: invalid JSON" }));
    }
    const log = callLog.get(method!) ?? [];
    log.push(payload);
    callLog.set(method!, log);
    const pendingFailures = failures.get(method!) ?? [];
    const index = pendingFailures.findIndex((f) => f.when?.(payload) ?? true);
    const failure = index >= 0 ? pendingFailures.splice(index, 1)[0] : undefined;
    if (failure?.disconnect) return void req.socket.destroy();
    if (failure) return answer(res, fail(failure));
    if (overLimit(method!)) {
      return answer(res, fail({ status: 429, retry_after: options.rateLimit!.retryAfterSeconds ?? 1 }));
    }
    const handler = methods[method!];
    if (!handler) return answer(res, fail({ status: 404, description: `Not Found: method ${method}` }));
    const result = await handler(payload, req);
    if (options.sendLatencyMs && RATE_LIMITED_METHOD.test(method!)) {
      await new Promise((r) => setTimeout(r, options.sendLatencyMs));
    }
    if (!res.destroyed) answer(res, result);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fake: FakeTelegram = {
    apiRoot,
    token,
    botInfo,
    sent,
    photos,
    waitForPhotos(n, { timeoutMs = 5000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (photos.length < n) return;
          cleanup();
          resolve(photos.slice(0, n));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`expected ${n} photo(s), got ${photos.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          messageWatchers.delete(check);
        };
        messageWatchers.add(check);
        check();
      });
    },
    get webhook() {
      return webhook;
    },
    get tooManyRequests() {
      return tooManyRequests;
    },
    pushUpdate(update) {
      const full = { ...update, update_id: update.update_id ?? nextUpdateId++ } as FakeUpdate;
      nextUpdateId = Math.max(nextUpdateId, full.update_id + 1);
      queue.push(full);
      for (const waiter of [...waiters]) if (full.update_id >= waiter.offset) waiter.resolve();
      return full.update_id;
    },
    waitForMessages(n, { chatId, timeoutMs = 5000 } = {}) {
      const matching = () => sent.filter((m) => chatId === undefined || String(m.chat_id) === String(chatId));
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = matching();
          if (found.length < n) return;
          cleanup();
          resolve(found.slice(0, n));
        };
        const timer = setTimeout(() => {
          cleanup();
          const texts = matching().map((m) => m.text.slice(0, 80));
          reject(
            new Error(
              `expected ${n} message(s)${chatId === undefined ? "" : ` in chat ${chatId}`}, got ${texts.length}: ${JSON.stringify(texts)}`,
            ),
          );
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          messageWatchers.delete(check);
        };
        messageWatchers.add(check);
        check();
      });
    },
    calls: (method) => callLog.get(method) ?? [],
    failNext(method, failure) {
      const list = failures.get(method) ?? [];
      list.push(failure);
      failures.set(method, list);
    },
    setChatMember(chatId, userId, status) {
      members.set(`${chatId}:${userId}`, status);
    },
    async deliverWebhook(update, { secret } = {}) {
      if (!webhook) throw new Error("no webhook registered (setWebhook was not called)");
      const headers: Record<string, string> = { "content-type": "application/json" };
      const header = secret === undefined ? webhook.secret_token : secret;
      if (header !== null && header !== undefined) headers["x-telegram-bot-api-secret-token"] = header;
      const response = await fetch(webhook.url, {
        method: "POST",
        headers,
        body: JSON.stringify({ ...update, update_id: nextUpdateId++ }),
      });
      await response.arrayBuffer();
      return response.status;
    },
    clearCalls() {
      callLog.clear();
      sent.length = 0;
      photos.length = 0;
    },
    async close() {
      for (const waiter of [...waiters]) waiter.resolve();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

type Answer = { status: number; body: Record<string, unknown> };

const ok = (result: unknown): Answer => ({ status: 200, body: { ok: true, result } });

function fail(failure: FailureSpec): Answer {
  const description =
    failure.description ??
    (failure.status === 429
      ? `Too Many Requests: retry after ${failure.retry_after ?? 1}`
      : failure.status === 403
        ? "Forbidden: bot was blocked by the user"
        : `Error ${failure.status}`);
  return {
    status: failure.status,
    body: {
      ok: false,
      error_code: failure.status,
      description,
      ...(failure.retry_after !== undefined ? { parameters: { retry_after: failure.retry_after } } : {}),
      ...(failure.migrate_to_chat_id !== undefined
        ? { parameters: { migrate_to_chat_id: failure.migrate_to_chat_id } }
        : {}),
    },
  };
}

function answer(res: ServerResponse, result: Answer): void {
  res.writeHead(result.status, { "content-type": "application/json" });
  res.end(JSON.stringify(result.body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const type = req.headers["content-type"] ?? "";
  if (type.includes("multipart/form-data")) {
    // grammY uploads files as multipart; a JSON-looking field (reply_markup) stays a string here.
    const form = await new Response(new Uint8Array(Buffer.concat(chunks)), {
      headers: { "content-type": type },
    }).formData();
    const payload: Record<string, unknown> = {};
    for (const [field, value] of form.entries()) {
      if (typeof value === "string") payload[field] = /^[[{]/.test(value) ? JSON.parse(value) : value;
      else
        payload[field] = {
          name: value.name,
          type: value.type,
          bytes: Buffer.from(await value.arrayBuffer()),
        };
    }
    // grammY names the file part and points the photo field at it ("attach://<id>").
    for (const [field, value] of Object.entries(payload)) {
      const ref = typeof value === "string" ? /^attach:\/\/(.+)$/.exec(value) : null;
      if (ref && payload[ref[1]!]) payload[field] = payload[ref[1]!];
    }
    return payload;
  }
  const raw = Buffer.concat(chunks).toString("utf8");
  if (!raw) return {};
  if (!(req.headers["content-type"] ?? "").includes("json")) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  return JSON.parse(raw) as Record<string, unknown>;
}

/** Tags Telegram's HTML parse mode accepts. */
const TELEGRAM_TAGS = new Set([
  "b",
  "strong",
  "i",
  "em",
  "u",
  "ins",
  "s",
  "strike",
  "del",
  "span",
  "tg-spoiler",
  "a",
  "code",
  "pre",
  "blockquote",
  "tg-emoji",
]);

/** Why Telegram would refuse this HTML, or undefined when it parses: only supported tags, properly
 * nested and closed, `<` and `&` only as tags and entities, entities from the supported set. */
export function checkTelegramHtml(html: string): string | undefined {
  const stack: string[] = [];
  const token = /<(\/?)([a-z-]+)(\s[^<>]*)?>|&(#\d+|#x[0-9a-f]+|[a-z]+);|[<>&]/giy;
  let index = 0;
  while (index < html.length) {
    const next = html.slice(index).search(/[<>&]/);
    if (next === -1) break;
    index += next;
    token.lastIndex = index;
    const match = token.exec(html);
    if (!match || match[0].length === 1) {
      const char = html[index];
      if (char === ">") {
        index++;
        continue; // Telegram tolerates a bare ">"
      }
      return `unescaped "${char}" at byte offset ${index}`;
    }
    const [raw, slash, name, , entity] = match;
    if (entity !== undefined) {
      if (!/^#/.test(entity) && !["lt", "gt", "amp", "quot"].includes(entity.toLowerCase())) {
        return `unsupported entity "${raw}" at byte offset ${index}`;
      }
    } else {
      const tag = name!.toLowerCase();
      if (!TELEGRAM_TAGS.has(tag)) return `unsupported start tag "${tag}" at byte offset ${index}`;
      if (slash) {
        const open = stack.pop();
        if (open !== tag) return `can't find end tag corresponding to start tag "${open ?? tag}"`;
      } else {
        // Telegram: blockquotes can't be nested, and no entity may contain a pre or code block.
        if (tag === "blockquote" && stack.includes("blockquote")) return "blockquotes can't be nested";
        if ((tag === "pre" || tag === "code") && stack.length && !(tag === "code" && stack.at(-1) === "pre"))
          return `"${tag}" can't be inside "${stack.at(-1)}"`;
        stack.push(tag);
      }
    }
    index += raw.length;
  }
  if (stack.length) return `can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`;
  return undefined;
}

/** Plain text with the tags removed and the entities decoded, as a Telegram client shows it. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

// ---- update builders ----

let builderMessageId = 1;

export interface MessageOptions {
  chatId?: number;
  userId?: number;
  username?: string;
  messageId?: number;
  /** The message replied to (e.g. one the bot sent: `from` the bot's user). */
  replyTo?: FakeMessage;
}

function message(text: string, chat: FakeChat, from: FakeUser | undefined, messageId?: number): FakeMessage {
  const command = /^\/\S+/.exec(text);
  return {
    message_id: messageId ?? builderMessageId++,
    date: Math.floor(Date.now() / 1000),
    chat,
    ...(from ? { from } : {}),
    text,
    ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}),
  };
}

function user(id: number, username?: string): FakeUser {
  return { id, is_bot: false, first_name: `User${id}`, ...(username ? { username } : {}) };
}

/** A text message in a private chat (chat id = user id, as in Telegram). */
export function privateMessage(text: string, options: MessageOptions = {}): Omit<FakeUpdate, "update_id"> {
  const userId = options.userId ?? options.chatId ?? 4242;
  const chat: FakeChat = { id: options.chatId ?? userId, type: "private", first_name: `User${userId}` };
  return { message: message(text, chat, user(userId, options.username), options.messageId) };
}

/** A text message in a supergroup (negative chat id). */
export function groupMessage(text: string, options: MessageOptions = {}): Omit<FakeUpdate, "update_id"> {
  const chat: FakeChat = { id: options.chatId ?? -1001234567890, type: "supergroup", title: "Miners" };
  const sent = message(text, chat, user(options.userId ?? 4242, options.username), options.messageId);
  return { message: { ...sent, ...(options.replyTo ? { reply_to_message: options.replyTo } : {}) } };
}

/** A message the bot itself posted in a chat, for replies to it. */
export function botMessage(bot: FakeUser, chatId: number, messageId: number, text = "answer"): FakeMessage {
  return {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: "supergroup", title: "Miners" },
    from: bot,
    text,
  };
}

let inlineQueryId = 1;
/** Someone typing "@Bot <query>" in any chat. */
export function inlineQuery(query: string, options: { userId?: number } = {}): Omit<FakeUpdate, "update_id"> {
  return {
    inline_query: { id: String(inlineQueryId++), from: user(options.userId ?? 4242), query, offset: "" },
  };
}

/** A post in a channel: no `from`, the channel itself is the sender. */
export function channelPost(text: string, options: MessageOptions = {}): Omit<FakeUpdate, "update_id"> {
  const chat: FakeChat = { id: options.chatId ?? -1009876543210, type: "channel", title: "Hashrate News" };
  return { channel_post: { ...message(text, chat, undefined, options.messageId), sender_chat: chat } };
}

let callbackCounter = 1;

/** A press on an inline-keyboard button under the bot's message `messageId` in a private chat. */
export function buttonPress(
  data: string,
  options: { chatId?: number; userId?: number; messageId?: number } = {},
): Omit<FakeUpdate, "update_id"> {
  const userId = options.userId ?? options.chatId ?? 4242;
  const chat: FakeChat = { id: options.chatId ?? userId, type: "private", first_name: `User${userId}` };
  const from = user(userId);
  return {
    callback_query: {
      id: String(callbackCounter++),
      from,
      chat_instance: `instance-${chat.id}`,
      data,
      message: {
        message_id: options.messageId ?? 1,
        date: Math.floor(Date.now() / 1000),
        chat,
        from: { id: 1, is_bot: true, first_name: "Decentra Test" },
        text: "an earlier answer",
      },
    },
  };
}
