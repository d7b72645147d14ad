/** A real HTTP server on 127.0.0.1 that plays mempool and CoinGecko for tests.
 *
 *   const upstream = await startFakeUpstream();
 *   createMempoolClient({ baseUrl: upstream.mempoolUrl, http });
 *   createCoinGeckoClient({ baseUrl: upstream.coingeckoUrl, http });
 *   upstream.respond("prices", replies.status(500));            // every later /v1/prices answers 500
 *   upstream.respond("prices", replies.json({ ...defaultPayloads.prices, USD: -1 }));
 *   upstream.respond("tipHeight", () => replies.text("925801")); // handlers may be functions
 *   upstream.requests("prices");                                 // how many requests that route got
 *   upstream.reset();                                            // default answers, counters at 0
 *   await upstream.close();
 *
 * Default answers are realistic late-2025 figures (difficulty 1.5597e14, BTC ≈ $91k, 144-block
 * reward stats at subsidy 3.125 BTC), consistent with each other. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type RouteName =
  | "prices"
  | "hashrate3d"
  | "difficultyAdjustment"
  | "rewardStats"
  | "pools1w"
  | "pools1m"
  | "pools3m"
  | "pools6m"
  | "pools1y"
  | "pools2y"
  | "pools3y"
  | "poolShares1y"
  | "poolShares2y"
  | "poolShares3y"
  | "tipHeight"
  | "coingeckoPrice";

/** Paths as the clients request them (mempool under /api, CoinGecko under /api/v3). */
export const ROUTE_PATHS: Record<RouteName, string> = {
  prices: "/api/v1/prices",
  hashrate3d: "/api/v1/mining/hashrate/3d",
  difficultyAdjustment: "/api/v1/difficulty-adjustment",
  rewardStats: "/api/v1/mining/reward-stats/144",
  pools1w: "/api/v1/mining/pools/1w",
  pools1m: "/api/v1/mining/pools/1m",
  pools3m: "/api/v1/mining/pools/3m",
  pools6m: "/api/v1/mining/pools/6m",
  pools1y: "/api/v1/mining/pools/1y",
  pools2y: "/api/v1/mining/pools/2y",
  pools3y: "/api/v1/mining/pools/3y",
  poolShares1y: "/api/v1/mining/hashrate/pools/1y",
  poolShares2y: "/api/v1/mining/hashrate/pools/2y",
  poolShares3y: "/api/v1/mining/hashrate/pools/3y",
  tipHeight: "/api/blocks/tip/height",
  coingeckoPrice: "/api/v3/simple/price",
};

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Raw body; `json` is serialised instead when given. */
  body?: string;
  json?: unknown;
  /** Wait this long before sending headers (to trigger client timeouts). */
  delayMs?: number;
}

export interface FakeRequest {
  route: RouteName;
  /** Path with query string. */
  url: string;
  headers: IncomingHttpHeaders;
}

export type FakeHandler = FakeReply | ((request: FakeRequest) => FakeReply | Promise<FakeReply>);

export interface FakeUpstream {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Base URL for createMempoolClient: `${url}/api`. */
  mempoolUrl: string;
  /** Base URL for createCoinGeckoClient: `${url}/api/v3`. */
  coingeckoUrl: string;
  /** Replace the answer of one route until reset(). */
  respond(route: RouteName, handler: FakeHandler): void;
  /** Requests received by one route (including ones whose answer was delayed). */
  requests(route: RouteName): number;
  totalRequests(): number;
  /** The most recent request to a route, e.g. to check headers. */
  lastRequest(route: RouteName): FakeRequest | undefined;
  /** Default answers back, counters and request log cleared. */
  reset(): void;
  close(): Promise<void>;
}

/** Late-2025 network figures the defaults are built from. */
export const FAKE_NETWORK = {
  difficulty: 155_973_032_196_071.9,
  /** ≈ difficulty × 2^32 / 600 */
  hashrateHs: 1.1165e21,
  priceUsd: 91_250,
  tipHeight: 925_800,
  /** Unix seconds: 2025-12-01T00:00:00Z */
  priceTime: 1_764_547_200,
  feesPerBlockSats: 2_998_936,
} as const;

const POOLS_1W: Array<[name: string, slug: string, blockCount: number]> = [
  ["Foundry USA", "foundryusa", 294],
  ["AntPool", "antpool", 178],
  ["ViaBTC", "viabtc", 108],
  ["F2Pool", "f2pool", 104],
  ["SpiderPool", "spiderpool", 84],
  ["MARA Pool", "marapool", 50],
  ["SECPOOL", "secpool", 40],
  ["Luxor", "luxor", 38],
  ["Binance Pool", "binancepool", 28],
  ["SBI Crypto", "sbicrypto", 22],
  ["OCEAN", "ocean", 18],
  ["Braiins Pool", "braiinspool", 14],
  ["Unknown", "unknown", 12],
  ["Poolin", "poolin", 10],
];

