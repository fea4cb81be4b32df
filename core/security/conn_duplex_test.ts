/** ConnDuplex over real TCP on 127.0.0.1 only. */
import assert from "node:assert/strict";
import { ConnDuplex } from "./conn_duplex.ts";

const LOOPBACK = "127.0.0.1";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function pair(): Promise<{ client: Deno.TcpConn; server: Deno.TcpConn }> {
  const listener = Deno.listen({ hostname: LOOPBACK, port: 0 });
  const [client, server] = await Promise.all([
    Deno.connect({ hostname: LOOPBACK, port: listener.addr.port }),
    listener.accept(),
  ]);
  listener.close();
  return { client, server };
}

async function readAll(conn: Deno.Conn): Promise<string> {
  let out = "";
  const buffer = new Uint8Array(1024);
  for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
    out += text(buffer.subarray(0, n));
  }
  return out;
}

Deno.test("ConnDuplex hands out the head first, then the socket's bytes, and writes back", async () => {
  const { client, server } = await pair();
  const stream = new ConnDuplex(server, new TextEncoder().encode("hello "));
  const received: string[] = [];
  const ended = new Promise((resolve) => stream.on("end", resolve));
  stream.on("data", (chunk: Uint8Array) => received.push(text(chunk)));
  await client.write(new TextEncoder().encode("world"));
  await client.closeWrite();
  await ended;
  assert.equal(received.join(""), "hello world");
  stream.end(new TextEncoder().encode("bye"));
  assert.equal(await readAll(client), "bye");
  client.close();
  stream.destroy();
});

Deno.test("ConnDuplex stops reading while paused and closes the socket when destroyed", async () => {
  const { client, server } = await pair();
  const stream = new ConnDuplex(server, new Uint8Array(0));
  let received = 0;
  stream.on("data", (chunk: Uint8Array) => {
    received += chunk.length;
    stream.pause();
  });
  await client.write(new Uint8Array(100_000));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const whilePaused = received;
  assert.ok(whilePaused > 0 && whilePaused < 100_000, `${whilePaused} bytes while paused`);
  stream.destroy();
  assert.equal(await readAll(client), "", "the socket stayed open");
  client.close();
});
