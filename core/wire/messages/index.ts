import type { z } from "zod";
import { embedSchemas } from "./embed.ts";
import { linkSchemas } from "./link.ts";
import { llmSchemas } from "./llm.ts";
import { showSchemas } from "./show.ts";
import { syncSchemas } from "./sync.ts";

/**
 * Every marker this build speaks, with the zod schema its JSON payload must satisfy.
 * Each concern owns its own file; this map only composes them.
 */
export const schemas = {
  ...linkSchemas,
  ...embedSchemas,
  ...llmSchemas,
  ...showSchemas,
  ...syncSchemas,
} as const;

export type Marker = keyof typeof schemas;
export type PayloadOf<M extends Marker> = z.infer<(typeof schemas)[M]>;
export type Message = { [M in Marker]: { marker: M; payload: PayloadOf<M> } }[Marker];
