/** The console as a user runs it: a child process, upstreams on a closed local port. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
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
    digest: ["digest", "preview"],
    sources: ["sources"],
    help: ["help"],
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
      if (["mining_cost", "migration", "concentration", "digest"].includes(name)) {
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

  it("prints readable text without --json", async () => {
    const { code, stdout } = await cli(["mining_cost", "texas"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Cost to mine 1 BTC — Texas");
    expect(stdout).toMatch(/Sources: .*snapshot, as of/);
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
    expect(stderr).toMatch(/^Can't do that/);
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
