/**
 * Load on a node's peer port for tests/e2e/peer_load_test.ts, run inside a lab host's namespace:
 *
 *   deno run -A peer_load_tools.ts churn --target H:P --count N --concurrency C [--send-bytes B]
 *   deno run -A peer_load_tools.ts hold --target H:P --count N --seconds S --sources A,B,...
 *   deno run -A peer_load_tools.ts big-frames --target H:P --count N --bytes B
 *   deno run -A peer_load_tools.ts big-frame-unlinked --target H:P --bytes B
 *
 * Each prints one JSON line with what happened. Every loop is bounded in count and time.
 */
import net from "node:net";
import { parseArgs } from "node:util";
import { generateIdentity } from "../../core/identity/identity.ts";
import { hello } from "../../core/peers/testing/link_fixtures.ts";
import { Link } from "../../core/peers/link.ts";
import type { LinkDown } from "../../core/peers/link_options.ts";
import { TlsTransport } from "../../core/security/tls_transport.ts";
import { createNodeCertificate } from "../../core/security/certificate.ts";
import { signLinkProof } from "../../core/security/link_proof.ts";
import { encodeFrame } from "../../core/wire/frame.ts";

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    target: { type: "string" },
    count: { type: "string", default: "1" },
    concurrency: { type: "string", default: "16" },
    seconds: { type: "string", default: "30" },
    sources: { type: "string", default: "" },
    "send-bytes": { type: "string", default: "0" },
    bytes: { type: "string", default: String(50 * 1024 * 1024 - 64) },
  },
});

