/**
 * Token buckets that cap how many discovery packets are processed, per source address and in
 * total, so that a flood of (possibly spoofed) packets costs a map lookup each and no more.
 */

export interface RateOptions {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens held: how many packets may arrive at once after a quiet spell. */
  burst: number;
}

function checkRate(owner: string, { ratePerSecond, burst }: RateOptions): void {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(
      `Cannot create ${owner} as 'ratePerSecond' must be a positive number: current value is ${ratePerSecond}`,
    );
  }
  if (!(burst >= 1) || !Number.isFinite(burst)) {
    throw new RangeError(
      `Cannot create ${owner} as 'burst' must be at least 1: current value is ${burst}`,
    );
  }
}

export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(readonly options: RateOptions, now: number) {
    checkRate("TokenBucket", options);
    this.#tokens = options.burst;
    this.#updatedAt = now;
  }

  #refill(now: number): void {
    if (now <= this.#updatedAt) return; // a clock stepping back earns no tokens
    this.#tokens = Math.min(
      this.options.burst,
      this.#tokens + ((now - this.#updatedAt) * this.options.ratePerSecond) / 1000,
    );
    this.#updatedAt = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when the bucket has refilled completely: forgetting it then changes nothing. */
  isFull(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.options.burst;
  }
}

export interface KeyedRateOptions extends RateOptions {
  /** Most keys tracked at once; a new key beyond it is refused until idle ones are pruned. */
  maxKeys: number;
}

/** One token bucket per key (source address), with a bounded number of keys. */
export class KeyedRateLimiter {
  #buckets = new Map<string, TokenBucket>();

  constructor(readonly options: KeyedRateOptions) {
    checkRate("KeyedRateLimiter", options);
    if (!Number.isInteger(options.maxKeys) || options.maxKeys < 1) {
      throw new RangeError(
        `Cannot create KeyedRateLimiter as 'maxKeys' must be a positive integer: current value is ${options.maxKeys}`,
      );
    }
  }

  allow(key: string, now: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.options.maxKeys) this.prune(now);
      if (this.#buckets.size >= this.options.maxKeys) return false;
      bucket = new TokenBucket(this.options, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Forgets keys whose bucket has refilled. */
  prune(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.isFull(now)) this.#buckets.delete(key);
    }
  }

  get size(): number {
    return this.#buckets.size;
  }
}