function poolsPayload(scale: number) {
  const pools = POOLS_1W.map(([name, slug, blockCount], index) => ({
    poolId: index + 1,
    name,
    link: `https://example.com/${slug}`,
    blockCount: Math.round(blockCount * scale),
    rank: index + 1,
    emptyBlocks: 0,
    slug,
    avgMatchRate: 99.9,
    avgFeeDelta: "-0.00012",
    poolUniqueId: index + 1,
  }));
  return {
    pools,
    blockCount: pools.reduce((sum, pool) => sum + pool.blockCount, 0),
    lastEstimatedHashrate: 1.09e21,
    lastEstimatedHashrate3d: 1.11e21,
    lastEstimatedHashrate1w: 1.12e21,
  };
}

/** Weeks in the pool-share series: three years, the last one ending at priceTime. */
export const FAKE_WEEKS = 156;
const BLOCKS_PER_WEEK = 1008;
const SECONDS_PER_WEEK = 604_800;

/** Share of each pool in week `week` (0 = oldest): the last week is exactly the 1w table; going
 * back, Foundry USA loses 12 points linearly and ViaBTC and F2Pool gain 6 each, so the fake network
 * centralizes over the three years (Foundry 17.4% → 29.4%; HHI of the named pools 1,316 → 1,551). */
export function fakeWeekShares(week: number): Array<{ name: string; share: number }> {
  const total = POOLS_1W.reduce((sum, [, , blocks]) => sum + blocks, 0);
  const back = (FAKE_WEEKS - 1 - week) / (FAKE_WEEKS - 1);
  const shift: Record<string, number> = { foundryusa: -0.12, viabtc: 0.06, f2pool: 0.06 };
  return POOLS_1W.map(([name, slug, blocks]) => ({
    name,
    share: blocks / total + (shift[slug] ?? 0) * back,
  }));
}

/** The week's end in Unix seconds. */
export const fakeWeekEnd = (week: number) =>
  FAKE_NETWORK.priceTime - (FAKE_WEEKS - 1 - week) * SECONDS_PER_WEEK;

function poolSharesPayload(weeks: number) {
  const rows = [];
  for (let week = FAKE_WEEKS - weeks; week < FAKE_WEEKS; week++)
    for (const { name, share } of fakeWeekShares(week))
      rows.push({ timestamp: fakeWeekEnd(week), avgHashrate: share * 1.1e21, share, poolName: name });
  return rows;
}

/** A long window's table: the last `weeks` weeks of the series at 1008 blocks a week, rounded. */
function longPoolsPayload(weeks: number) {
  const base = poolsPayload(1);
  const pools = base.pools.map((pool, index) => {
    let blocks = 0;
    for (let week = FAKE_WEEKS - weeks; week < FAKE_WEEKS; week++)
      blocks += fakeWeekShares(week)[index]!.share * BLOCKS_PER_WEEK;
    return { ...pool, blockCount: Math.round(blocks) };
  });
  return { ...base, pools, blockCount: pools.reduce((sum, pool) => sum + pool.blockCount, 0) };
}

const REWARD_BLOCKS = 144;
const SUBSIDY_SATS = 312_500_000;

/** Realistic bodies, shaped like mempool's and CoinGecko's (docs/architecture.md "Upstream data"). Spread
 * and override a field to make a hostile variant: `{ ...defaultPayloads.prices, USD: -1 }`. */
