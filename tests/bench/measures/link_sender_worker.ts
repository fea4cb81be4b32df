/**
 * The sending end of the two-thread link bench (link_threads.ts), in a Worker: it dials the
 * receiver on 127.0.0.1, says "up" once its Link (or raw socket) is ready, sends on "go" and
 * says "sent" when every frame is written.
 */
import { encodeMessage } from "../../../core/wire/codec.ts";
import { TcpTransport } from "../../../core/peers/tcp_transport.ts";
import { benchPayload, sendPaced, startBenchLink, writeBatched } from "./link.ts";

export interface SenderJob {
  mode: "link" | "raw";
  port: number;
  frames: number;
  payloadBytes: number;
}

const worker = self as unknown as Worker;

worker.onmessage = async (event: MessageEvent<SenderJob>) => {
  const { mode, port, frames, payloadBytes } = event.data;
  const payload = benchPayload(payloadBytes);
  const connection = await new TcpTransport().dial("127.0.0.1", port);
  let go!: () => void;
  const started = new Promise<void>((resolve) => go = resolve);
  worker.onmessage = () => go();
  if (mode === "raw") {
    worker.postMessage("up");
    await started;
    await writeBatched(connection, frames, encodeMessage("NOOP:", payload));
    worker.postMessage("sent");
    return;
  }
  const link = startBenchLink(connection, "out", "BENCH-SENDER", {
    onUp: () => worker.postMessage("up"),
    onMessage: () => {},
  });
  await started;
  await sendPaced(link, frames, payload);
  await link.drained(0);
  worker.postMessage("sent");
};
