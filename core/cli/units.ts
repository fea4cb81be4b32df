/** Numbers for people: sizes, time until a model unloads, uptime, loads (as Ollama prints them). */

/** Decimal units like Ollama's HumanBytes: "637 MB", "2.0 GB", "0 B". */
export function humanBytes(bytes: number): string {
  const exponent = bytes < 1000 ? 0 : Math.min(4, Math.floor(Math.log10(bytes) / 3));
  const value = bytes / 1000 ** exponent;
  const digits = exponent > 0 && value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${["B", "KB", "MB", "GB", "TB"][exponent]}`;
}

/** When a loaded model unloads, like `ollama ps`' UNTIL column: "4 minutes from now". */
export function humanUntil(expiresAt: Date, now: Date): string {
  const seconds = (expiresAt.getTime() - now.getTime()) / 1000;
  if (!Number.isFinite(seconds)) return "unknown";
  if (seconds <= 0) return "Stopping...";
  if (seconds > 10 * 365 * 86_400) return "Forever";
  if (seconds < 1) return "Less than a second from now";
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} from now`;
  if (seconds < 60) return count(Math.floor(seconds), "second");
  if (seconds < 120) return "About a minute from now";
  if (seconds < 3600) return count(Math.floor(seconds / 60), "minute");
  if (seconds < 7200) return "About an hour from now";
  if (seconds < 86_400) return count(Math.floor(seconds / 3600), "hour");
  return count(Math.floor(seconds / 86_400), "day");
}

/** "45s", "12m 3s", "3h 20m", "2d 4h". */
export function humanUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** A host's load: "1/2 busy", with "+3 queued" when requests wait. */
export function humanLoad(load: { inFlight: number; capacity: number; queued: number }): string {
  const busy = `${load.inFlight}/${load.capacity} busy`;
  return load.queued > 0 ? `${busy} +${load.queued} queued` : busy;
}
