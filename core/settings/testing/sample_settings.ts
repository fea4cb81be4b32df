/** Test support: settings as a node starts with them by default, to patch per test. */
import type { Settings } from "../settings.ts";

export const SAMPLE_SETTINGS: Settings = {
  name: "desk",
  sharing: true,
  allowCidr: [],
  blockCidr: [],
  ollamaUrl: "http://127.0.0.1:11434",
  rateLimit: 100,
  capacity: 2,
  trustMode: "open",
  allowNodeId: [],
  blockNodeId: [],
};
