/**
 * Forwards a loopback TCP port to a unix socket. Nodes inside network namespaces also serve
 * their HTTP API on a unix socket (`--http-socket`), which the test, in the root namespace,
 * reaches through this forwarder — so no address is ever added to the host's own network.
 */
export interface Forwarder {
  port: number;
  url: string;
  close(): void;
}

export function forwardTcpToUnix(path: string): Forwarder {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch {
      // either side closed: the other is closed in finally
    } finally {
      for (const conn of [from, to]) {
        try {
          conn.close();
        } catch { /* already closed */ }
        open.delete(conn);
      }
    }
  };
  (async () => {
    for await (const client of listener) {
      open.add(client);
      Deno.connect({ transport: "unix", path }).then((upstream) => {
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      }, () => {
        client.close();
        open.delete(client);
      });
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close() {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      open.clear();
    },
  };
}
