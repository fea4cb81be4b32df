/**
 * A bucket of `perMinute` tokens per key (peer id). Each request takes one token, and each
 * token comes back exactly one minute after it was taken. So a peer may burst its whole
 * allowance, and no peer ever gets more than `perMinute` requests in any 60-second window
 * (a bucket refilling continuously would let the 101st of a quick burst through).
 * Time comes from the injected `now`.
 */
export interface RateDecision {
  allowed: boolean;
  /** Tokens left after this decision. */
  remaining: number;
  /** When refused: how long until a token is back. */
  retryAfterMs: number;
}

const WINDOW_MS = 60_000;

/** Times tokens were taken, oldest first; `head` skips returned ones without shifting. */
interface Bucket {
  taken: number[];
  head: number;
}

export class RateLimiter {
  #perMinute: number;
  #buckets = new Map<string, Bucket>();

  constructor(perMinute: number, private readonly now: () => number) {
    this.#perMinute = RateLimiter.#check(perMinute);
  }

  static #check(perMinute: number): number {
    if (!Number.isInteger(perMinute) || perMinute <= 0) {
      throw new RangeError(
        `Cannot rate-limit: 'perMinute' must be a positive integer, got ${perMinute}`,
      );
    }
    return perMinute;
  }

  get perMinute(): number {
    return this.#perMinute;
  }

  /** Changes the allowance at once; tokens already taken still count against it. */
  setRate(perMinute: number): void {
    this.#perMinute = RateLimiter.#check(perMinute);
  }

  /** Takes one token for `key` if there is one. */
  take(key: string): RateDecision {
    const now = this.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, bucket = { taken: [], head: 0 });
    const used = this.#returnTokens(bucket, now);
    if (used < this.#perMinute) {
      bucket.taken.push(now);
      return { allowed: true, remaining: this.#perMinute - used - 1, retryAfterMs: 0 };
    }
    // The token that frees the window for one more request is the (used - perMinute)th oldest.
    const freeing = bucket.taken[bucket.head + used - this.#perMinute];
    return {
      allowed: false,
      remaining: 0,
      retryAfterMs: Math.max(1, Math.ceil(freeing + WINDOW_MS - now)),
    };
  }

  /** True when `key` has no token left right now (for status display). */
  isLimited(key: string): boolean {
    const bucket = this.#buckets.get(key);
    return bucket ? this.#returnTokens(bucket, this.now()) >= this.#perMinute : false;
  }

  /** Forgets keys with every token back, so memory stays bounded by recently active peers. */
  prune(): void {
    const now = this.now();
    for (const [key, bucket] of this.#buckets) {
      if (this.#returnTokens(bucket, now) === 0) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Drops tokens taken a minute or more ago; returns how many are still out. */
  #returnTokens(bucket: Bucket, now: number): number {
    while (bucket.head < bucket.taken.length && bucket.taken[bucket.head] <= now - WINDOW_MS) {
      bucket.head++;
    }
    if (bucket.head > 1024 && bucket.head * 2 > bucket.taken.length) {
      bucket.taken = bucket.taken.slice(bucket.head);
      bucket.head = 0;
    }
    return bucket.taken.length - bucket.head;
  }
}
