/**
 * Rolling generation speed: tokens and generation time of the streams finished in the last
 * `windowMs`, at most `maxSamples` of them. tokens/s = Σ tokens / Σ seconds.
 */
export class ThroughputMeter {
  #samples: { at: number; tokens: number; seconds: number }[] = [];

  constructor(
    private readonly now: () => number,
    private readonly windowMs = 5 * 60_000,
    private readonly maxSamples = 32,
  ) {}

  record(tokens: number, seconds: number): void {
    if (!(tokens > 0) || !(seconds > 0)) return;
    this.#samples.push({ at: this.now(), tokens, seconds });
    if (this.#samples.length > this.maxSamples) this.#samples.shift();
  }

  tokensPerSecond(): number {
    const since = this.now() - this.windowMs;
    this.#samples = this.#samples.filter((s) => s.at >= since);
    const tokens = this.#samples.reduce((sum, s) => sum + s.tokens, 0);
    const seconds = this.#samples.reduce((sum, s) => sum + s.seconds, 0);
    return seconds > 0 ? Math.round((tokens / seconds) * 10) / 10 : 0;
  }
}
