import process from "node:process";
import { encodeMessage } from "../../../core/wire/codec.ts";
import { PROTOCOL_VERSION } from "../../../core/wire/messages/link.ts";
import { Link } from "../../../core/peers/link.ts";
import { TcpTransport } from "../../../core/peers/tcp_transport.ts";
import type { Connection, Transport } from "../../../core/peers/transport.ts";

export interface LinkBenchOptions {
  /** Frames to send one way. */
  frames: number;
  /** Size of each frame's JSON payload in bytes (at least 12). */
  payloadBytes: number;
  /** Gives up after this long. @default {60_000} */
  timeoutMs?: number;
  /** The transport under test (listens and dials on 127.0.0.1). @default {new TcpTransport()} */
  transport?: Transport;
}

export interface LinkBenchResult {
  /** Frames per second through two Links (encode, batch, TCP, decode, validate, deliver). */
  framesPerSecond: number;
  /** Frames per second of the same frames batched straight onto a loopback socket: the ceiling. */
  rawFramesPerSecond: number;
  /**
   * CPU time (user + system) of this process per frame through the Links, both ends: less
   * swayed than frames/s by other processes on a shared machine.
   */
  cpuMicrosPerFrame: number;
  /** The same for the raw socket. */
  rawCpuMicrosPerFrame: number;
}

const BATCH_BYTES = 64 * 1024;
/** A sender keeps at most this much queued, as a well-behaved bulk sender would. */
const PACE_BYTES = 4 * 1024 * 1024;

/**
 * Measures link throughput over real loopback TCP (127.0.0.1 only), one way. Prints nothing.
 * Payloads are `{"pad":"xxx…"}` NOOP: frames of exactly `payloadBytes` bytes.
 */
export async function benchFramesPerSecond(options: LinkBenchOptions): Promise<LinkBenchResult> {
  const { frames, payloadBytes, timeoutMs = 60_000, transport = new TcpTransport() } = options;
  if (!Number.isInteger(frames) || frames < 1) {
    throw new RangeError(`Cannot bench links: 'frames' must be a positive integer, got ${frames}`);
  }
  if (!Number.isInteger(payloadBytes) || payloadBytes < 12) {
    throw new RangeError(`Cannot bench links: 'payloadBytes' must be >= 12, got ${payloadBytes}`);
  }
  const payload = benchPayload(payloadBytes);
  const link = await withCpu(
    frames,
    () => withDeadline(timeoutMs, "link", () => benchLinks(transport, frames, payload)),
  );
  const frame = encodeMessage("NOOP:", payload);
  const raw = await withCpu(
    frames,
    () => withDeadline(timeoutMs, "raw", () => benchRaw(transport, frames, frame)),
  );
  return {
    framesPerSecond: link.value,
    rawFramesPerSecond: raw.value,
    cpuMicrosPerFrame: link.cpuMicrosPerFrame,
    rawCpuMicrosPerFrame: raw.cpuMicrosPerFrame,
  };
}

/** Runs `run` and reports this process's CPU time per frame during it. */
async function withCpu<T>(frames: number, run: () => Promise<T>) {
  const before = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(before);
  return { value, cpuMicrosPerFrame: (used.user + used.system) / frames };
}

/** A started Link with a bench HELO; heartbeats slow enough for a sender busy for seconds. */
export function startBenchLink(
  connection: Connection,
  direction: "in" | "out",
  nodeId: string,
  handlers: { onUp: () => void; onMessage: () => void },
): Link {
  const link = new Link({
    connection,
    direction,
    hello: {
      nodeId,
      name: nodeId,
      protocolVersion: PROTOCOL_VERSION,
      appVersion: "bench",
      peerPort: 1,
      httpPort: 0,
      hasLlm: false,
    },
    linkTimeoutMs: 120_000,
    heartbeatMs: 60_000,
    handlers,
  });
  link.start();
  return link;
}

/** The payload of a `payloadBytes` NOOP frame. */
export function benchPayload(payloadBytes: number): { pad: string } {
  return { pad: "x".repeat(payloadBytes - '{"pad":""}'.length) };
}

/** Sends `frames` NOOP frames on `link`, keeping at most PACE_BYTES queued. */
export async function sendPaced(link: Link, frames: number, payload: { pad: string }) {
  for (let i = 0; i < frames; i++) {
    link.send("NOOP:", payload);
    if (link.queuedBytes > PACE_BYTES) await link.drained(PACE_BYTES / 2);
  }
}

/** Reads until `total` bytes arrived; throws if the stream ends before. */
export async function readBytes(connection: Connection, total: number): Promise<void> {
  let got = 0;
  while (got < total) {
    const chunk = await connection.read();
    if (chunk === null) throw new Error(`raw bench: stream ended after ${got} of ${total} bytes`);
    got += chunk.length;
  }
}

/** Writes `frames` copies of `frame` in batches of about BATCH_BYTES. */
export async function writeBatched(connection: Connection, frames: number, frame: Uint8Array) {
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / frame.length));
  let sent = 0;
  while (sent < frames) {
    const count = Math.min(perBatch, frames - sent);
    const batch = new Uint8Array(count * frame.length);
    for (let i = 0; i < count; i++) batch.set(frame, i * frame.length);
    await connection.write(batch);
    sent += count;
  }
}

async function benchLinks(
  transport: Transport,
  frames: number,
  payload: { pad: string },
): Promise<number> {
  const { client, server, close } = await loopbackPair(transport);
  let received = 0;
  let finished!: () => void;
  const allReceived = new Promise<void>((resolve) => finished = resolve);
  const up: Promise<void>[] = [];
  const makeLink = (connection: Connection, direction: "in" | "out", nodeId: string) => {
    let ready!: () => void;
    up.push(new Promise((resolve) => ready = resolve));
    return startBenchLink(connection, direction, nodeId, {
      onUp: () => ready(),
      onMessage: () => {
        if (++received === frames) finished();
      },
    });
  };
  const sender = makeLink(client, "out", "BENCH-SENDER");
  const receiver = makeLink(server, "in", "BENCH-RECEIVER");
  try {
    await Promise.all(up);
    const started = performance.now();
    await sendPaced(sender, frames, payload);
    await allReceived;
    return frames / ((performance.now() - started) / 1000);
  } finally {
    sender.close("bench over");
    receiver.close("bench over");
    await Promise.all([sender.closed, receiver.closed]);
    close();
  }
}

async function benchRaw(transport: Transport, frames: number, frame: Uint8Array): Promise<number> {
  const { client, server, close } = await loopbackPair(transport);
  try {
    const total = frames * frame.length;
    const started = performance.now();
    const reading = readBytes(server, total);
    await writeBatched(client, frames, frame);
    await reading;
    return frames / ((performance.now() - started) / 1000);
  } finally {
    close();
  }
}

/** A connected client/server pair on 127.0.0.1 through a real transport. */
async function loopbackPair(transport: Transport) {
  let accepted!: (connection: Connection) => void;
  const serverSide = new Promise<Connection>((resolve) => accepted = resolve);
  const listener = await transport.listen("127.0.0.1", 0, (connection) => accepted(connection));
  try {
    const client = await transport.dial("127.0.0.1", listener.port);
    const server = await serverSide;
    return {
      client,
      server,
      close: () => {
        client.close();
        server.close();
      },
    };
  } finally {
    listener.close();
  }
}

export async function withDeadline<T>(ms: number, what: string, run: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} bench did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([run(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
