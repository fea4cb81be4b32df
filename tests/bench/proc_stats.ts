/**
 * Resident memory and CPU time of a process from Linux /proc, for the idle-cost bench.
 * The parsers are pure; `readProcSample` reads the two files.
 */

/** A "Name: N kB" line of /proc/<pid>/status in bytes (e.g. VmRSS, RssAnon). */
export function parseStatusBytes(status: string, name: string): number {
  const match = status.match(new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, "m"));
  if (!match) throw new Error(`no "${name}: N kB" line in /proc status: ${status.slice(0, 120)}`);
  return Number(match[1]) * 1024;
}

/** utime + stime of /proc/<pid>/stat, in clock ticks. */
export function parseCpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces or ")": fields after the
  // last ")" are numbered from 3; utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).trim().split(/\s+/);
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`cannot read utime/stime from /proc stat: ${stat.slice(0, 120)}`);
  }
  return utime + stime;
}

export interface ProcSample {
  atMs: number;
  /** Resident memory, including pages of the Deno binary shared with other processes. */
  rssBytes: number;
  /** Resident memory private to the process (heap, stacks). */
  anonBytes: number;
  cpuTicks: number;
}

export async function readProcSample(pid: number): Promise<ProcSample> {
  const [status, stat] = await Promise.all([
    Deno.readTextFile(`/proc/${pid}/status`),
    Deno.readTextFile(`/proc/${pid}/stat`),
  ]);
  return {
    atMs: performance.now(),
    rssBytes: parseStatusBytes(status, "VmRSS"),
    anonBytes: parseStatusBytes(status, "RssAnon"),
    cpuTicks: parseCpuTicks(stat),
  };
}

/** Clock ticks per second (`getconf CLK_TCK`; 100 on Linux when getconf is missing). */
export async function clockTicksPerSecond(): Promise<number> {
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const ticks = Number(new TextDecoder().decode(out.stdout).trim());
    return out.success && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** CPU use between two samples as a percentage of one core. */
export function cpuPercent(first: ProcSample, last: ProcSample, ticksPerSecond: number): number {
  const seconds = (last.atMs - first.atMs) / 1000;
  if (seconds <= 0) throw new RangeError(`samples must be apart in time, got ${seconds} s`);
  return ((last.cpuTicks - first.cpuTicks) / ticksPerSecond / seconds) * 100;
}
