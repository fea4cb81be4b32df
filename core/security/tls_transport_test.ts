/** TlsTransport over real TCP on 127.0.0.1 only. */
import assert from "node:assert/strict";
import { generateIdentity, type NodeIdentity } from "../identity/identity.ts";
import { createNodeCertificate } from "./certificate.ts";
import { TcpTransport } from "../peers/tcp_transport.ts";
import { IdentityMismatchError, TlsTransport } from "./tls_transport.ts";
import type { Connection } from "../peers/transport.ts";

const LOOPBACK = "127.0.0.1";

async function tlsNode(name: string) {
  const identity = await generateIdentity(name);
  const mismatches: string[] = [];
  const transport = new TlsTransport({
    certificate: await createNodeCertificate(identity),
    onIdentityMismatch: (e) => mismatches.push(`${e.expected}->${e.actual}`),
  });
  return { identity, transport, mismatches };
}

/** Listens, echoing every chunk back; collects accepted connections to close them. */
async function echoServer(transport: TlsTransport | TcpTransport) {
  const accepted: Connection[] = [];
  const listener = await transport.listen(LOOPBACK, 0, (connection) => {
    accepted.push(connection);
    (async () => {
      try {
        while (true) {
          const chunk = await connection.read();
          if (chunk === null) break;
          await connection.write(chunk);
        }
      } catch { /* closed */ }
      connection.close();
    })();
  });
  return {
    port: listener.port,
    accepted,
    close() {
      listener.close();
      for (const connection of accepted) connection.close();
    },
  };
}

async function readText(connection: Connection, length: number): Promise<string> {
  let text = "";
  while (text.length < length) {
    const chunk = await connection.read();
    if (chunk === null) break;
    text += new TextDecoder().decode(chunk);
  }
  return text;
}

function expectedOf(identity: NodeIdentity) {
  return { expectedNodeId: identity.nodeId };
}

Deno.test("TlsTransport dials the expected node and carries bytes both ways", async () => {
  const a = await tlsNode("a");
  const b = await tlsNode("b");
  const server = await echoServer(b.transport);
  try {
    const connection = await a.transport.dial(
      LOOPBACK,
      server.port,
      undefined,
      expectedOf(b.identity),
    );
    assert.equal(connection.verifiedNodeId, b.identity.nodeId);
    assert.equal(connection.encrypted, true);
    await connection.write(new TextEncoder().encode("hello over tls"));
    assert.equal(await readText(connection, 14), "hello over tls");
    assert.equal(server.accepted[0].remoteAddress, LOOPBACK);
    assert.equal(server.accepted[0].encrypted, true);
    connection.close();
  } finally {
    server.close();
  }
});

Deno.test("TlsTransport learns the node id of a static peer from its certificate", async () => {
  const a = await tlsNode("a");
  const b = await tlsNode("b");
  const server = await echoServer(b.transport);
  try {
    const connection = await a.transport.dial(LOOPBACK, server.port);
    assert.equal(connection.verifiedNodeId, b.identity.nodeId);
    connection.close();
  } finally {
    server.close();
  }
});

Deno.test("TlsTransport refuses another node than the one expected at the address", async () => {
  const a = await tlsNode("a");
  const b = await tlsNode("b");
  const c = await tlsNode("c");
  const server = await echoServer(c.transport);
  try {
    const error = await a.transport.dial(LOOPBACK, server.port, undefined, expectedOf(b.identity))
      .then(() => null, (e) => e);
    assert.ok(error instanceof IdentityMismatchError, String(error));
    assert.deepEqual(a.mismatches, [`${b.identity.nodeId}->${c.identity.nodeId}`]);
  } finally {
    server.close();
  }
});

Deno.test("TlsTransport names a plaintext peer in its error", async () => {
  const a = await tlsNode("a");
  const accepted: Connection[] = [];
  const plain = await new TcpTransport().listen(LOOPBACK, 0, (connection) => {
    accepted.push(connection);
    connection.write(new TextEncoder().encode("HELO:\x05\x00\x00\x00\x00\x00\x00\x00{}   ")).catch(
      () => {},
    );
  });
  try {
    await assert.rejects(
      () => a.transport.dial(LOOPBACK, plain.port),
      /insecure-plaintext-links/,
    );
  } finally {
    plain.close();
    for (const connection of accepted) connection.close();
  }
});

Deno.test("TlsTransport's server survives garbage instead of a TLS handshake", async () => {
  const a = await tlsNode("a");
  const b = await tlsNode("b");
  const failures: string[] = [];
  const accepted: Connection[] = [];
  const listener = await b.transport.listen(LOOPBACK, 0, (connection) => {
    accepted.push(connection);
    connection.read().then(
      () => {},
      (error) => failures.push((error as Error).message),
    );
  });
  try {
    for (let i = 0; i < 20; i++) {
      const conn = await Deno.connect({ hostname: LOOPBACK, port: listener.port });
      const garbage = crypto.getRandomValues(new Uint8Array(64 + i * 37));
      if (i % 2 === 0) garbage[0] = 0x16; // looks like a TLS record
      await conn.write(garbage).catch(() => {});
      conn.close();
    }
    // Still serving real peers.
    const connection = await a.transport.dial(
      LOOPBACK,
      listener.port,
      undefined,
      expectedOf(b.identity),
    );
    assert.equal(connection.verifiedNodeId, b.identity.nodeId);
    connection.close();
  } finally {
    listener.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const connection of accepted) connection.close();
  }
});

