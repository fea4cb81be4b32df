import { generateIdentity } from "../../../core/identity/identity.ts";
import { benchFramesPerSecond, type LinkBenchResult } from "./link.ts";
import { TcpTransport } from "../../../core/peers/tcp_transport.ts";
import { TlsTransport } from "../../../core/security/tls_transport.ts";
import { createNodeCertificate } from "../../../core/security/certificate.ts";

export interface EncryptionBenchOptions {
  /** Frames sent one way per run. @default {200_000} */
  frames?: number;
  /** JSON payload bytes per frame. @default {200} */
  payloadBytes?: number;
  /** Each run gives up after this long. @default {60_000} */
  timeoutMs?: number;
}

export interface EncryptionBenchResult {
  frames: number;
  payloadBytes: number;
  /** Links over plain TCP (`--insecure-plaintext-links`). */
  plain: LinkBenchResult;
  /** Links over TLS 1.3 (the default). */
  tls: LinkBenchResult;
  /** Throughput lost to encryption through two Links, percent of plain (negative: noise). */
  linkOverheadPercent: number;
  /** Same for frames written straight onto the socket (the ceiling). */
  rawOverheadPercent: number;
}

/**
 * What encryption costs on peer links: frames/s through two Links on 127.0.0.1 over plain TCP
 * and over TLS, same frames, same process. Prints nothing. The TTFT and tokens/s side of the
 * cost is measured by running the LLM bench against nodes started with and without
 * `--insecure-plaintext-links`.
 */
export async function benchEncryptionOverhead(
  options: EncryptionBenchOptions = {},
): Promise<EncryptionBenchResult> {
  const frames = options.frames ?? 200_000;
  const payloadBytes = options.payloadBytes ?? 200;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const certificate = await createNodeCertificate(await generateIdentity("bench"));
  const plain = await benchFramesPerSecond({
    frames,
    payloadBytes,
    timeoutMs,
    transport: new TcpTransport(),
  });
  const tls = await benchFramesPerSecond({
    frames,
    payloadBytes,
    timeoutMs,
    transport: new TlsTransport({ certificate }),
  });
  const percent = (secure: number, base: number) => Math.round((1 - secure / base) * 1000) / 10;
  return {
    frames,
    payloadBytes,
    plain,
    tls,
    linkOverheadPercent: percent(tls.framesPerSecond, plain.framesPerSecond),
    rawOverheadPercent: percent(tls.rawFramesPerSecond, plain.rawFramesPerSecond),
  };
}
