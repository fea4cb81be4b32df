/**
 * 5a. Conversation store: append latency into a large store, cold start, bytes per message,
 * full-text search latency.
 */
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
        {
          label: `search p50, a word in all ${count} messages (20 hits)`,
          value: store.search.commonP50Ms,
          unit: "ms",
          goal: { op: "<", value: 250 },
        },
        {
          label: `search p99, a word in all ${count} messages (20 hits)`,
          value: store.search.commonP99Ms,
          unit: "ms",
        },
        { label: "search p50, a word in none", value: store.search.missP50Ms, unit: "ms" },
      ],
      notes: [
        `${appends} acknowledged appends (each committed and fsynced); baseline: the same number ` +
        `of ${FLOOR_ROW_BYTES}-byte single-row commits into a bare WAL + synchronous=FULL table`,
        "search: every bench message holds the searched word, so each search ranks the newest " +
        "2,000 matches (RANKED_WINDOW) and makes 20 snippets",
      ],
      details: { store, floor, floorRowBytes: FLOOR_ROW_BYTES },
    };
  },
};
