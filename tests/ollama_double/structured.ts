/**
 * Structured outputs of the Ollama test double: Ollama's `format` ("json" or a JSON schema) and
 * OpenAI's `response_format` (json_object, json_schema). The reply is JSON text that parses and
 * matches the schema; its values are a pure function of (schema, seed), so tests can predict it
 * with `expectedStructuredAnswer()`. Covers the schemas clients generate (zod, pydantic): type,
 * properties, items, enum, const, anyOf/oneOf/allOf, $ref into $defs/definitions, and the usual
 * bounds (minimum/maximum, minLength/maxLength, minItems/maxItems).
 */
import { expectedAnswer, hash32 } from "./answer.ts";
import type { AnswerInput } from "./answer.ts";

type Schema = Record<string, unknown>;

const WORDS = ["alpha", "bravo", "canal", "dune", "ember", "falcon", "garnet", "harbor"];
const MAX_DEPTH = 8;

const isSchema = (v: unknown): v is Schema =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function resolveRef(ref: string, root: Schema): Schema {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = match ? root[match[1]] : undefined;
  const target = isSchema(defs) ? defs[decodeURIComponent(match![2])] : ref === "#" ? root : null;
  return isSchema(target) ? target : {};
}

function pick<T>(options: readonly T[], seed: string): T {
  return options[hash32(seed) % options.length];
}

function bounded(value: number, schema: Schema, integer: boolean): number {
  const num = (key: string) => typeof schema[key] === "number" ? schema[key] as number : undefined;
  const step = integer ? 1 : 0.5;
  const min = num("minimum") ??
    (num("exclusiveMinimum") !== undefined ? num("exclusiveMinimum")! + step : undefined);
  const max = num("maximum") ??
    (num("exclusiveMaximum") !== undefined ? num("exclusiveMaximum")! - step : undefined);
  let v = value;
  if (min !== undefined && v < min) v = integer ? Math.ceil(min) : min;
  if (max !== undefined && v > max) v = integer ? Math.floor(max) : max;
  return v;
}

function stringFor(schema: Schema, seed: string): string {
  switch (schema.format) {
    case "date-time":
      return "2025-01-01T00:00:00Z";
    case "date":
      return "2025-01-01";
    case "time":
      return "12:00:00";
    case "email":
      return `${pick(WORDS, seed)}@example.com`;
    case "uri":
    case "url":
      return `https://example.com/${pick(WORDS, seed)}`;
    case "uuid":
      return "00000000-0000-4000-8000-" + (hash32(seed).toString(16).padStart(12, "0"));
  }
  let text = `${pick(WORDS, seed)}${hash32(`${seed}#`) % 100}`;
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  while (text.length < minLength) text += "x";
  return text.slice(0, maxLength);
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") ?? type[0];
  if (typeof type === "string") return type;
  if (isSchema(schema.properties)) return "object";
  if (isSchema(schema.items)) return "array";
  return undefined;
}

/** A value matching `schema`, derived from `seed` only. */
export function valueForSchema(schema: unknown, seed: string, root?: Schema, depth = 0): unknown {
  if (!isSchema(schema)) return schema === false ? null : {};
  const top = root ?? schema;
  if (depth > MAX_DEPTH) return null;
  if (typeof schema.$ref === "string") {
    return valueForSchema(resolveRef(schema.$ref, top), seed, top, depth + 1);
  }
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return pick(schema.enum, seed);
  for (const key of ["anyOf", "oneOf"]) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const nonNull = options.find((o) => !(isSchema(o) && o.type === "null")) ?? options[0];
      return valueForSchema(nonNull, seed, top, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Schema = { type: "object", properties: {} };
    for (const part of schema.allOf) {
      const resolved = isSchema(part) && typeof part.$ref === "string"
        ? resolveRef(part.$ref, top)
        : part;
      if (isSchema(resolved) && isSchema(resolved.properties)) {
        Object.assign(merged.properties as Schema, resolved.properties);
      }
    }
    return valueForSchema(merged, seed, top, depth + 1);
  }
  switch (typeOf(schema)) {
    case "object": {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(
        Object.entries(properties).map((
          [key, sub],
        ) => [key, valueForSchema(sub, `${seed}.${key}`, top, depth + 1)]),
      );
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
      const length = Math.min(Math.max(2, min), max);
      const items = Array.isArray(schema.prefixItems) ? schema.prefixItems : null;
      return Array.from(
        { length: items ? Math.max(items.length, min) : length },
        (_, i) => valueForSchema(items?.[i] ?? schema.items ?? {}, `${seed}[${i}]`, top, depth + 1),
      );
    }
    case "string":
      return stringFor(schema, seed);
    case "integer":
      return bounded(hash32(seed) % 100, schema, true);
    case "number":
      return bounded((hash32(seed) % 1000) / 10, schema, false);
    case "boolean":
      return hash32(seed) % 2 === 0;
    case "null":
      return null;
    default:
      return pick(WORDS, seed);
  }
}

/** Ollama `format` or an OpenAI response format, reduced to what shapes the reply. */
export type StructuredFormat = "json" | Schema;

/**
 * The JSON text the double answers with for `format`: `"json"` gives `{"answer": <the plain
 * answer>}`, a schema gives a matching value; indented, so it streams in several tokens.
 */
export function expectedStructuredAnswer(
  model: string,
  input: AnswerInput,
  format: StructuredFormat,
  count?: number,
): string {
  const value = format === "json"
    ? { answer: expectedAnswer(model, input, count) }
    : valueForSchema(format, `${model}\u0000${JSON.stringify(input)}`);
  return JSON.stringify(value, null, 1);
}