const target = (() => {
  const match = values.target?.match(/^(.+):(\d+)$/);
  if (!match) throw new Error(`expected --target HOST:PORT, got ${values.target}`);
  return { hostname: match[1], port: Number(match[2]) };
})();
const count = Number(values.count);
const deadline = performance.now() + Number(values.seconds) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens and at once closes `count` TCP connections, sending nothing, or `--send-bytes` random
 * bytes (which start the node's TLS server) first.
 */
async function churn(): Promise<unknown> {
  const garbage = crypto.getRandomValues(new Uint8Array(Number(values["send-bytes"])));
  const started = performance.now();
  let next = 0, ok = 0, failed = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      next++;
      try {
        const conn = await Deno.connect(target);
        if (garbage.length > 0) await conn.write(garbage).catch(() => {});
        conn.close();
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  return { ok, failed, ms: Math.round(performance.now() - started) };
}

/**
 * Keeps `count` connections open without ever sending a byte, from the `--sources` addresses
 * in turn, opening a new one whenever the node closes one, until `--seconds` pass. Reports how
 * many the node closed, the longest any of them stayed open after its TCP handshake, and the
 * longest a TCP handshake took.
 */
async function hold(): Promise<unknown> {
  const sources = values.sources ? values.sources.split(",") : [undefined];
  const open = new Set<net.Socket>();
  let opened = 0, failed = 0, closedByNode = 0, longestMs = 0, longestDialMs = 0;
  const once = (localAddress: string | undefined) =>
    new Promise<void>((resolve) => {
      const dialedAt = performance.now();
      const socket = net.connect({ ...target, host: target.hostname, localAddress });
      open.add(socket);
      // From the TCP handshake on: the time before it (SYNs the tool's own flood makes the
      // kernel retransmit, e.g. onto a tuple still in TIME_WAIT) is not the node holding it.
      let connectedAt: number | null = null;
      socket.on("connect", () => {
        connectedAt = performance.now();
        longestDialMs = Math.max(longestDialMs, connectedAt - dialedAt);
        opened++;
      });
      socket.on("data", () => {}); // the certificate preamble, if any: never answered
      socket.on("error", () => {});
      socket.on("close", () => {
        open.delete(socket);
        if (connectedAt === null) failed++;
        else if (performance.now() < deadline) {
          closedByNode++;
          longestMs = Math.max(longestMs, performance.now() - connectedAt);
        }
        resolve();
      });
    });
  const slot = async (i: number) => {
    while (performance.now() < deadline && failed < count) {
      await once(sources[i % sources.length]);
    }
  };
  const timer = setTimeout(() => {
    for (const socket of open) socket.destroy();
  }, Math.max(0, deadline - performance.now()));
  await Promise.all(Array.from({ length: count }, (_, i) => slot(i)));
  clearTimeout(timer);
  return {
    opened,
    failed,
    closedByNode,
    longestMs: Math.round(longestMs),
    longestDialMs: Math.round(longestDialMs),
  };
}

/** A valid, trusted-on-first-use peer (open trust mode): its own key, a real identity proof. */
async function linkUp(): Promise<{ link: Link; down: Promise<LinkDown> }> {
  const identity = await generateIdentity("big-frames");
  const transport = new TlsTransport({ certificate: await createNodeCertificate(identity) });
  const connection = await transport.dial(target.hostname, target.port);
  let resolveDown!: (down: LinkDown) => void;
  const down = new Promise<LinkDown>((resolve) => resolveDown = resolve);
  const up = new Promise<Link>((resolve, reject) => {
    const link = new Link({
      connection,
      direction: "out",
      hello: hello(identity.nodeId, { publicKey: identity.publicKeyRaw.toBase64() }),
      authenticator: {
        prove: async (remote, l) => ({
          signature: await signLinkProof(identity, {
            signerId: identity.nodeId,
            verifierId: remote.nodeId,
            signerNonce: l.nonce,
            verifierNonce: remote.nonce ?? "",
          }),
        }),
        verify: () => Promise.resolve(null),
      },
      handlers: {
        onUp: resolve,
        onDown: (_l, d) => {
          resolveDown(d);
          reject(new Error(`link refused: ${d.reason}`));
        },
      },
    });
    link.start();
  });
  return { link: await up, down };
}

/** A NOOP: frame whose JSON payload is `bytes` long. */
function bigNoop(bytes: number): Uint8Array {
  const payload = new Uint8Array(bytes).fill(0x61); // "aaa…"
  payload.set(new TextEncoder().encode('{"pad":"'), 0);
  payload.set(new TextEncoder().encode('"}'), bytes - 2);
  return encodeFrame("NOOP:", payload);
}

/** Links, then sends `count` big NOOP: frames one after another; the link must stay up. */
async function bigFrames(): Promise<unknown> {
  const { link, down } = await linkUp();
  const frame = bigNoop(Number(values.bytes));
  const started = performance.now();
  let sent = 0;
  while (sent < count && performance.now() < deadline && link.state === "up") {
    if (!link.sendFrame(frame)) break;
    sent++;
    await link.drained(0);
  }
  const ms = Math.round(performance.now() - started);
  // Two heartbeats more: the node has read the last frame and still answers.
  await sleep(4_500);
  const state = link.state;
  const reason = state === "up" ? null : (await down).reason;
  link.close("done");
  return { sent, ms, state, reason, frameBytes: frame.length };
}

/**
 * Before any HELO, inside TLS, announces a big frame and streams its payload: the node must
 * refuse it from the header, so only a little of it ever gets through.
 */
async function bigFrameUnlinked(): Promise<unknown> {
  const identity = await generateIdentity("unlinked");
  const transport = new TlsTransport({ certificate: await createNodeCertificate(identity) });
  const connection = await transport.dial(target.hostname, target.port);
  const frame = bigNoop(Number(values.bytes));
  const started = performance.now();
  let written = 0, error: string | null = null;
  const piece = 64 * 1024;
  try {
    while (written < frame.length && performance.now() < deadline) {
      await connection.write(frame.subarray(written, written + piece));
      written += piece;
    }
  } catch (e) {
    error = (e as Error).message;
  }
  connection.close();
  return {
    written: Math.min(written, frame.length),
    frameBytes: frame.length,
    error,
    ms: Math.round(performance.now() - started),
  };
}

const commands: Record<string, () => Promise<unknown>> = {
  churn,
  hold,
  "big-frames": bigFrames,
  "big-frame-unlinked": bigFrameUnlinked,
};
const run = commands[positionals[0]];
if (!run) {
  console.error(`usage: peer_load_tools.ts ${Object.keys(commands).join("|")} [options]`);
  Deno.exit(2);
}
const watchdog = setTimeout(() => {
  console.log(JSON.stringify({ error: "timed out" }));
  Deno.exit(1);
}, Number(values.seconds) * 1000 + 15_000);
try {
  console.log(JSON.stringify(await run()));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
  Deno.exitCode = 1;
}
clearTimeout(watchdog);
Deno.exit();
