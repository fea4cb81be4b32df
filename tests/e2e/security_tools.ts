/**
 * Hostile peers for the security end-to-end tests, run inside a lab host's namespace:
 *
 *   deno run -A security_tools.ts impostor --target H:P --claim-id ID --steal-key-from H:P
 *   deno run -A security_tools.ts flood --target H --count N --sources A,B,...
 *   deno run -A security_tools.ts fuzz --target H:P --runs N --seconds S --seed X
 *
 * Each prints one JSON line with what happened. Every loop is bounded in count and time.
 */
import dgram from "node:dgram";
import { parseArgs } from "node:util";
import {
  fingerprintOfPublicKey,
  generateIdentity,
  type NodeIdentity,
} from "../../core/identity/identity.ts";
import { Link } from "../../core/peers/link.ts";
import type { LinkDown } from "../../core/peers/link_options.ts";
import { TlsTransport } from "../../core/security/tls_transport.ts";
import { certLengthFromHeader, PREAMBLE_HEADER_BYTES } from "../../core/security/cert_preamble.ts";
import {
  certificatePublicKey,
  createNodeCertificate,
  pem,
  tlsServerName,
} from "../../core/security/certificate.ts";
import { signLinkProof } from "../../core/security/link_proof.ts";
import { createAnnouncement, encodeAnnouncement } from "../../core/discovery/announcement.ts";
import { encodeMessage } from "../../core/wire/codec.ts";
import { PROTOCOL_VERSION } from "../../core/wire/messages/link.ts";

const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    target: { type: "string" },
    "claim-id": { type: "string" },
    "steal-key-from": { type: "string" },
    count: { type: "string", default: "10000" },
    sources: { type: "string", default: "" },
    runs: { type: "string", default: "300" },
    seconds: { type: "string", default: "20" },
    seed: { type: "string", default: String(Date.now() % 1_000_000) },
  },
});

function hostPort(text: string | undefined): { host: string; port: number } {
  const match = text?.match(/^(.+):(\d+)$/);
  if (!match) throw new Error(`expected HOST:PORT, got ${text}`);
  return { host: match[1], port: Number(match[2]) };
}

/** Reads the node's certificate from the plaintext preamble of its peer port. */
async function fetchCertificate(
  host: string,
  port: number,
): Promise<{ der: Uint8Array; conn: Deno.TcpConn }> {
  const conn = await Deno.connect({ hostname: host, port });
  const read = async (length: number) => {
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const n = await conn.read(out.subarray(filled));
      if (n === null) throw new Error("closed during preamble");
      filled += n;
    }
    return out;
  };
  const header = await read(PREAMBLE_HEADER_BYTES);
  return { der: await read(certLengthFromHeader(header)), conn };
}

/** Claims another node's id (and public key, read from its certificate) without its private key. */
async function impostor(): Promise<unknown> {
  const target = hostPort(values.target);
  const claimId = values["claim-id"]!;
  const victim = hostPort(values["steal-key-from"]);
  const stolen = await fetchCertificate(victim.host, victim.port);
  stolen.conn.close();
  const victimKey = await certificatePublicKey(stolen.der);
  const own: NodeIdentity = await generateIdentity("impostor");
  const transport = new TlsTransport({ certificate: await createNodeCertificate(own) });
  const results: Record<string, string> = {};
  for (const variant of ["stolen-public-key", "own-public-key"] as const) {
    const connection = await transport.dial(target.host, target.port);
    const down = await new Promise<LinkDown | "up">((resolve) => {
      const link = new Link({
        connection,
        direction: "out",
        hello: {
          nodeId: claimId,
          name: "impostor",
          protocolVersion: PROTOCOL_VERSION,
          appVersion: "impostor",
          peerPort: 7878,
          httpPort: 0,
          hasLlm: false,
          publicKey: (variant === "stolen-public-key" ? victimKey : own.publicKeyRaw).toBase64(),
        },
        authenticator: {
          // Signed with our own key: the only private key we have.
          prove: async (remote, l) => ({
            signature: await signLinkProof({ ...own, nodeId: claimId }, {
              signerId: claimId,
              verifierId: remote.nodeId,
              signerNonce: l.nonce,
              verifierNonce: remote.nonce ?? "x",
            }),
          }),
          verify: () => Promise.resolve(null),
        },
        handlers: {
          onUp: (l) => {
            resolve("up");
            l.abort("done");
          },
          onDown: (_l, d) => resolve(d),
        },
      });
      link.start();
    });
    results[variant] = down === "up" ? "LINK UP" : down.reason;
  }
  return results;
}

/** 10,000 ONLINE packets with made-up node ids, spread over the given source addresses. */
async function flood(): Promise<unknown> {
  const target = values.target!;
  const count = Number(values.count);
  const sources = values.sources ? values.sources.split(",") : ["0.0.0.0"];
  const sockets = await Promise.all(
    sources.map((address) =>
      new Promise<dgram.Socket>((resolve, reject) => {
        const socket = dgram.createSocket({ type: "udp4", reuseAddr: true });
        socket.once("error", reject);
        socket.bind({ address, port: 0 }, () => resolve(socket));
      })
    ),
  );
  const started = performance.now();
  let sent = 0;
  const deadline = started + 30_000;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const id = crypto.getRandomValues(new Uint8Array(20)).toHex().toUpperCase().slice(0, 32);
    const packet = encodeAnnouncement(createAnnouncement({
      type: "ONLINE",
      nodeId: id,
      name: `spoof-${i}`,
      hasLlm: true,
      peerPort: 7878,
      httpPort: 8080,
      protocolVersion: PROTOCOL_VERSION,
      fingerprint: `${id}AAAAAAAAAAAAAAAAAAAA`,
      instance: `i${i}`,
      now: Date.now(),
    }));
    const socket = sockets[i % sockets.length];
    await new Promise<void>((resolve) => socket.send(packet, 5000, target, () => resolve()));
    sent++;
  }
  for (const socket of sockets) socket.close();
  return { sent, ms: Math.round(performance.now() - started), sources: sources.length };
}

