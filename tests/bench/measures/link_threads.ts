/**
 * Frames per second over one link with each end on a thread of its own, as on two devices: the
 * sender runs in a Worker (link_sender_worker.ts), the receiver here; both over real loopback
 * TCP. The raw socket runs the same way as the ceiling. Every wait is bounded.
 */
import { TcpTransport } from "../../../core/peers/tcp_transport.ts";
import type { Connection } from "../../../core/peers/transport.ts";
import { encodeMessage } from "../../../core/wire/codec.ts";
import { benchPayload, readBytes, startBenchLink, withDeadline } from "./link.ts";
import type { SenderJob } from "./link_sender_worker.ts";

export interface TwoThreadResult {
  framesPerSecond: number;
  rawFramesPerSecond: number;
}

export async function benchFramesTwoThreads(options: {
  frames: number;
  payloadBytes: number;
  timeoutMs?: number;
}): Promise<TwoThreadResult> {
  const { frames, payloadBytes, timeoutMs = 60_000 } = options;
  const run = (mode: SenderJob["mode"]) =>
    withDeadline(timeoutMs, `two-thread ${mode}`, () => oneRun(mode, frames, payloadBytes));
  return { framesPerSecond: await run("link"), rawFramesPerSecond: await run("raw") };
}

/** The receiving end: counts frames (link) or bytes (raw) until all arrived. */
function receive(
  connection: Connection,
  mode: SenderJob["mode"],
  frames: number,
  frameBytes: number,
  up: () => void,
): Promise<void> {
  if (mode === "raw") {
    up();
    return readBytes(connection, frames * frameBytes);
  }
  return new Promise((resolve) => {
    let received = 0;
    startBenchLink(connection, "in", "BENCH-RECEIVER", {
      onUp: up,
      onMessage: () => {
        if (++received === frames) resolve();
      },
    });
  });
}

async function oneRun(
  mode: SenderJob["mode"],
  frames: number,
  payloadBytes: number,
): Promise<number> {
  const frameBytes = encodeMessage("NOOP:", benchPayload(payloadBytes)).length;
  let accepted!: (connection: Connection) => void;
  const serverSide = new Promise<Connection>((resolve) => accepted = resolve);
  const listener = await new TcpTransport().listen("127.0.0.1", 0, accepted);
  const worker = new Worker(new URL("./link_sender_worker.ts", import.meta.url), {
    type: "module",
  });
  let connection: Connection | undefined;
  try {
    let senderUp!: () => void;
    const senderReady = new Promise<void>((resolve) => senderUp = resolve);
    let sent!: () => void;
    const allSent = new Promise<void>((resolve) => sent = resolve);
    worker.onmessage = (event) => event.data === "up" ? senderUp() : sent();
    worker.postMessage({ mode, port: listener.port, frames, payloadBytes } satisfies SenderJob);
    connection = await serverSide;
    let receiverUp!: () => void;
    const receiverReady = new Promise<void>((resolve) => receiverUp = resolve);
    const allReceived = receive(connection, mode, frames, frameBytes, receiverUp);
    await Promise.all([senderReady, receiverReady]);
    const started = performance.now();
    worker.postMessage("go");
    await allReceived;
    const seconds = (performance.now() - started) / 1000;
    await allSent;
    return frames / seconds;
  } finally {
    worker.terminate();
    connection?.close();
    listener.close();
  }
}
