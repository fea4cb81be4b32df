/** Command line of the Ollama test double (main.ts): flags → OllamaDoubleOptions. */
import {
  type Fault,
  FAULT_KINDS,
  type FaultKind,
  type FaultSpec,
  normalizeFault,
} from "./faults.ts";
import { z } from "zod";
import { ModelSpecSchema } from "./control.ts";
import { type Api, APIS, type OllamaDoubleOptions } from "./server.ts";

export const USAGE = `Ollama test double: serves Ollama's HTTP API with deterministic answers.

  deno run -A tests/ollama_double/main.ts [options]

  --host HOST                  address to bind (default 127.0.0.1)
  --port N                     port (default 11434; 0 picks a free one)
  --models a,b|JSON            model names (default tinyllama:1.1b), or a JSON list of specs,
                               e.g. '[{"name":"e-embed","embeddingLength":8}]'
  --api ollama|openai|both     APIs served: /api/*, /v1/* or both (default both, as Ollama)
  --tokens N                   tokens per answer (default 20)
  --token-latency-ms MS        delay between tokens (default 0)
  --first-token-latency-ms MS  delay before the first token (default 0)
  --fault KIND|JSON            ${FAULT_KINDS.join(" | ")}, or a fault spec as JSON
  --fault-after N              afterTokens of closeMidStream / stall
  --fault-for-ms MS            a stall ends after MS and the reply goes on
  --fault-times N              apply the fault to the next N matching requests only
  --fault-status N             HTTP status of http500 (default 500)
  --fault-message TEXT         error text of http500
  --parallel N                 replies generated at once (default 0: unlimited)
  --max-queue N                requests waiting for a slot before 503 (default 512)
  --control-port N             also serve the control API (/__double/...) on this port
  --control-socket PATH        also serve the control API on this unix socket
  --help                       print this text

Prints "ollama-double listening on http://HOST:PORT" once ready; stops on SIGINT or SIGTERM.`;

export const DEFAULT_CLI_PORT = 11434;

type NumberOption =
  | "port"
  | "tokens"
  | "tokenLatencyMs"
  | "firstTokenLatencyMs"
  | "parallel"
  | "maxQueue"
  | "controlPort";
const NUMBER_OPTIONS: Record<string, NumberOption> = {
  "--port": "port",
  "--tokens": "tokens",
  "--token-latency-ms": "tokenLatencyMs",
  "--first-token-latency-ms": "firstTokenLatencyMs",
  "--parallel": "parallel",
  "--max-queue": "maxQueue",
  "--control-port": "controlPort",
};
const NUMBER_FAULT_OPTIONS: Record<string, "afterTokens" | "forMs" | "times" | "status"> = {
  "--fault-after": "afterTokens",
  "--fault-for-ms": "forMs",
  "--fault-times": "times",
  "--fault-status": "status",
};

export type CliCommand = { help: true } | { help: false; options: OllamaDoubleOptions };

function number(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === "" || !Number.isFinite(value)) {
    throw new Error(`${flag} needs a number, got ${text === undefined ? "nothing" : `"${text}"`}`);
  }
  return value;
}

function models(text: string): OllamaDoubleOptions["models"] {
  if (!text.trim().startsWith("[")) return text.split(",").map((m) => m.trim()).filter(Boolean);
  const parsed = z.array(z.union([z.string().min(1), ModelSpecSchema])).safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--models: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** Parses the arguments; throws an Error naming the flag and quoting the bad value. */
export function parseCliArgs(args: readonly string[]): CliCommand {
  const options: OllamaDoubleOptions = { port: DEFAULT_CLI_PORT };
  let fault: Fault | undefined;
  const faultExtras: Partial<FaultSpec> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith("--") && args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i], undefined];
    if (flag === "--help" || flag === "-h") return { help: true };
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag in NUMBER_OPTIONS) {
      options[NUMBER_OPTIONS[flag]] = number(flag, value());
      continue;
    }
    if (flag in NUMBER_FAULT_OPTIONS) {
      faultExtras[NUMBER_FAULT_OPTIONS[flag]] = number(flag, value());
      continue;
    }
    switch (flag) {
      case "--host":
        options.hostname = value();
        break;
      case "--models":
        options.models = models(value());
        break;
      case "--api": {
        const api = value();
        if (api !== "both" && !APIS.includes(api as Api)) {
          throw new Error(`--api needs ollama, openai or both, got "${api}"`);
        }
        options.apis = api === "both" ? [...APIS] : [api as Api];
        break;
      }
      case "--fault": {
        const text = value();
        fault = text.trim().startsWith("{") ? JSON.parse(text) : text as FaultKind;
        break;
      }
      case "--fault-message":
        faultExtras.message = value();
        break;
      case "--control-socket":
        options.controlPath = value();
        break;
      default:
        throw new Error(`unknown option "${args[i]}"; see --help`);
    }
  }
  if (Object.keys(faultExtras).length > 0 && fault === undefined) {
    throw new Error(`--fault-* options need --fault`);
  }
  if (fault !== undefined) {
    const base = typeof fault === "string" ? { kind: fault } : fault;
    options.fault = normalizeFault({ ...base, ...faultExtras });
  }
  return { help: false, options };
}
