/** 5b. Sync catch-up: a node away while messages were written comes back. */
import { benchCatchUp } from "../../../core/sync/sync_bench.ts";
import type { Section } from "../section.ts";

export const catchUpSection: Section = {
  id: "catchup",
  number: "5b",
  title: "Conversations: catch-up after being away",
  needsNetns: false,
  async run({ quick }) {
    const messages = quick ? 2_000 : 10_000;
    const result = await benchCatchUp({ messages, timeoutMs: 60_000 });
    return {
      figures: [
        {
          label: `catch-up of ${messages.toLocaleString("en-US")} missed messages`,
          value: result.catchUpMs,
          unit: "ms",
          goal: { op: "<", value: 2000 },
        },
        { label: "catch-up rate", value: result.messagesPerSec, unit: "messages/s" },
      ],
      notes: [
        "two sync engines with SQLite stores on disk over an in-memory mesh (real frame codec); " +
        "time from linking to the returning node holding every message",
      ],
      details: result,
    };
  },
};
