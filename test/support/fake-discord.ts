/** A fake Discord on 127.0.0.1 for end-to-end tests of the real discord.js client: the REST API
 * under /api/v10 (what discord.js calls) and a gateway WebSocket that says HELLO, accepts IDENTIFY,
 * answers heartbeats, dispatches READY and GUILD_CREATE, and then whatever a test sends.
 *
 *   const dc = await startFakeDiscord();
 *   const bot = createDiscordBot({ token: dc.token, applicationId: dc.applicationId, apiUrl: dc.apiUrl, … });
 *   await bot.start();
 *   const result = await dc.interact(slashCommand(dc, "mining_cost", { region: "paraguay" }));
 *   result.callback.type;  // 4 answered, 5 deferred (then result.edits), 8 autocomplete
 *   dc.failNext("POST /channels/", 403, { code: 50013, message: "Missing Permissions" });
 *   dc.calls;              // every REST request, in order
 *   await dc.close();
 *
 * discord.js asks for zlib-stream only when zlib-sync is installed (it is not here); the fake
 * refuses such a connection with a clear close reason rather than sending garbage. */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type WebSocket, WebSocketServer } from "ws";

export interface RecordedCall {
  method: string;
  /** Path after /api/v10, without the query: "/interactions/1/abc/callback". */
  path: string;
  query: URLSearchParams;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are whatever discord.js sent
  body: any;
  authorization: string | undefined;
  /** performance.now() when the request was complete. */
  at: number;
  /** Files of a multipart request (discord.js sends attachments so, with the JSON as payload_json). */
  files?: { field: string; name: string; type: string; bytes: Buffer }[];
}

export interface InteractionResult {
  /** The interaction callback: type 4 message, 5 deferred, 8 autocomplete result. */
  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  callback: { type: number; data?: any };
  /** Bodies of PATCH …/messages/@original, in order. */
  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  edits: any[];
  /** Bodies of POST /webhooks/{app}/{token} (follow-up messages). */
  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  followups: any[];
  /** Whether the original response was deleted. */
  deleted: boolean;
  /** The message the user ends up seeing: the last follow-up, edit, or the callback's data. */
  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  final: any;
  /** Milliseconds from dispatching INTERACTION_CREATE to the request that completed the answer. */
  ms: number;
  /** Milliseconds from dispatching INTERACTION_CREATE to the interaction callback (the acknowledgement
   * Discord wants within 3 s). */
  ackMs: number;
}

