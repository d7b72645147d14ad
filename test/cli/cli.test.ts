/** The console as a user runs it: a child process, upstreams on a closed local port. */
import { execFile } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { createCommandRegistry } from "../../commands/index.ts";
import { closedPort } from "../support/net.ts";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
let env: NodeJS.ProcessEnv;

async function cli(args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["src/cli.ts", ...args], {
      cwd: ROOT,
      env,
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  const port = await closedPort();
  env = {
    PATH: process.env.PATH,
    MEMPOOL_API_URL: `http://127.0.0.1:${port}/api`,
    COINGECKO_API_URL: `http://127.0.0.1:${port}/v3`,
    STORE_URL: "memory://",
  };
});

describe("npm run cli", () => {
  const lines: Record<string, string[]> = {
    mining_cost: ["mining_cost", "paraguay", "machine=S21 XP"],
    migration: ["migration", "from=us_average", "to=ethiopia", "ehs=20"],
    concentration: ["concentration"],
    edge_ai: ["edge_ai", "2030"],
    edge_fit: ["edge_fit", "llama_3_1_8b", "raspberry_pi_5_8gb"],
    trend: ["trend"],
    digest: ["digest", "preview"],
    sources: ["sources"],
    help: ["help"],
    ask: ["ask", "can", "I", "run", "llama", "3.1", "8b", "on", "a", "raspberry", "pi", "5?"],
  };

  it("has a line for every registered command", () => {
    expect(Object.keys(lines).sort()).toEqual(
      createCommandRegistry()
        .commands.map((c) => c.name)
        .sort(),
    );
  });

  it.each(Object.entries(lines))(
    "%s answers from the snapshot within 5 s with the upstream unreachable, and says so",
    async (name, args) => {
      const started = performance.now();
      const { code, stdout } = await cli([...args, "--json"]);
      const seconds = (performance.now() - started) / 1000;
      const reply = JSON.parse(stdout);
      expect(code).toBe(0);
      expect(reply.error).toBeUndefined();
      expect(seconds).toBeLessThan(5);
      if (["mining_cost", "migration", "concentration", "trend", "digest"].includes(name)) {
        expect(reply.warnings.join(" ")).toContain("answered from the bundled snapshot");
        expect(reply.sources.some((s: { status: string; fallback?: boolean }) => s.fallback)).toBe(true);
      }
    },
    20_000,
  );

  it("refuses to subscribe the console to a digest, saying where digests go", async () => {
    const { code, stderr } = await cli(["digest", "subscribe"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Digests are posted to Discord channels and Telegram chats");
  });

  it.each([["/mining_cost"], ["mining_cost@decentrabot"], ["start"]])(
    "takes chat-style command names: %s",
    async (name) => {
      const { code, stdout } = await cli([name, "--json"]);
      expect(code).toBe(0);
      expect(JSON.parse(stdout).error).toBeUndefined();
    },
    20_000,
  );

  it("joins argv and parses it like a chat line: machine=S21 XP without quotes", async () => {
    const split = await cli(["mining_cost", "texas", "machine=S21", "XP", "--json"]);
    const quoted = await cli(["mining_cost", "texas", "machine=S21 XP", "--json"]);
    expect(split.code).toBe(0);
    const [a, b] = [JSON.parse(split.stdout), JSON.parse(quoted.stdout)];
    expect(a.data.machine.id).toBe("s21_xp");
    expect(a.data.region).toBe("texas");
    expect({ ...a, generatedAt: 0 }).toEqual({ ...b, generatedAt: 0 });
  }, 20_000);

  it("ask prints the routed reply with data.understood in canonical values", async () => {
    const args = [
      "ask",
      "what",
      "if",
      "50",
      "EH/s",
      "moved",
      "from",
      "the",
      "US",
      "to",
      "Ethiopia?",
      "--json",
    ];
    const { code, stdout } = await cli(args);
    expect(code).toBe(0);
    const reply = JSON.parse(stdout);
    expect(reply.data.understood).toEqual({
      command: "migration",
      args: { from: "us_average", to: "ethiopia", ehs: 50 },
    });
    expect(reply.readAs).toBe("/migration from=us_average to=ethiopia ehs=50");
  }, 20_000);

  it("takes a line that is no command as a question, as a private chat does", async () => {
    const { code, stdout } = await cli(["can", "I", "run", "qwen", "7b", "on", "a", "4090?", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).data.understood).toEqual({
      command: "edge_fit",
      args: { model: "qwen2_5_7b", device: "rtx_4090" },
    });
  }, 20_000);

  it("ask answers a question it cannot place with understood = null, exit 0", async () => {
    const { code, stdout } = await cli(["ask", "tell", "me", "a", "joke", "--json"]);
    expect(code).toBe(0);
    const reply = JSON.parse(stdout);
    expect(reply.data.understood).toBeNull();
    expect(reply.data.examples).toHaveLength(3);
  }, 20_000);

  it("keeps a word the shell kept whole (a cron schedule) as one value", async () => {
    const { code, stderr } = await cli(["digest", "subscribe", "0 8 * * 1"]);
    // The console refuses digests, but only after the schedule parsed as one value (no "too many").
    expect(code).toBe(2);
    expect(stderr).toContain("Digests are posted to Discord channels and Telegram chats");
  }, 20_000);

  it("prints readable text without --json", async () => {
    const { code, stdout } = await cli(["mining_cost", "texas"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Cost to mine 1 BTC — Texas");
    // The headline comes first and says the data is old; the sources line dates the snapshot.
    expect(stdout.split("\n")[0]).toMatch(
      /^Mining 1 BTC in Texas costs \$[\d,]+ .*live data unavailable\)\.$/,
    );
    expect(stdout).toMatch(/Sources: bundled snapshot (\w{3} )?\d{4} \(live data unavailable\)/);
  });

  it("--chart FILE.png writes the answer's chart as a PNG and still prints the text", async () => {
    const file = join(tmpdir(), `decentra-answers-${process.pid}-chart.png`);
    const { code, stdout, stderr } = await cli(["edge_fit", "llama_3_1_8b", "rtx_4090", "--chart", file]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/^Llama 3\.1 8B fits on NVIDIA GeForce RTX 4090/);
    expect(stderr).toMatch(/Chart written to .*\(\d+×\d+ px, \d+ kB\)/);
    const png = await readFile(file);
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    await rm(file, { force: true });
  });

  it("--chart without a file, or for an answer without a chart, says so", async () => {
    const missing = await cli(["help", "--chart"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--chart needs a file name");
    const file = join(tmpdir(), `decentra-answers-${process.pid}-none.png`);
    const none = await cli(["help", `--chart=${file}`]);
    expect(none.code).toBe(0);
    expect(none.stderr).toContain("This answer has no chart");
    await expect(readFile(file)).rejects.toThrow();
  });

  it("bad input names the option and what is allowed, on stderr, exit 2", async () => {
    const { code, stdout, stderr } = await cli(["mining_cost", "usd_per_kwh=7"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("Invalid usd_per_kwh: must be a number from 0 to 2");
  });

  it("an unclosed quote is bad input: the message and exit 2, never a stack trace (issue 11)", async () => {
    const { code, stdout, stderr } = await cli(["help", '"x']);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^Can't read that command\n=+\nA quote is not closed/);
    expect(stderr).not.toMatch(/UserError|\n\s+at /);
  });

  it("--json keeps stdout to the JSON document alone, even for errors", async () => {
    const { code, stdout } = await cli(["edge_fit", "--json"]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error.code).toBe("invalid_value");
  });

  it("an unreachable Redis stops start-up naming STORE_URL, without its password", async () => {
    env = { ...env, STORE_URL: `redis://user:hunter2@127.0.0.1:${await closedPort()}` };
    const { code, stderr } = await cli(["help"]);
    env = { ...env, STORE_URL: "memory://" };
    expect(code).toBe(78);
    expect(stderr).toContain("STORE_URL: cannot open redis://[credentials]@127.0.0.1:");
    expect(stderr).not.toContain("hunter2");
  }, 20_000);

  it("an invalid setting stops start-up naming the variable", async () => {
    env = { ...env, STORE_URL: "ftp://nope" };
    const { code, stderr } = await cli(["help"]);
    env = { ...env, STORE_URL: "memory://" };
    expect(code).toBe(78);
    expect(stderr).toContain("STORE_URL");
  });
});
