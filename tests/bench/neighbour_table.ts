/**
 * One kernel keeps one ARP (neighbour) table for all its network namespaces: a full mesh of N
 * namespaced nodes needs about N×(N−1) entries, beyond the default `gc_thresh3` of 1024 at about
 * 20 nodes, after which sends fail ("neighbor table overflow") and the mesh never forms. A real
 * LAN has one table per device. This raises the thresholds for one run and always puts the
 * previous values back.
 */

export const NEIGHBOUR_SYSCTL_DIR = "/proc/sys/net/ipv4/neigh/default";
const KEYS = ["gc_thresh1", "gc_thresh2", "gc_thresh3"] as const;
export type Thresholds = [number, number, number];

/** Values large enough for 50 meshed nodes (2,450 entries) with room to spare. */
export const RAISED_THRESHOLDS: Thresholds = [4096, 8192, 16384];

async function readThresholds(dir: string): Promise<Thresholds> {
  const values = await Promise.all(
    KEYS.map(async (key) => Number((await Deno.readTextFile(`${dir}/${key}`)).trim())),
  );
  if (values.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new Error(`unreadable neighbour thresholds in ${dir}: ${values.join("/")}`);
  }
  return values as Thresholds;
}

async function writeThresholds(dir: string, values: Thresholds): Promise<void> {
  // Written 3 → 1 when raising and 1 → 3 when lowering would both keep 1 ≤ 2 ≤ 3; the kernel
  // does not check the order, so plain order is fine.
  for (let i = 0; i < KEYS.length; i++) {
    await Deno.writeTextFile(`${dir}/${KEYS[i]}`, `${values[i]}\n`);
  }
}

export interface NeighbourRoom {
  before: Thresholds;
  during: Thresholds;
}

/**
 * Runs `fn` with the thresholds at least `raised` (never lowered), restoring the previous values
 * afterwards, also when `fn` throws. `fn` gets what was done, to print it.
 */
export async function withNeighbourRoom<T>(
  fn: (room: NeighbourRoom) => Promise<T>,
  raised: Thresholds = RAISED_THRESHOLDS,
  dir = NEIGHBOUR_SYSCTL_DIR,
): Promise<T> {
  const before = await readThresholds(dir);
  const during = before.map((v, i) => Math.max(v, raised[i])) as Thresholds;
  await writeThresholds(dir, during);
  try {
    return await fn({ before, during });
  } finally {
    await writeThresholds(dir, before);
  }
}

export function describeRoom(room: NeighbourRoom): string {
  return `net.ipv4.neigh.default.gc_thresh1/2/3 raised from ${room.before.join("/")} to ` +
    `${room.during.join("/")} for this section (one kernel shares one ARP table among all ` +
    `namespaces; a LAN has one per device) and restored afterwards`;
}
