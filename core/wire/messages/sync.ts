/** Conversation sync messages (`CONV:` and anti-entropy markers). Owned by core/sync. */
export const syncSchemas = {} as const;