/** Small deterministic PRNG (mulberry32), so a failing fuzz run can be replayed by its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random and mutated handshakes against a node's peer port. */
async function fuzz(): Promise<unknown> {
  const target = hostPort(values.target);
  const runs = Number(values.runs);
  const deadline = performance.now() + Number(values.seconds) * 1000;
  const seed = Number(values.seed);
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const mutate = (input: Uint8Array) => {
    const out = input.slice(
      0,
      Math.max(1, input.length - (random() < 0.3 ? int(input.length) : 0)),
    );
    for (let i = int(4) + 1; i > 0; i--) out[int(out.length)] = int(256);
    return out;
  };
  const identity = await generateIdentity("fuzzer");
  const validHello = encodeMessage("HELO:", {
    nodeId: identity.nodeId,
    name: "fuzzer",
    protocolVersion: PROTOCOL_VERSION,
    appVersion: "fuzz",
    peerPort: 7878,
    httpPort: 0,
    hasLlm: false,
    nonce: "00112233445566778899aabb",
    publicKey: identity.publicKeyRaw.toBase64(),
  });
  const validAuth = encodeMessage("AUTH:", { signature: bytes(64).toBase64() });
  const counts: Record<string, number> = {};
  const strategies = [
    "raw-garbage",
    "garbage-after-preamble",
    "fake-tls-record",
    "garbage-in-tls",
    "mutated-hello-in-tls",
    "hello-then-mutated-auth",
    "huge-length-in-tls",
    "idle",
  ] as const;
  const closeQuietly = (c: { close(): void }) => {
    try {
      c.close();
    } catch { /* closed */ }
  };
  async function one(strategy: (typeof strategies)[number]): Promise<void> {
    const { der, conn } = strategy === "raw-garbage"
      ? { der: null, conn: await Deno.connect({ hostname: target.host, port: target.port }) }
      : await fetchCertificate(target.host, target.port);
    let stream: Deno.TcpConn | Deno.TlsConn = conn;
    try {
      switch (strategy) {
        case "raw-garbage":
        case "garbage-after-preamble":
          await conn.write(bytes(1 + int(2000)));
          break;
        case "fake-tls-record":
          await conn.write(Uint8Array.of(0x16, 0x03, 0x01, int(256), int(256), ...bytes(int(600))));
          break;
        case "idle":
          await new Promise((resolve) => setTimeout(resolve, 50 + int(200)));
          break;
        default: {
          if (!der) return;
          const nodeId = (await fingerprintOfPublicKey(await certificatePublicKey(der))).slice(
            0,
            32,
          );
          stream = await Deno.startTls(conn, {
            hostname: tlsServerName(nodeId),
            caCerts: [pem("CERTIFICATE", der)],
          });
          if (strategy === "garbage-in-tls") await stream.write(bytes(1 + int(3000)));
          if (strategy === "mutated-hello-in-tls") await stream.write(mutate(validHello));
          if (strategy === "hello-then-mutated-auth") {
            await stream.write(validHello);
            await stream.write(mutate(validAuth));
          }
          if (strategy === "huge-length-in-tls") {
            const header = validHello.slice(0, 13);
            new DataView(header.buffer).setBigUint64(5, 2n ** 62n, true);
            await stream.write(header);
            await stream.write(bytes(70_000));
          }
        }
      }
      // Read whatever the node answers, briefly.
      const buffer = new Uint8Array(4096);
      const timer = setTimeout(() => closeQuietly(stream), 150);
      try {
        while ((await stream.read(buffer)) !== null) { /* drain */ }
      } catch { /* closed by us or reset */ }
      clearTimeout(timer);
    } catch {
      // The node refused or reset: expected.
    } finally {
      closeQuietly(stream);
    }
  }
  let done = 0;
  const workers = Array.from({ length: 6 }, async () => {
    while (done < runs && performance.now() < deadline) {
      const strategy = strategies[int(strategies.length)];
      done++;
      counts[strategy] = (counts[strategy] ?? 0) + 1;
      await one(strategy).catch(() => {});
    }
  });
  await Promise.all(workers);
  return { seed, runs: done, counts };
}

const command = positionals[0];
const run = command === "impostor"
  ? impostor
  : command === "flood"
  ? flood
  : command === "fuzz"
  ? fuzz
  : null;
if (!run) {
  console.error("usage: security_tools.ts impostor|flood|fuzz [options]");
  Deno.exit(2);
}
const timeout = setTimeout(() => {
  console.log(JSON.stringify({ error: "timed out after 60 s" }));
  Deno.exit(1);
}, 60_000);
try {
  console.log(JSON.stringify(await run()));
} catch (error) {
  console.log(JSON.stringify({ error: (error as Error).message }));
  Deno.exitCode = 1;
}
clearTimeout(timeout);
// Links and sockets of the hostile peer may linger: this process is done.
Deno.exit();
