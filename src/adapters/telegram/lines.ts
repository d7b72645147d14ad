/** Promises chained per key: each task starts when the one before it in its line has settled
 * (whether it succeeded or failed), so tasks keep their arrival order within a key and only a
 * line's head is waiting on anything. A key is forgotten once its line is empty, so memory follows
 * the keys with work in progress. The adapter answers each chat in order this way, and the shared
 * outgoing limiter queues its Redis look-ups. */
export type Lines = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function createLines(): Lines {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const next = (tails.get(key) ?? Promise.resolve()).then(task, task);
    tails.set(key, next);
    const forget = () => {
      if (tails.get(key) === next) tails.delete(key);
    };
    next.then(forget, forget);
    return next;
  };
}
