/** Runs once before either lane: says up front, in one line, when the Redis the Redis-backed tests
 * use is missing, so their failures are not read as bugs. */
import { REDIS_MISSING, redisAnswers } from "./redis.ts";

export default async function setup(): Promise<void> {
  if (!(await redisAnswers())) process.stderr.write(`\n⚠ ${REDIS_MISSING}\n\n`);
}
