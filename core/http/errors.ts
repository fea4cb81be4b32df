import type { Context } from "hono";
import type { ZodError } from "zod";

/** Turns a zod error into one readable line: `title: must not be empty`. */
export function describeZodError(error: ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
  return `${where}${issue.message}`;
}

/** Reads a JSON body, answering 400 with a clear message when it is not JSON. */
export async function readJson(
  c: Context,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  try {
    return { ok: true, value: await c.req.json() };
  } catch {
    return { ok: false, response: c.json({ error: "request body must be valid JSON" }, 400) };
  }
}