export const defaultPayloads = {
  prices: {
    time: FAKE_NETWORK.priceTime,
    USD: FAKE_NETWORK.priceUsd,
    EUR: 78_640,
    GBP: 69_020,
    CAD: 127_600,
    CHF: 73_280,
    AUD: 140_300,
    JPY: 14_210_000,
  },
  hashrate3d: {
    hashrates: [
      { timestamp: 1_764_374_400, avgHashrate: 1.098e21 },
      { timestamp: 1_764_460_800, avgHashrate: 1.121e21 },
      { timestamp: 1_764_547_200, avgHashrate: 1.109e21 },
    ],
    difficulty: [
      { time: 1_764_201_600, height: 925_344, difficulty: FAKE_NETWORK.difficulty, adjustment: 1.0195 },
    ],
    currentHashrate: FAKE_NETWORK.hashrateHs,
    currentDifficulty: FAKE_NETWORK.difficulty,
  },
  difficultyAdjustment: {
    progressPercent: 22.62,
    difficultyChange: 1.84,
    estimatedRetargetDate: 1_765_483_200_000,
    remainingBlocks: 1_560,
    remainingTime: 936_000_000,
    previousRetarget: 1.95,
    previousTime: 1_764_201_600,
    nextRetargetHeight: 927_360,
    timeAvg: 589_000,
    adjustedTimeAvg: 589_000,
    timeOffset: 0,
    expectedBlocks: 452.3,
  },
  rewardStats: {
    startBlock: FAKE_NETWORK.tipHeight - REWARD_BLOCKS + 1,
    endBlock: FAKE_NETWORK.tipHeight,
    totalReward: String(REWARD_BLOCKS * (SUBSIDY_SATS + FAKE_NETWORK.feesPerBlockSats)),
    totalFee: String(REWARD_BLOCKS * FAKE_NETWORK.feesPerBlockSats),
    totalTx: "583214",
  },
  pools1w: poolsPayload(1),
  pools1m: poolsPayload(4.3),
  pools3m: longPoolsPayload(13),
  pools6m: longPoolsPayload(26),
  pools1y: longPoolsPayload(52),
  pools2y: longPoolsPayload(104),
  pools3y: longPoolsPayload(156),
  poolShares1y: poolSharesPayload(52),
  poolShares2y: poolSharesPayload(104),
  poolShares3y: poolSharesPayload(156),
  tipHeight: String(FAKE_NETWORK.tipHeight),
  coingeckoPrice: { bitcoin: { usd: 91_180, last_updated_at: 1_764_547_190 } },
};

/** Builders for common answers. */
export const replies = {
  json: (json: unknown, status = 200): FakeReply => ({ status, json }),
  text: (body: string, status = 200): FakeReply => ({
    status,
    body,
    headers: { "content-type": "text/plain" },
  }),
  status: (status: number, body = "error"): FakeReply => ({ status, body }),
  /** 429 with Retry-After in seconds, or as an HTTP date when a Date is given. */
  rateLimited: (retryAfter: number | Date): FakeReply => ({
    status: 429,
    body: "Too Many Requests",
    headers: {
      "retry-after": typeof retryAfter === "number" ? String(retryAfter) : retryAfter.toUTCString(),
    },
  }),
  /** A JSON body written by hand, for literals JSON.stringify cannot produce (`{"USD": 1e400}`). */
  rawJson: (body: string, status = 200): FakeReply => ({
    status,
    body,
    headers: { "content-type": "application/json" },
  }),
  /** Truncated JSON with a JSON content type. */
  malformedJson: (): FakeReply => ({
    status: 200,
    body: '{"time": 1764547200, "USD": 9',
    headers: { "content-type": "application/json" },
  }),
  delayed: (delayMs: number, reply: FakeReply = {}): FakeReply => ({ ...reply, delayMs }),
};

function defaultReply(route: RouteName): FakeReply {
  const payload = defaultPayloads[route];
  return typeof payload === "string" ? replies.text(payload) : replies.json(payload);
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const handlers = new Map<RouteName, FakeHandler>();
  const counts = new Map<RouteName, number>();
  const last = new Map<RouteName, FakeRequest>();
  const sockets = new Set<Socket>();
  const routeByPath = new Map(Object.entries(ROUTE_PATHS).map(([route, path]) => [path, route as RouteName]));

  const server = createServer(async (req, res) => {
    const url = req.url ?? "/";
    const route = routeByPath.get(url.split("?")[0] ?? "");
    if (route === undefined) return send(res, { status: 404, body: "not found" });
    counts.set(route, (counts.get(route) ?? 0) + 1);
    const request: FakeRequest = { route, url, headers: req.headers };
    last.set(route, request);
    const handler = handlers.get(route) ?? defaultReply(route);
    const reply = typeof handler === "function" ? await handler(request) : handler;
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    // The client may have given up during the delay.
    if (!res.destroyed) send(res, reply);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    mempoolUrl: `${url}/api`,
    coingeckoUrl: `${url}/api/v3`,
    respond: (route, handler) => void handlers.set(route, handler),
    requests: (route) => counts.get(route) ?? 0,
    totalRequests: () => [...counts.values()].reduce((sum, n) => sum + n, 0),
    lastRequest: (route) => last.get(route),
    reset() {
      handlers.clear();
      counts.clear();
      last.clear();
    },
    async close() {
      // Keep-alive sockets (and delayed answers) would otherwise hold close() open.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: FakeReply): void {
  const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? "");
  const headers = {
    "content-type": reply.json !== undefined ? "application/json" : "text/plain",
    ...reply.headers,
  };
  res.writeHead(reply.status ?? 200, headers);
  res.end(body);
}
