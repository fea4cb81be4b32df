/**
 * Web origins (`scheme://host[:port]`) and the allow list of `--allow-origin`: which pages in a
 * browser may call this node. Pure: no I/O.
 */
import { z } from "zod";

const ORIGIN_SHAPE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s@]+)\/?$/i;

/**
 * The canonical form of an origin (lower case, default port dropped, trailing slash dropped),
 * or null when `text` is not one. `null` (the origin of sandboxed frames and files) is not.
 */
export function normalizeOrigin(text: string): string | null {
  const match = ORIGIN_SHAPE.exec(text.trim());
  if (!match) return null;
  const scheme = match[1].toLowerCase();
  if (scheme !== "http" && scheme !== "https") return `${scheme}://${match[2].toLowerCase()}`;
  try {
    return new URL(`${scheme}://${match[2]}`).origin;
  } catch {
    return null;
  }
}

/** `scheme://host` of an origin, without its port. */
function withoutPort(origin: string): string {
  if (origin.startsWith("http://") || origin.startsWith("https://")) {
    const url = new URL(origin);
    return `${url.protocol}//${url.hostname}`;
  }
  return origin;
}

/**
 * One `--allow-origin` value in canonical form, or null: an origin (`http://192.168.1.20:3000`),
 * the same with any port (`http://localhost:*`), or `*` for every origin.
 */
export function originPatternOf(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === "*") return "*";
  const anyPort = trimmed.endsWith(":*");
  const origin = normalizeOrigin(anyPort ? trimmed.slice(0, -2) : trimmed);
  if (origin === null || (anyPort && withoutPort(origin) !== origin)) return null;
  return anyPort ? `${origin}:*` : origin;
}

/** originPatternOf(), throwing a RangeError that quotes a value that is not a pattern. */
export function parseOriginPattern(text: string): string {
  const pattern = originPatternOf(text);
  if (pattern === null) {
    throw new RangeError(
      `not an origin: ${JSON.stringify(text)} (expected scheme://host[:port], ` +
        "scheme://host:* or *)",
    );
  }
  return pattern;
}

/** The origins `--allow-origin` lets in; `null` (sandboxed pages, files) is never one of them. */
export class OriginAllowList {
  readonly #exact = new Set<string>();
  readonly #anyPort = new Set<string>();
  readonly #any: boolean;

  constructor(patterns: readonly string[]) {
    let any = false;
    for (const text of patterns) {
      const pattern = parseOriginPattern(text);
      if (pattern === "*") any = true;
      else if (pattern.endsWith(":*")) this.#anyPort.add(pattern.slice(0, -2));
      else this.#exact.add(pattern);
    }
    this.#any = any;
  }

  get empty(): boolean {
    return !this.#any && this.#exact.size === 0 && this.#anyPort.size === 0;
  }

  /** True when the page at `origin` (as a browser sends it in `Origin`) may call the node. */
  allows(origin: string): boolean {
    const normalized = normalizeOrigin(origin);
    if (normalized === null) return false;
    return this.#any || this.#exact.has(normalized) || this.#anyPort.has(withoutPort(normalized));
  }
}

/** An `--allow-origin` value, checked by the parser that uses it. */
export const OriginPatternText = z.string().refine(
  (text) => originPatternOf(text) !== null,
  "must be an origin such as http://192.168.1.20:3000, http://localhost:* or *",
);
