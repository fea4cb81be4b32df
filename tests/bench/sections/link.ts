/** 1. Frames per second over one peer link on loopback, against the raw socket ceiling. */
import { benchFramesPerSecond } from "../measures/link.ts";
import { benchFramesTwoThreads } from "../measures/link_threads.ts";
import type { Section } from "../section.ts";

const PAYLOAD_BYTES = 256;

export const linkSection: Section = {
  id: "link",
  number: "1",
  title: `Peer link: frames/s on loopback, ${PAYLOAD_BYTES}-byte payloads`,
  needsNetns: false,
  async run({ quick }) {
    const frames = quick ? 50_000 : 1_000_000;
    const result = await benchFramesPerSecond({
      frames,
      payloadBytes: PAYLOAD_BYTES,
      timeoutMs: 60_000,
    });
    const threads = await benchFramesTwoThreads({
      frames,
      payloadBytes: PAYLOAD_BYTES,
      timeoutMs: 60_000,
    });
    return {
      figures: [
        {
          label: "frames/s through two Links",
          value: result.framesPerSecond,
          unit: "/s",
          goal: { op: ">=", value: 1_000_000 },
          baseline: { label: "raw socket", value: result.rawFramesPerSecond },
        },
        {
          label: "raw socket, same batching (ceiling)",
          value: result.rawFramesPerSecond,
          unit: "/s",
        },
        {
          label: "frames/s, the sending Link in a worker (each end on a thread of its own)",
          value: threads.framesPerSecond,
          unit: "/s",
          baseline: { label: "raw socket, same threads", value: threads.rawFramesPerSecond },
        },
        {
          label: "CPU per frame through two Links",
          value: result.cpuMicrosPerFrame,
          unit: "µs",
          baseline: { label: "raw socket", value: result.rawCpuMicrosPerFrame },
        },
      ],
      notes: [
        `${frames.toLocaleString("en-US")} frames one way over 127.0.0.1; a Link encodes, ` +
        `batches, decodes, validates and delivers each frame; both ends run in this one ` +
        `process (on two nodes each end has a core of its own)`,
        "worker row: the sender's Link runs in a Worker, the receiver's here, as on two " +
        "devices; the raw socket the same way",
        `CPU per frame: user + system time of the bench process over the frames sent, both ` +
        `ends; it moves less than frames/s when other processes share the cores`,
      ],
      details: { frames, payloadBytes: PAYLOAD_BYTES, ...result, threads },
    };
  },
};
