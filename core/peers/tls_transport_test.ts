/** TlsTransport over real TCP on 127.0.0.1 only. */
import assert from "node:assert/strict";
import { generateIdentity, type NodeIdentity } from "../identity/identity.ts";
import { createNodeCertificate } from "../security/certificate.ts";
import { TcpTransport } from "./tcp_transport.ts";
import { IdentityMismatchError, TlsTransport } from "./tls_transport.ts";
import type { Connection } from "./transport.ts";

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
