/**
 * A small metrics registry written in the Prometheus text exposition format 0.0.4: counters and
 * histograms kept here, gauges read from their owners at scrape time. Label values are escaped
 * as the format asks; series are written in the order they first appeared.
 */

export type Labels = Readonly<Record<string, string>>;

/** One gauge value read at scrape time. */
export interface Sample {
  labels: Labels;
  value: number;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  render(): string[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  constructor(readonly name: string) {}

  /** Adds `by` (≥ 0) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) {
      throw new RangeError(`Cannot add ${by} to counter ${this.name}: it must be ≥ 0`);
    }
    const key = seriesKey(labels);
    const entry = this.#values.get(key);
    if (entry) entry.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  value(labels: Labels = {}): number {
    return this.#values.get(seriesKey(labels))?.value ?? 0;
  }

  lines(): string[] {
    return [...this.#values.values()].map((s) =>
      `${this.name}${labelText(s.labels)} ${num(s.value)}`
    );
  }
}

export class Histogram {
  readonly #series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();

  constructor(readonly name: string, readonly buckets: readonly number[]) {}

  observe(labels: Labels, value: number): void {
    const key = seriesKey(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.buckets.forEach((le, i) => {
      if (value <= le) series.counts[i]++;
    });
    series.sum += value;
    series.count++;
  }

  lines(): string[] {
    const out: string[] = [];
    for (const { labels, counts, sum, count } of this.#series.values()) {
      this.buckets.forEach((le, i) => {
        out.push(`${this.name}_bucket${labelText({ ...labels, le: num(le) })} ${counts[i]}`);
      });
      out.push(`${this.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${count}`);
      out.push(`${this.name}_sum${labelText(labels)} ${num(sum)}`);
      out.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return out;
  }
}

export class MetricsRegistry {
  readonly #families = new Map<string, Family>();

  counter(name: string, help: string): Counter {
    const counter = new Counter(name);
    this.#add({ name, help, type: "counter", render: () => counter.lines() });
    return counter;
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    if (!buckets.length || buckets.some((b, i) => i > 0 && b <= buckets[i - 1])) {
      throw new RangeError(`Cannot make histogram ${name}: buckets must rise, got ${buckets}`);
    }
    const histogram = new Histogram(name, buckets);
    this.#add({ name, help, type: "histogram", render: () => histogram.lines() });
    return histogram;
  }

  /** A gauge whose samples `read` returns at every scrape. */
  gauge(name: string, help: string, read: () => readonly Sample[]): void {
    this.#add({
      name,
      help,
      type: "gauge",
      render: () => read().map((s) => `${name}${labelText(s.labels)} ${num(s.value)}`),
    });
  }

  /** Every family as the text format: HELP, TYPE, then its samples; ends with a newline. */
  render(): string {
    const out: string[] = [];
    for (const family of this.#families.values()) {
      out.push(
        `# HELP ${family.name} ${family.help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n")}`,
      );
      out.push(`# TYPE ${family.name} ${family.type}`);
      out.push(...family.render());
    }
    return out.length ? `${out.join("\n")}\n` : "";
  }

  #add(family: Family) {
    if (!NAME.test(family.name)) {
      throw new RangeError(`Cannot register metric '${family.name}': bad name`);
    }
    if (this.#families.has(family.name)) {
      throw new RangeError(`Cannot register metric '${family.name}': already registered`);
    }
    this.#families.set(family.name, family);
  }
}

/** The content type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (!entries.length) return "";
  return `{${
    entries.map(([k, v]) => {
      if (!LABEL.test(k)) throw new RangeError(`Cannot use label name '${k}'`);
      return `${k}="${v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"')}"`;
    }).join(",")
  }}`;
}

function num(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
