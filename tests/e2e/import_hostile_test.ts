/**
 * Hostile uploads to a real node's POST /api/conversations/import (the page's Import): a 26 MiB
 * body of 300 small ZIPs that each unpack to 60 MiB (18 GB together), a ZIP bomb that lies about
 * its size, and names that climb out of the import folder. Each is a 400 or a report, the node's
 * memory stays bounded (RSS read from /proc), it keeps answering, nothing lands outside its data
 * folder, and what it held before is all still there.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { deflateRawSync } from "node:zlib";
import { zipFiles } from "../../core/conversations/zip.ts";
import { netnsUnavailableReason, requires } from "../support/ci.ts";
import { withLab } from "./lab.ts";
import { rssMiB, withPeakRss } from "./process_memory.ts";

const MiB = 1024 * 1024;
const LOCAL = await Deno.readTextFile(
  new URL("../../core/conversations/testdata/original/conversations/local.json", import.meta.url),
);

/** A one-entry ZIP of `deflated` data, declaring `declared` bytes unpacked. */
function deflatedZip(path: string, deflated: Uint8Array, declared: number): Uint8Array {
  const stored = zipFiles([{ path, data: new Uint8Array() }]);
  const name = new TextEncoder().encode(path);
  const local = stored.slice(0, 30 + name.length);
  const central = stored.slice(30 + name.length, stored.length - 22);
  const end = stored.slice(stored.length - 22);
  for (const [header, at] of [[local, 8], [central, 10]] as const) {
    const view = new DataView(header.buffer);
    view.setUint16(at, 8, true); // deflated
    view.setUint32(at + 10, deflated.length, true);
    view.setUint32(at + 14, declared, true);
  }
  new DataView(end.buffer).setUint32(16, local.length + deflated.length, true);
  return new Uint8Array([...local, ...deflated, ...central, ...end]);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

Deno.test({
  name: "import on a real node: 18 GB of ZIPs in 26 MiB, a lying bomb, climbing names — bounded",
  ...requires(netnsUnavailableReason()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withLab(1, async (lab) => {
      const node = lab.host(1).node;
      await node.start();
      const post = (files: unknown[]) =>
        fetch(`${node.url}/api/conversations/import`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ files }),
        });
      const first = await post([{ path: "local.json", text: LOCAL }]);
      assert.equal(first.status, 200);
      await first.body?.cancel();
      const list = async () =>
        JSON.stringify(await (await fetch(`${node.url}/api/conversations`)).json());
      const held = await list();
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // settle after start
      const baseline = rssMiB(node);
      const report: string[] = [];

      // 300 archives of 60 MiB of zeros each (~60 KiB deflated): one budget for the upload.
      const zeros = new Uint8Array(deflateRawSync(new Uint8Array(60 * MiB), { level: 9 }));
      const many = Array.from({ length: 300 }, (_, i) => ({
        path: `part-${i}.zip`,
        base64: b64(deflatedZip(`conversations/c${i}.json`, zeros, 60 * MiB)),
      }));
      const manyRun = await withPeakRss(node, async () => {
        const res = await post(many);
        return { status: res.status, body: await res.json() };
      });
      report.push(
        `300 ZIPs × 60 MiB (${(JSON.stringify(many).length / MiB).toFixed(1)} MiB body): ` +
          `${manyRun.value.status} "${manyRun.value.body.error}", RSS ${baseline.toFixed(0)} → ` +
          `peak ${manyRun.peak.toFixed(0)} MiB`,
      );
      assert.equal(manyRun.value.status, 400);
      assert.match(manyRun.value.body.error, /^part-1\.zip: the archive unpacks to more than/);

      // A bomb: 256 MiB of zeros declared as 2 KiB.
      const packed = new Uint8Array(deflateRawSync(new Uint8Array(256 * MiB), { level: 9 }));
      const bomb = deflatedZip("conversations/bomb.json", packed, 2048);
      const bombRun = await withPeakRss(node, async () => {
        const res = await post([{ path: "bomb.zip", base64: b64(bomb) }]);
        return { status: res.status, body: await res.json() };
      });
      report.push(
        `bomb (256 MiB declared 2 KiB, ${
          (bomb.length / 1024).toFixed(0)
        } KiB): ${bombRun.value.status} ` +
          `"${bombRun.value.body.error}", peak ${bombRun.peak.toFixed(0)} MiB`,
      );
      assert.equal(bombRun.value.status, 400);
      assert.match(bombRun.value.body.error, /unpacks to more than its 2048 bytes/);

      // Names that climb out of the import folder (into the data folder's parent and beyond).
      const canary = `canary-${crypto.randomUUID()}.json`;
      const climbing = [
        `../${canary}`,
        `../../${canary}`,
        `/${lab.dir}/${canary}`,
        `..\\${canary}`,
      ];
      const climb = await post([
        {
          path: "x.zip",
          base64: b64(
            zipFiles(climbing.map((path) => ({ path, data: new TextEncoder().encode(LOCAL) }))),
          ),
        },
        ...climbing.map((path) => ({ path, text: LOCAL })),
      ]);
      assert.equal(climb.status, 400, "nothing importable is left");
      assert.match((await climb.json()).error, /no conversation file in the upload/);
      const found = await new Deno.Command("find", {
        args: [lab.dir, "/tmp", "-maxdepth", "3", "-name", canary],
      })
        .output();
      assert.equal(new TextDecoder().decode(found.stdout), "", "a climbing name was written");

      console.log(report.join("\n"));
      assert.ok(
        manyRun.peak - baseline < 400,
        `RSS grew ${(manyRun.peak - baseline).toFixed(0)} MiB`,
      );
      assert.ok(
        bombRun.peak - baseline < 400,
        `RSS grew ${(bombRun.peak - baseline).toFixed(0)} MiB`,
      );
      const status = await fetch(`${node.url}/api/status`);
      assert.equal(status.status, 200, "the node still answers");
      await status.body?.cancel();
      assert.equal(await list(), held, "what the node held is all still there");
    });
  },
});
