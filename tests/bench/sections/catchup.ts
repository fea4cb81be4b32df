/**
 * 5b. Sync catch-up after being away, and what record signatures cost: the same runs signed
 * (production) and unsigned (baseline) in one bench run.
 */
import { benchCatchUp, benchPropagation } from "../measures/sync.ts";
import type { Section } from "../section.ts";

export const catchUpSection: Section = {
  id: "catchup",
  number: "5b",
  title: "Conversations: catch-up after being away; cost of record signatures",
  needsNetns: false,
  async run({ quick }) {
    const messages = quick ? 2_000 : 10_000;
    const unsigned = await benchCatchUp({ messages, timeoutMs: 60_000, unsigned: true });
    const signed = await benchCatchUp({ messages, timeoutMs: 60_000 });
    const probes = quick ? 50 : 200;
    const plain = await benchPropagation({ peers: 10, messages: probes, unsigned: true });
    const verified = await benchPropagation({ peers: 10, messages: probes });
    const label = `${messages.toLocaleString("en-US")} missed messages`;
    return {
      figures: [
        {
          label: `catch-up of ${label}, signed`,
          value: signed.catchUpMs,
          unit: "ms",
          goal: { op: "<", value: 2000 },
          baseline: { label: "unsigned", value: unsigned.catchUpMs },
        },
        { label: "catch-up rate, signed", value: signed.messagesPerSec, unit: "messages/s" },
        {
          label: "new message on 10 peers (in process), signed, p50",
          value: verified.allPeersMs.p50,
          unit: "ms",
          baseline: { label: "unsigned", value: plain.allPeersMs.p50 },
        },
        {
          label: "new message on 10 peers (in process), signed, p99",
          value: verified.allPeersMs.p99,
          unit: "ms",
          baseline: { label: "unsigned", value: plain.allPeersMs.p99 },
        },
        {
          label: "added by signing to the p99 above",
          value: verified.allPeersMs.p99 - plain.allPeersMs.p99,
          unit: "ms",
          goal: { op: "<", value: 5 },
        },
      ],
      notes: [
        "catch-up: two sync engines with SQLite stores on disk over an in-memory mesh (real " +
        "frame codec); time from linking to the returning node holding every message",
        `propagation: 11 fully linked sync engines in one process (in-memory SQLite), ${probes} ` +
        "messages one at a time, from the commit on the origin until all 10 peers applied it; " +
        "signed = origin signs, every peer verifies before applying and relaying",
        "baseline: the same run with neither signatures nor verification",
      ],
      details: { signed, unsigned, propagationSigned: verified, propagationUnsigned: plain },
    };
  },
};