export interface FakeDiscord {
  /** http://127.0.0.1:PORT/api — pass as discord.js `rest.api`. */
  apiUrl: string;
  gatewayUrl: string;
  token: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  dmChannelId: string;
  /** With { guilds: 2 }: a second server (with its own #general) on the other of two shards. */
  secondGuild?: { guildId: string; channelId: string };
  /** The shard ([id, count]) each connected client identified as, in connection order. */
  shardsConnected(): Array<[number, number]>;
  calls: RecordedCall[];
  /** IDENTIFY payloads received (token, intents, properties). */
  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  identifies: any[];
  /** Query strings the gateway was opened with (v, encoding, compress). */
  gatewayQueries: URLSearchParams[];
  /** Resolves when a client has identified and READY and GUILD_CREATE were sent. */
  waitForReady(): Promise<void>;
  /** Dispatches INTERACTION_CREATE and resolves when the answer is complete: an immediate reply or
   * autocomplete result, or after a deferral the first edit or follow-up. */
  interact(payload: InteractionPayload, options?: { timeoutMs?: number }): Promise<InteractionResult>;
  /** Sends any dispatch event to connected clients. */
  dispatch(event: string, data: unknown): void;
  /** The next `times` requests whose "METHOD /path" starts with (or matches) route answer `status`. */
  failNext(route: string | RegExp, status: number, body?: unknown, times?: number): void;
  /** Commands stored by PUT, per scope ("global" or a guild id). */
  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  registeredCommands(scope?: string): any[] | undefined;
  /** Open gateway connections. */
  connections(): number;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: an INTERACTION_CREATE payload
export type InteractionPayload = Record<string, any> & { id: string; token: string };

/** Permission bits as Discord sends them (decimal strings). */
export const PERMISSIONS = {
  member: String((1n << 10n) | (1n << 11n)), // View Channel, Send Messages
  manager: String((1n << 10n) | (1n << 11n) | (1n << 4n)), // + Manage Channels
} as const;

let counter = 0n;
/** Unique, increasing snowflake-looking ids. */
export function snowflake(): string {
  counter += 1n;
  return String(((BigInt(Date.now()) - 1420070400000n) << 22n) + counter);
}

interface Pending {
  dispatchedAt: number;
  result: Omit<InteractionResult, "final" | "ms" | "ackMs" | "callback"> & {
    callback?: InteractionResult["callback"];
  };
  ackAt?: number;
  resolve(result: InteractionResult): void;
}

interface Failure {
  route: string | RegExp;
  status: number;
  body: unknown;
  times: number;
}

/** The shard Discord sends a guild's events to: (guild_id >> 22) % shard count. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

export async function startFakeDiscord(
  options: {
    token?: string;
    applicationId?: string;
    /** 2: the bot is in a second server too, placed on the other shard when there are two. */
    guilds?: 1 | 2;
    /** The shard count GET /gateway/bot recommends (default 1). */
    recommendedShards?: number;
  } = {},
): Promise<FakeDiscord> {
  const token = options.token ?? `fake.${randomBytes(12).toString("hex")}.token`;
  const applicationId = options.applicationId ?? "1300000000000000001";
  const guildId = "1300000000000000100";
  const channelId = "1300000000000000200";
  const dmChannelId = "1300000000000000300";
  // One more in the id's timestamp part: the other shard of two.
  const secondGuild =
    options.guilds === 2
      ? { guildId: String(BigInt(guildId) + (1n << 22n)), channelId: "1300000000000000201" }
      : undefined;
  const guilds = [{ guildId, channelId }, ...(secondGuild ? [secondGuild] : [])];
  const botUser = {
    id: applicationId,
    username: "decentra",
    discriminator: "0000",
    global_name: null,
    avatar: null,
    bot: true,
    flags: 0,
  };

  const calls: RecordedCall[] = [];
  const identifies: unknown[] = [];
  const gatewayQueries: URLSearchParams[] = [];
  const failures: Failure[] = [];
  const pending = new Map<string, Pending>();
  const commands = new Map<string, Array<Record<string, unknown>>>();
  const commandIds = new Map<string, string>();
  const sockets = new Set<Socket>();
  const clients = new Set<WebSocket>();
  const seq = new WeakMap<WebSocket, number>();
  /** The shard each identified client runs. */
  const shardOfClient = new Map<WebSocket, [number, number]>();
  /** Whether a client receives this guild's events (a DM's: shard 0's). */
  const receives = (ws: WebSocket, guild: string | undefined) => {
    const [id, count] = shardOfClient.get(ws) ?? [0, 1];
    return (guild === undefined ? 0 : shardOf(guild, count)) === id;
  };
  let readyWaiters: Array<() => void> = [];
  let readyCount = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => void handleRest(req, res, Buffer.concat(chunks)));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== "/gateway") return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => onGateway(ws, url.searchParams));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  // ---- REST -------------------------------------------------------------------------------------

  interface Answer {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
  }
  const ok = (body: unknown): Answer => ({ status: 200, body });
  const noContent: Answer = { status: 204 };
  const notFound: Answer = { status: 404, body: { message: "404: Not Found", code: 0 } };

  async function handleRest(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? "/", base);
    const type = req.headers["content-type"] ?? "";
    let body: unknown = raw.length && type.includes("json") ? JSON.parse(raw.toString("utf8")) : undefined;
    let files: RecordedCall["files"];
    if (type.includes("multipart/form-data")) {
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": type } }).formData();
      files = [];
      for (const [field, value] of form.entries()) {
        if (field === "payload_json") body = JSON.parse(String(value));
        else if (typeof value !== "string")
          files.push({
            field,
            name: value.name,
            type: value.type,
            bytes: Buffer.from(await value.arrayBuffer()),
          });
      }
    }
    const call: RecordedCall = {
      method: req.method ?? "GET",
      path: decodeURIComponent(url.pathname.replace(/^\/api\/v10(?=\/)/, "")),
      query: url.searchParams,
      body,
      authorization: req.headers.authorization,
      at: performance.now(),
      ...(files ? { files } : {}),
    };
    calls.push(call);
    const answer = url.pathname.startsWith("/api/v10/") ? answerRest(call) : notFound;
    if (answer.status === 204) {
      res.writeHead(204);
      res.end();
      return;
    }
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(JSON.stringify(answer.body));
  }

  function answerRest(call: RecordedCall): Answer {
    const failure = takeFailure(`${call.method} ${call.path}`);
    if (failure) {
      return {
        status: failure.status,
        body: failure.body ?? { message: "fake failure", code: 0 },
        headers: failure.status === 429 ? { "retry-after": "0.05", "x-ratelimit-scope": "shared" } : {},
      };
    }
    // Interaction callbacks and webhooks are authorised by the interaction token in the path.
    const byToken = call.path.startsWith("/interactions/") || call.path.startsWith("/webhooks/");
    if (!byToken && call.authorization !== `Bot ${token}`) {
      return { status: 401, body: { message: "401: Unauthorized", code: 0 } };
    }
    for (const [method, pattern, handler] of routes) {
      const match = call.method === method ? pattern.exec(call.path) : null;
      if (match) return handler(call, match.slice(1));
    }
    return notFound;
  }

  type Handler = (call: RecordedCall, params: Array<string | undefined>) => Answer;
  const routes: Array<[string, RegExp, Handler]> = [
    [
      "GET",
      /^\/gateway\/bot$/,
      () =>
        ok({
          url: gatewayUrl,
          shards: options.recommendedShards ?? 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        }),
    ],
    ["GET", /^\/gateway$/, () => ok({ url: gatewayUrl })],
    ["GET", /^\/users\/@me$/, () => ok(botUser)],
    ["GET", /^\/applications\/@me$/, () => ok({ id: applicationId, name: "decentra", flags: 0 })],
    [
      "POST",
      /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
      (call, [id, itoken]) => {
        const entry = pending.get(itoken!);
        if (entry) {
          entry.result.callback = call.body;
          entry.ackAt = call.at;
          // A deferral (5, 6) is completed later by an edit or a follow-up.
          if (call.body?.type !== 5 && call.body?.type !== 6) settle(itoken!, call.at);
        }
        if (call.query.get("with_response") !== "true") return noContent;
        return ok({ interaction: { id, type: 2 }, resource: { type: call.body?.type } });
      },
    ],
    [
      "PATCH",
      /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/,
      (call, [itoken]) => {
        pending.get(itoken!)?.result.edits.push(call.body);
        settle(itoken!, call.at);
        return ok(message(interactionChannel(itoken!), call.body));
      },
    ],
    [
      "DELETE",
      /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/,
      (_call, [itoken]) => {
        const entry = pending.get(itoken!);
        if (entry) entry.result.deleted = true;
        return noContent;
      },
    ],
    [
      "GET",
      /^\/webhooks\/\d+\/([^/]+)\/messages\/@original$/,
      (_call, [itoken]) => ok(message(interactionChannel(itoken!), {})),
    ],
    [
      "POST",
      /^\/webhooks\/\d+\/([^/]+)$/,
      (call, [itoken]) => {
        pending.get(itoken!)?.result.followups.push(call.body);
        settle(itoken!, call.at);
        return ok(message(interactionChannel(itoken!), call.body));
      },
    ],
    ["POST", /^\/channels\/(\d+)\/messages$/, (call, [id]) => ok(message(id!, call.body))],
    [
      "GET",
      /^\/channels\/(\d+)$/,
      (_call, [id]) => ok({ id, type: 0, guild_id: guildId, name: "general", position: 0 }),
    ],
    [
      "PUT",
      /^\/applications\/\d+(?:\/guilds\/(\d+))?\/commands$/,
      (call, [guild]) => putCommands(call, guild),
    ],
    [
      "GET",
      /^\/applications\/\d+(?:\/guilds\/(\d+))?\/commands$/,
      (_call, [guild]) => ok(commands.get(guild ?? "global") ?? []),
    ],
  ];

  /** Bulk overwrite, as Discord does it: the scope's list becomes exactly the body; a command keeps
   * its id across overwrites. */
  function putCommands(call: RecordedCall, guild: string | undefined): Answer {
    const scope = guild ?? "global";
    const stored = (call.body as Array<Record<string, unknown>>).map((c) => {
      const key = `${scope}/${c.name}`;
      if (!commandIds.has(key)) commandIds.set(key, snowflake());
      return {
        ...c,
        id: commandIds.get(key),
        application_id: applicationId,
        ...(guild ? { guild_id: guild } : {}),
        version: snowflake(),
        default_member_permissions: null,
      };
    });
    commands.set(scope, stored);
    return ok(stored);
  }

  function takeFailure(key: string): Failure | undefined {
    const index = failures.findIndex((f) =>
      typeof f.route === "string" ? key.startsWith(f.route) : f.route.test(key),
    );
    if (index < 0) return undefined;
    const failure = failures[index]!;
    if (--failure.times <= 0) failures.splice(index, 1);
    return failure;
  }

  const interactionChannels = new Map<string, string>();
  function interactionChannel(interactionToken: string): string {
    return interactionChannels.get(interactionToken) ?? channelId;
  }

  // biome-ignore lint/suspicious/noExplicitAny: Discord's JSON
  function message(channel: string, body: any) {
    return {
      id: snowflake(),
      type: 0,
      channel_id: channel,
      author: botUser,
      content: body?.content ?? "",
      embeds: body?.embeds ?? [],
      attachments: [],
      components: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: body?.flags ?? 0,
      webhook_id: applicationId,
      application_id: applicationId,
    };
  }

  function settle(interactionToken: string, at: number): void {
    const entry = pending.get(interactionToken);
    if (!entry?.result.callback) return;
    pending.delete(interactionToken);
    const { result } = entry;
    const final = result.followups.at(-1) ?? result.edits.at(-1) ?? result.callback!.data;
    entry.resolve({
      ...result,
      callback: result.callback!,
      final,
      ms: at - entry.dispatchedAt,
      ackMs: (entry.ackAt ?? at) - entry.dispatchedAt,
    });
  }

  // ---- gateway ----------------------------------------------------------------------------------

  function send(ws: WebSocket, payload: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(payload));
  }

  function sendDispatch(ws: WebSocket, t: string, d: unknown): void {
    const s = (seq.get(ws) ?? 0) + 1;
    seq.set(ws, s);
    send(ws, { op: 0, t, s, d });
  }

  function onGateway(ws: WebSocket, query: URLSearchParams): void {
    gatewayQueries.push(query);
    if (query.get("compress") || query.get("encoding") !== "json") {
      ws.close(4000, "fake gateway speaks uncompressed JSON only");
      return;
    }
    clients.add(ws);
    ws.on("close", () => {
      clients.delete(ws);
      shardOfClient.delete(ws);
    });
    send(ws, { op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null });
    ws.on("message", (data) => {
      const payload = JSON.parse(data.toString()) as { op: number; d: Record<string, unknown> };
      if (payload.op === 1) send(ws, { op: 11, d: null, s: null, t: null });
      if (payload.op === 2) identify(ws, payload.d);
    });
  }

  function identify(ws: WebSocket, d: Record<string, unknown>): void {
    identifies.push(d);
    if (d.token !== token) {
      ws.close(4004, "Authentication failed.");
      return;
    }
    const shard = (Array.isArray(d.shard) ? d.shard : [0, 1]) as [number, number];
    shardOfClient.set(ws, shard);
    const mine = guilds.filter((g) => receives(ws, g.guildId));
    sendDispatch(ws, "READY", {
      v: 10,
      user: botUser,
      guilds: mine.map((g) => ({ id: g.guildId, unavailable: true })),
      session_id: randomBytes(16).toString("hex"),
      resume_gateway_url: gatewayUrl,
      shard,
      application: { id: applicationId, flags: 0 },
    });
    for (const g of mine) sendDispatch(ws, "GUILD_CREATE", guild(g.guildId, g.channelId));
    readyCount++;
    for (const resolve of readyWaiters) resolve();
    readyWaiters = [];
  }

  function guild(id: string, generalId: string) {
    return {
      id,
      name: "Decentra test server",
      icon: null,
      owner_id: "1300000000000000999",
      unavailable: false,
      member_count: 2,
      large: false,
      joined_at: new Date().toISOString(),
      features: [],
      roles: [
        {
          id,
          name: "@everyone",
          permissions: PERMISSIONS.member,
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [
        {
          id: generalId,
          type: 0,
          name: "general",
          guild_id: id,
          position: 0,
          permission_overwrites: [],
        },
      ],
      threads: [],
      members: [],
      emojis: [],
      stickers: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      premium_tier: 0,
      preferred_locale: "en-US",
      system_channel_flags: 0,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
    };
  }

  return {
    apiUrl: `${base}/api`,
    gatewayUrl,
    token,
    applicationId,
    guildId,
    channelId,
    dmChannelId,
    ...(secondGuild ? { secondGuild } : {}),
    shardsConnected: () =>
      [...clients].map((ws) => shardOfClient.get(ws)).filter((shard) => shard !== undefined),
    calls,
    identifies,
    gatewayQueries,
    waitForReady: () =>
      readyCount > 0 ? Promise.resolve() : new Promise<void>((resolve) => readyWaiters.push(resolve)),
    interact(payload, { timeoutMs = 3_000 } = {}) {
      return new Promise<InteractionResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          const entry = pending.get(payload.token);
          pending.delete(payload.token);
          reject(
            new Error(
              `interaction ${payload.data?.name} not answered within ${timeoutMs} ms; got ${JSON.stringify(entry?.result)}`,
            ),
          );
        }, timeoutMs);
        interactionChannels.set(payload.token, payload.channel?.id ?? channelId);
        pending.set(payload.token, {
          dispatchedAt: performance.now(),
          result: { edits: [], followups: [], deleted: false } as Pending["result"],
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
        });
        // Discord sends it to the one shard that holds the guild (a DM: shard 0).
        const to = [...clients].filter((ws) => receives(ws, payload.guild_id));
        if (to.length === 0) reject(new Error("no gateway client connected for this guild's shard"));
        for (const ws of to) sendDispatch(ws, "INTERACTION_CREATE", payload);
      });
    },
    dispatch(event, data) {
      for (const ws of clients) sendDispatch(ws, event, data);
    },
    failNext(route, status, body, times = 1) {
      failures.push({ route, status, body, times });
    },
    registeredCommands: (scope = "global") => commands.get(scope),
    connections: () => clients.size,
    async close() {
      for (const ws of clients) ws.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- payload builders -----------------------------------------------------------------------------

export type OptionValues = Record<string, string | number | boolean>;

export interface Where {
  /** A DM with the bot instead of the test server's #general. */
  dm?: boolean;
  /** The second server's #general (a fake started with { guilds: 2 }). */
  secondGuild?: boolean;
  /** Member permissions in the server (decimal bitfield string); default PERMISSIONS.member. */
  permissions?: string;
  userId?: string;
}

const OPTION_TYPE = { string: 3, boolean: 5, number: 10 } as const;

function encodeOptions(values: OptionValues, focused?: string) {
  return Object.entries(values).map(([name, value]) => ({
    name,
    type: OPTION_TYPE[typeof value as keyof typeof OPTION_TYPE],
    value,
    ...(name === focused ? { focused: true } : {}),
  }));
}

function interactionBase(
  dc: FakeDiscord,
  type: number,
  data: Record<string, unknown>,
  where: Where,
): InteractionPayload {
  const user = {
    id: where.userId ?? "1300000000000000500",
    username: "satoshi",
    discriminator: "0",
    global_name: "Satoshi",
    avatar: null,
  };
  const common = {
    id: snowflake(),
    application_id: dc.applicationId,
    type,
    token: `itoken-${randomBytes(24).toString("hex")}`,
    version: 1,
    data,
    app_permissions: PERMISSIONS.member,
    locale: "en-US",
    entitlements: [],
    attachment_size_limit: 10_485_760,
  };
  if (where.dm) {
    return {
      ...common,
      channel_id: dc.dmChannelId,
      channel: { id: dc.dmChannelId, type: 1, flags: 0, last_message_id: null, recipients: [user] },
      user,
      authorizing_integration_owners: { "0": "0" },
      context: 1,
    };
  }
  const { guildId, channelId } =
    where.secondGuild && dc.secondGuild ? dc.secondGuild : { guildId: dc.guildId, channelId: dc.channelId };
  return {
    ...common,
    guild_id: guildId,
    guild_locale: "en-US",
    guild: { id: guildId, locale: "en-US", features: [] },
    channel_id: channelId,
    channel: {
      id: channelId,
      type: 0,
      guild_id: guildId,
      name: "general",
      position: 0,
      flags: 0,
      permissions: PERMISSIONS.member,
      last_message_id: null,
      nsfw: false,
      parent_id: null,
      rate_limit_per_user: 0,
      topic: null,
    },
    member: {
      user,
      roles: [],
      permissions: where.permissions ?? PERMISSIONS.member,
      joined_at: "2025-01-01T00:00:00.000Z",
      nick: null,
      avatar: null,
      premium_since: null,
      deaf: false,
      mute: false,
      pending: false,
      flags: 0,
      communication_disabled_until: null,
    },
    authorizing_integration_owners: { "0": guildId },
    context: 0,
  };
}

/** An INTERACTION_CREATE payload for a slash command (type 2) with typed options. */
export function slashCommand(dc: FakeDiscord, name: string, options: OptionValues = {}, where: Where = {}) {
  return interactionBase(dc, 2, { id: snowflake(), name, type: 1, options: encodeOptions(options) }, where);
}

/** An autocomplete interaction (type 4): `focused` is the option being typed. */
export function autocomplete(
  dc: FakeDiscord,
  name: string,
  options: OptionValues,
  focused: string,
  where: Where = {},
) {
  return interactionBase(
    dc,
    4,
    { id: snowflake(), name, type: 1, options: encodeOptions(options, focused) },
    where,
  );
}

/** A press on a button (a message component interaction, type 3) under one of the bot's messages. */
export function buttonClick(dc: FakeDiscord, customId: string, where: Where = {}) {
  const base = interactionBase(
    dc,
    3,
    { custom_id: customId, component_type: 2 },
    where,
  ) as InteractionPayload & {
    channel_id: string;
  };
  return {
    ...base,
    message: {
      id: snowflake(),
      channel_id: base.channel_id,
      type: 0,
      content: "",
      embeds: [],
      components: [],
      attachments: [],
      author: { id: dc.applicationId, username: "Decentra", discriminator: "0", avatar: null, bot: true },
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      flags: 0,
    },
  };
}
