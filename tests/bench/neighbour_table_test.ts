import assert from "node:assert/strict";
import { describeRoom, withNeighbourRoom } from "./neighbour_table.ts";

async function fakeSysctl(values: number[]): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (let i = 0; i < 3; i++) {
    await Deno.writeTextFile(`${dir}/gc_thresh${i + 1}`, `${values[i]}\n`);
  }
  return dir;
}

async function read(dir: string): Promise<number[]> {
  return await Promise.all(
    [1, 2, 3].map(async (k) => Number(await Deno.readTextFile(`${dir}/gc_thresh${k}`))),
  );
}

Deno.test("withNeighbourRoom() raises the thresholds for the run and restores them", async () => {
  const dir = await fakeSysctl([128, 512, 1024]);
  const seen = await withNeighbourRoom(
    async (room) => {
      assert.deepEqual(room, { before: [128, 512, 1024], during: [4096, 8192, 16384] });
      assert.match(describeRoom(room), /from 128\/512\/1024 to 4096\/8192\/16384/);
      return await read(dir);
    },
    [4096, 8192, 16384],
    dir,
  );
  assert.deepEqual(seen, [4096, 8192, 16384]);
  assert.deepEqual(await read(dir), [128, 512, 1024]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("withNeighbourRoom() restores the thresholds when the run fails", async () => {
  const dir = await fakeSysctl([128, 512, 1024]);
  await assert.rejects(
    withNeighbourRoom(
      () => Promise.reject(new Error("mesh never formed")),
      [4096, 8192, 16384],
      dir,
    ),
    /mesh never formed/,
  );
  assert.deepEqual(await read(dir), [128, 512, 1024]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("withNeighbourRoom() never lowers thresholds that are already higher", async () => {
  const dir = await fakeSysctl([8000, 9000, 20000]);
  await withNeighbourRoom(
    async (room) => {
      assert.deepEqual(room.during, [8000, 9000, 20000]);
      assert.deepEqual(await read(dir), [8000, 9000, 20000]);
    },
    [4096, 8192, 16384],
    dir,
  );
  await Deno.remove(dir, { recursive: true });
});
