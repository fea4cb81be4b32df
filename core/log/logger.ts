/** One line per event: `2026-11-25T21:00:00.000Z INFO  peers link up id=… addr=…`. */
export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") {
    return /^[\w.:\/\[\]@-]+$/.test(value) ? value : JSON.stringify(value);
  }
  return JSON.stringify(value) ?? String(value);
}

export function formatLine(level: LogLevel, scope: string, event: string, fields: LogFields = {}) {
  const parts = [new Date().toISOString(), level.toUpperCase().padEnd(5), scope, event];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${key}=${formatValue(value)}`);
  }
  return parts.join(" ");
}

/** Creates a logger; errors are logged by message only, never with stack traces. */
export function createLogger(
  level: LogLevel,
  scope = "node",
  sink: LogSink = (line) => console.error(line),
): Logger {
  const min = RANK[level];
  const emit = (at: LogLevel) => (event: string, fields?: LogFields) => {
    if (RANK[at] >= min) sink(formatLine(at, scope, event, fields));
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (child) => createLogger(level, `${scope}.${child}`, sink),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger("error", "silent", () => {});
