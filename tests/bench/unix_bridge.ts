/**
 * Run inside a network namespace: accepts connections on a unix socket and pipes each to a TCP
 * address there. With `forwardTcpToUnix` it lets the bench (in the root namespace) reach a
 * server on the lab network — a dumb byte pipe, the "direct" path the mesh is compared with.
 *
 *   deno run -A tests/bench/unix_bridge.ts --socket PATH --target HOST:PORT
 */

function option(name: string): string {
  const index = Deno.args.indexOf(name);
  const value = index >= 0 ? Deno.args[index + 1] : undefined;
  if (!value) {
    throw new Error(`unix_bridge: ${name} is required (got ${JSON.stringify(Deno.args)})`);
  }
  return value;
}

const path = option("--socket");
const [hostname, port] = option("--target").split(/:(?=\d+$)/);
try {
  Deno.removeSync(path);
} catch { /* not there */ }
const listener = Deno.listen({ transport: "unix", path });
console.log(`unix-bridge listening on ${path} -> ${hostname}:${port}`);

/** Copies both ways; when either direction ends, both connections close. */
function join(a: Deno.Conn, b: Deno.Conn) {
  Promise.race([a.readable.pipeTo(b.writable), b.readable.pipeTo(a.writable)])
    .catch(() => {/* a side closed */})
    .finally(() => {
      for (const conn of [a, b]) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
    });
}

Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
for await (const client of listener) {
  Deno.connect({ hostname, port: Number(port) }).then((upstream) => {
    upstream.setNoDelay(true);
    join(client, upstream);
  }, () => client.close());
}
