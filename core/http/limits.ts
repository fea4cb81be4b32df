/**
 * Default limits of the HTTP server, in a module of their own: the config schema takes its
 * defaults from here without loading Hono or node:http (about 15 MB) for a command that never
 * serves.
 */

/** 1 MiB: settings and trust actions are a few hundred bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/**
 * 32 MiB: a chat with a few photos as base64 (about 1.34 bytes per image byte), or a question of
 * the longest allowed length (4 Mi characters, up to 12 MiB as UTF-8) with its history.
 * It stays below the largest peer frame (50 MiB), so a chat the node accepts can be forwarded.
 */
export const DEFAULT_MAX_CHAT_BODY_BYTES = 32 * 1024 * 1024;

/** A connection that sends no full request head in this time is closed. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
