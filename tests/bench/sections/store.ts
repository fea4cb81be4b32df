/** 5a. Conversation store: append latency into a large store, cold start, bytes per message. */
import { benchStore } from "../measures/store.ts";
import type { Section } from "../section.ts";
import { measureSqliteAppendFloor } from "../sqlite_floor.ts";

/** About the size of a stored bench message (content of 100–500 characters plus metadata). */
const FLOOR_ROW_BYTES = 600;

export const storeSection: Section = {
  id: "store",
  number: "5a",
  title: "Conversations: store",
  needsNetns: false,
  async run({ quick }) {
    const messages = quick ? 10_000 : 100_000;
    const appends = quick ? 200 : 1000;
    const store = await benchStore({ messages, appends });
    const floor = await measureSqliteAppendFloor({ appends, rowBytes: FLOOR_ROW_BYTES });
    const count = messages.toLocaleString("en-US");
    return {
      figures: [
        {
          label: `append p99 into ${count} messages`,
          value: store.appendP99Ms,
          unit: "ms",
          goal: { op: "<", value: 5 },
          baseline: { label: "bare SQLite commit p99", value: floor.p99Ms },
        },
        {
          label: `append p50 into ${count} messages`,
          value: store.appendP50Ms,
          unit: "ms",
          baseline: { label: "bare SQLite commit p50", value: floor.p50Ms },
        },
        {
          label: `cold start to serving (${count} messages)`,
          value: store.coldStartMs,
          unit: "ms",
          goal: { op: "<", value: 1000 },
        },
        { label: "disk bytes per message", value: store.bytesPerMessage, unit: "B", digits: 0 },
      ],
      notes: [
        `${appends} acknowledged appends (each committed and fsynced); baseline: the same number ` +
        `of ${FLOOR_ROW_BYTES}-byte single-row commits into a bare WAL + synchronous=FULL table`,
      ],
      details: { store, floor, floorRowBytes: FLOOR_ROW_BYTES },
    };
  },
};
