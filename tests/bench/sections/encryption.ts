/**
 * 6. What encryption costs: frames/s through two Links over plain TCP vs TLS 1.3, and the LLM
 * path (time to first token, tokens/s) between two namespaced nodes with plaintext links vs the
 * default encrypted ones, all in one run.
 */
import { benchEncryptionOverhead } from "../measures/encryption.ts";
import { withLab } from "../lab_tools.ts";
import type { Figure } from "../report.ts";
import type { Section } from "../section.ts";
import { runPhases } from "./llm.ts";

export const encryptionSection: Section = {
  id: "encryption",
  number: "6",
  title:
    "Encryption overhead: plain TCP vs TLS 1.3 links (frames/s, time to first token, tokens/s)",
  needsNetns: true,
  async run({ quick }) {
    const frames = await benchEncryptionOverhead({
      frames: quick ? 50_000 : 400_000,
      payloadBytes: 256,
    });
    const plain = await withLab(2, (lab) => runPhases(lab, true, ["--insecure-plaintext-links"]));
    const tls = await withLab(2, (lab) => runPhases(lab, true));
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const figures: Figure[] = [
      {
        label: "frames/s through two Links, TLS",
        value: frames.tls.framesPerSecond,
        unit: "/s",
        baseline: { label: "plain TCP", value: frames.plain.framesPerSecond },
      },
      {
        label: "TTFT p50 via mesh, TLS links",
        value: tls.latency.mesh.ttftMs.p50,
        unit: "ms",
        baseline: { label: "plaintext links", value: plain.latency.mesh.ttftMs.p50 },
      },
      {
        label: "TTFT p99 via mesh, TLS links",
        value: tls.latency.mesh.ttftMs.p99,
        unit: "ms",
        baseline: { label: "plaintext links", value: plain.latency.mesh.ttftMs.p99 },
      },
      {
        label: "tokens/s one stream via mesh, TLS links",
        value: tls.longStream.mesh.tokensPerSecond,
        unit: "/s",
        baseline: { label: "plaintext links", value: plain.longStream.mesh.tokensPerSecond },
      },
    ];
    return {
      figures,
      notes: [
        `link throughput lost to TLS: ${frames.linkOverheadPercent} % (raw socket ` +
        `${frames.rawOverheadPercent} %); TTFT p50 ratio TLS/plain ` +
        `${ratio(tls.latency.mesh.ttftMs.p50, plain.latency.mesh.ttftMs.p50)}`,
        "LLM figures use the quick settings of section 4 for both link kinds",
      ],
      details: { frames, plain, tls },
    };
  },
};
