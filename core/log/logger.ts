/**
 * Structured logging. Two line formats:
 * - `text` (default): `2026-11-25T21:00:00.000Z INFO  peers link up id=… addr=…`
 * - `json`: one JSON object a line, `{"time":…,"level":"info","logger":"node.peers","msg":"link up","id":…}`
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = typeof LOG_FORMATS[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

export interface LoggerOptions {
  level: LogLevel;
  /** @default "text" */
  format?: LogFormat;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") {
    return /^[\w.:\/\[\]@-]+$/.test(value) ? value : JSON.stringify(value);
  }
  return JSON.stringify(value) ?? String(value);
}

/** A text line: time, level, logger name, message, then `key=value` fields. */
export function formatLine(level: LogLevel, scope: string, event: string, fields: LogFields = {}) {
  const parts = [new Date().toISOString(), level.toUpperCase().padEnd(5), scope, event];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(" ");
}

/** Keys of every JSON line; a field of the same name is written as `field.<name>`. */
const JSON_KEYS = new Set(["time", "level", "logger", "msg"]);

/** Errors by message only (no stack traces), bigints as strings, anything unserializable as text. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  try {
    return JSON.parse(
      JSON.stringify(
        value,
        (_, v) => v instanceof Error ? v.message : typeof v === "bigint" ? v.toString() : v,
      ) ?? "null",
    );
  } catch {
    return String(value);
  }
}

/** A JSON line: `time`, `level`, `logger`, `msg`, then the fields as top-level keys. */
export function formatJsonLine(
  level: LogLevel,
  scope: string,
  event: string,
  fields: LogFields = {},
): string {
  const line: Record<string, unknown> = {
    time: new Date().toISOString(),
    level,
    logger: scope,
    msg: event,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    line[JSON_KEYS.has(key) ? `field.${key}` : key] = jsonValue(value);
  }
  return JSON.stringify(line);
}

const FORMATTERS: Record<LogFormat, typeof formatLine> = { text: formatLine, json: formatJsonLine };

/**
 * Creates a logger writing to `sink` (stderr by default); errors are logged by message only,
 * never with stack traces. Pass a level alone for text lines, or `{ level, format }`.
 */
export function createLogger(
  options: LogLevel | LoggerOptions,
  scope = "node",
  sink: LogSink = (line) => console.error(line),
): Logger {
  const { level, format = "text" } = typeof options === "string" ? { level: options } : options;
  const min = RANK[level];
  const render = FORMATTERS[format];
  if (min === undefined || render === undefined) {
    throw new RangeError(
      `createLogger: unknown ${min === undefined ? `level "${level}"` : `format "${format}"`}`,
    );
  }
  const emit = (at: LogLevel) => (event: string, fields?: LogFields) => {
    if (RANK[at] >= min) sink(render(at, scope, event, fields));
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (child) => createLogger({ level, format }, `${scope}.${child}`, sink),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger("error", "silent", () => {});
