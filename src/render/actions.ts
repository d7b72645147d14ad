/** Buttons: a ReplyAction as a platform's button payload, and back. Pure: the caller gives the time.
 *
 * The payload is the command line itself with the time it was issued ("r1kx3m9|/migration"), so a
 * button works on any instance behind a load balancer and after a restart, needs no store, and
 * expires by itself: a payload older than its TTL answers "this button has expired". Telegram
 * allows 64 bytes of callback data and Discord 100 characters of custom_id; an action whose line
 * does not fit is left out rather than cut. */
import type { ReplyAction } from "../core/index.ts";

/** Buttons offer the next question about the answer's numbers; after a day those numbers are old. */
export const ACTION_TTL_MS = 24 * 3600_000;

/** The command line an action runs, in the text grammar: /mining_cost region=paraguay machine="S21 XP". */
export function actionLine(action: ReplyAction): string {
  const args = Object.entries(action.args).map(([key, value]) => {
    const text = String(value);
    return /[\s"]/.test(text) ? `${key}="${text.replace(/"/g, "")}"` : `${key}=${text}`;
  });
  return [`/${action.command}`, ...args].join(" ");
}

/** "r" + issue time in base-36 minutes + "|" + line, or undefined when longer than maxBytes. */
export function encodeAction(action: ReplyAction, issuedAtMs: number, maxBytes: number): string | undefined {
  const payload = `r${Math.floor(issuedAtMs / 60_000).toString(36)}|${actionLine(action)}`;
  return Buffer.byteLength(payload, "utf8") <= maxBytes ? payload : undefined;
}

export type DecodedAction = { kind: "run"; line: string } | { kind: "expired" } | { kind: "unknown" };

export function decodeAction(payload: string, nowMs: number, ttlMs = ACTION_TTL_MS): DecodedAction {
  const match = /^r([0-9a-z]+)\|(\/[a-z_]+(?: .*)?)$/.exec(payload);
  if (!match) return { kind: "unknown" };
  const issuedMs = Number.parseInt(match[1]!, 36) * 60_000;
  if (!Number.isFinite(issuedMs) || nowMs - issuedMs > ttlMs) return { kind: "expired" };
  return { kind: "run", line: match[2]! };
}

export const EXPIRED_TEXT = "This button has expired: its answer is over a day old. Send the command again.";
export const UNKNOWN_TEXT = "This button is not from this bot's current version. Send the command again.";