Deno.test("TlsTransport dial gives up when the signal aborts during the preamble", async () => {
  const a = await tlsNode("a");
  // A TCP server that accepts and says nothing.
  const silent = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of silent) held.push(conn);
    } catch { /* closed */ }
  })();
  try {
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error("connect timed out")), 100);
    await assert.rejects(
      () => a.transport.dial(LOOPBACK, silent.addr.port, abort.signal),
      /timed out/,
    );
  } finally {
    silent.close();
    for (const conn of held) conn.close();
    await accepting;
  }
});

/** A loopback TCP relay to `port` that passes the dialer's bytes on `piece` bytes at a time. */
function trickleRelay(port: number, piece: number) {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const conns: Deno.Conn[] = [];
  const pump = async (from: Deno.Conn, to: Deno.Conn, size: number) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (let n = await from.read(buffer); n !== null; n = await from.read(buffer)) {
        for (let at = 0; at < n; at += size) {
          await to.write(buffer.slice(at, Math.min(n, at + size)));
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      }
    } catch { /* closed */ }
    for (const conn of [from, to]) {
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  (async () => {
    try {
      for await (const client of listener) {
        const server = await Deno.connect({ hostname: LOOPBACK, port });
        conns.push(client, server);
        pump(client, server, piece);
        pump(server, client, 64 * 1024);
      }
    } catch { /* closed */ }
  })();
  return {
    port: listener.addr.port,
    close() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
    },
  };
}

Deno.test("TlsTransport starts TLS from the dialer's first bytes, even when they trickle in", async () => {
  const a = await tlsNode("a");
  const b = await tlsNode("b");
  const server = await echoServer(b.transport);
  const relay = trickleRelay(server.port, 7);
  try {
    const connection = await a.transport.dial(
      LOOPBACK,
      relay.port,
      undefined,
      expectedOf(b.identity),
    );
    const text = "x".repeat(2_000);
    await connection.write(new TextEncoder().encode(text));
    assert.equal(await readText(connection, text.length), text);
    connection.close();
  } finally {
    relay.close();
    server.close();
  }
});

Deno.test("TlsTransport: a refused connection gets no preamble; a silent one ends its reads and writes", async () => {
  const b = await tlsNode("b");
  const accepted: Connection[] = [];
  let refuse = true;
  const listener = await b.transport.listen(LOOPBACK, 0, (connection) => {
    if (refuse) return connection.close();
    accepted.push(connection);
  });
  try {
    const refused = await Deno.connect({ hostname: LOOPBACK, port: listener.port });
    assert.equal(await refused.read(new Uint8Array(64)), null, "a refused connection got bytes");
    refused.close();

    refuse = false;
    const silent = await Deno.connect({ hostname: LOOPBACK, port: listener.port });
    assert.ok((await silent.read(new Uint8Array(4096)))! > 0, "no certificate preamble");
    await waitUntil(() => accepted.length === 1);
    const [connection] = accepted;
    const reading = connection.read();
    const writing = connection.write(new TextEncoder().encode("HELO before any TLS"));
    silent.close(); // without a byte
    assert.equal(await reading, null);
    await assert.rejects(() => writing, /closed/);
  } finally {
    listener.close();
    for (const connection of accepted) connection.close();
  }
});

Deno.test("TlsTransport: an accepted connection nobody reads stops reading its socket; reading resumes it", async () => {
  const a = await tlsNode("a");
  const b = await tlsNode("b");
  const accepted: Connection[] = [];
  const listener = await b.transport.listen(LOOPBACK, 0, (c) => void accepted.push(c));
  const total = 48 * 1024 * 1024;
  try {
    const connection = await a.transport.dial(
      LOOPBACK,
      listener.port,
      undefined,
      expectedOf(b.identity),
    );
    const piece = new Uint8Array(64 * 1024).fill(7);
    let written = 0;
    const writing = (async () => {
      while (written < total) {
        await connection.write(piece);
        written += piece.length;
      }
    })();
    // Nobody reads on the accepting side: the dialer's writes stall once the 1 MiB queue and
    // the kernel's buffers are full (Deno's TLSSocket alone would have read on without end).
    let stalledAt = -1;
    for (let round = 0; round < 40 && stalledAt !== written; round++) {
      stalledAt = written;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(stalledAt, written, "the writer never stalled");
    assert.ok(written < 16 * 1024 * 1024, `${written} bytes went out with nobody reading`);
    // Reading takes every byte, in order, and lets the writer finish.
    let received = 0;
    while (received < total) {
      const chunk = await accepted[0].read();
      assert.ok(chunk !== null, `ended after ${received} bytes`);
      assert.ok(chunk.every((byte) => byte === 7));
      received += chunk.length;
    }
    await writing;
    assert.equal(received, total);
    connection.close();
  } finally {
    listener.close();
    for (const connection of accepted) connection.close();
  }
});

async function waitUntil(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
