/**
 * Control API of the Ollama test double, for tests that run it as a separate process (e.g. in a
 * network namespace, reached through `controlPath`, a unix socket). Not part of Ollama's API.
 *
 *   GET  /__double/stats                  → DoubleStats
 *   GET  /__double/requests?path=/api/chat → last request bodies on that path
 *   POST /__double/fault     Fault JSON    → DoubleStats (once in effect)
 *   POST /__double/settings  {tokenLatencyMs?, firstTokenLatencyMs?, tokens?, models?}
 *                            (models: names or specs with embeddingLength, capabilities, …)
 *   POST /__double/reset                   → zeroes counters and logs
 */
import { z } from "zod";
import type { Fault } from "./faults.ts";
import { CAPABILITIES } from "./models.ts";
import type { OllamaDouble } from "./server.ts";
import { errorResponse, jsonResponse, textResponse } from "./wire.ts";

export const CONTROL_PREFIX = "/__double/";

export const ModelSpecSchema = z.strictObject({
  name: z.string().min(1),
  family: z.string().optional(),
  parameterSize: z.string().optional(),
  quantization: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  digest: z.string().optional(),
  contextLength: z.number().int().positive().optional(),
  embeddingLength: z.number().int().positive().optional(),
  capabilities: z.array(z.enum(CAPABILITIES)).optional(),
});

export const SettingsSchema = z.strictObject({
  tokenLatencyMs: z.number().nonnegative().optional(),
  firstTokenLatencyMs: z.number().nonnegative().optional(),
  tokens: z.number().int().nonnegative().optional(),
  models: z.array(z.union([z.string().min(1), ModelSpecSchema])).optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  return text.trim() === "" ? {} : JSON.parse(text);
}

export async function handleControl(
  double: OllamaDouble,
  request: Request,
  url: URL,
): Promise<Response> {
  const route = `${request.method} ${url.pathname.slice(CONTROL_PREFIX.length)}`;
  try {
    switch (route) {
      case "GET stats":
        return jsonResponse(200, double.stats());
      case "GET requests": {
        const path = url.searchParams.get("path");
        if (!path) {
          return errorResponse(400, "query parameter path is required, e.g. ?path=/api/chat");
        }
        return jsonResponse(200, double.requestLog(path));
      }
      case "POST fault": {
        // setFault validates the fault (normalizeFault) and says what is wrong
        await double.setFault(await readJson(request) as Fault);
        return jsonResponse(200, double.stats());
      }
      case "POST settings": {
        const settings = SettingsSchema.parse(await readJson(request));
        if (settings.tokenLatencyMs !== undefined) {
          double.setTokenLatencyMs(settings.tokenLatencyMs);
        }
        if (settings.firstTokenLatencyMs !== undefined) {
          double.setFirstTokenLatencyMs(settings.firstTokenLatencyMs);
        }
        if (settings.tokens !== undefined) double.setTokens(settings.tokens);
        if (settings.models !== undefined) double.setModels(settings.models);
        return jsonResponse(200, double.stats());
      }
      case "POST reset":
        double.resetStats();
        return jsonResponse(200, double.stats());
      default:
        return textResponse(404, `no control route ${route}`);
    }
  } catch (error) {
    const message = error instanceof z.ZodError
      ? error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")
      : (error as Error).message;
    return errorResponse(400, `${route}: ${message}`);
  }
}
