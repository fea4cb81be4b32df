import assert from "node:assert/strict";
import { decodeMessage } from "./codec.ts";
import { FrameDecoder, FrameError } from "./decoder.ts";
import { encodeFrame, encodeJsonFrame, HEADER_BYTES } from "./frame.ts";
import { PROTOCOL_VERSION } from "./messages/link.ts";

/**
 * Feeds FrameDecoder (and decodeMessage) random and mutated byte streams. Deterministic: the
 * seed is printed; rerun one with NEUROMESH_FUZZ_SEED=<seed>, more with NEUROMESH_FUZZ_RUNS=<n>.
 */

function envNumber(name: string): number | undefined {
  try {
    const value = Deno.env.get(name);
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined; // no --allow-env: use the defaults
  }
}

const SEED = (envNumber("NEUROMESH_FUZZ_SEED") ?? 0x4e4d_2025) >>> 0;
const RUNS = envNumber("NEUROMESH_FUZZ_RUNS") ?? 100_000;
/** Small, so that "buffers at most one frame" is a tight and meaningful bound. */
const MAX_PAYLOAD = 4096;

/** mulberry32: small, fast, good enough to pick mutations. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return {
    int,
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)],
    bytes: (n: number) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}
type Rng = ReturnType<typeof prng>;

const text = new TextEncoder();
const KNOWN = ["HELO:", "PING:", "PONG:", "BYE!:"] as const;
const OTHER = ["CONV:", "LLMC:", "LREQ:", "LRES:", "XXXX:", "     ", "~~~~~"];
const INTERESTING_LENGTHS = [
  0n,
  1n,
  12n,
  13n,
  BigInt(MAX_PAYLOAD - 1),
  BigInt(MAX_PAYLOAD),
  BigInt(MAX_PAYLOAD + 1),
  0xffff_ffffn,
  1n << 32n,
  (1n << 53n) - 1n,
  (1n << 53n) + 1n,
  1n << 63n,
  (1n << 64n) - 1n,
];

function validPayload(rng: Rng, marker: string): unknown {
  switch (marker) {
    case "HELO:":
      return {
        nodeId: "N".repeat(1 + rng.int(40)),
        name: "node ☕ " + rng.int(1000),
        protocolVersion: PROTOCOL_VERSION,
        appVersion: "0.1.0",
        peerPort: 1 + rng.int(65535),
        httpPort: rng.int(65536),
        hasLlm: rng.chance(0.5),
      };
    case "PING:":
    case "PONG:":
      return { seq: rng.int(1e6), sentAt: rng.int(1e12) };
    case "BYE!:":
      return { reason: "x".repeat(rng.int(300)) }; // over 256 fails the schema
    default:
      return { any: rng.int(100) };
  }
}

function randomFrame(rng: Rng): Uint8Array {
  const roll = rng.int(20);
  if (roll === 0) return encodeFrame(rng.pick(OTHER), new Uint8Array(0));
  if (roll === 1) {
    // Near the limit, on both sides of it.
    const size = MAX_PAYLOAD - 2 + rng.int(4);
    return encodeFrame(rng.pick(KNOWN), new Uint8Array(size).fill(0x20));
  }
  if (roll === 2) return encodeFrame(rng.pick(KNOWN), rng.bytes(rng.int(64)));
  if (roll === 3) return encodeFrame(rng.pick(KNOWN), text.encode('{"seq":1,"sentAt":'));
  const marker = rng.chance(0.9) ? rng.pick(KNOWN) : rng.pick(OTHER);
  return encodeJsonFrame(marker, validPayload(rng, marker));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function validStream(rng: Rng): Uint8Array {
  return concat(Array.from({ length: 1 + rng.int(6) }, () => randomFrame(rng)));
}

function mutate(rng: Rng, stream: Uint8Array): Uint8Array {
  const out = stream.slice();
  switch (rng.int(8)) {
    case 0: { // bit flips
      for (let n = 1 + rng.int(8); n > 0 && out.length > 0; n--) {
        out[rng.int(out.length)] ^= 1 << rng.int(8);
      }
      return out;
    }
    case 1: // truncation
      return out.subarray(0, rng.int(out.length + 1));
    case 2: { // splice two streams
      const other = validStream(rng);
      return concat([
        out.subarray(0, rng.int(out.length + 1)),
        other.subarray(rng.int(other.length + 1)),
      ]);
    }
    case 3: { // an interesting length written into the first header
      if (out.length >= HEADER_BYTES) {
        new DataView(out.buffer, out.byteOffset).setBigUint64(
          5,
          rng.pick(INTERESTING_LENGTHS),
          true,
        );
      }
      return out;
    }
    case 4: { // insert random bytes
      const at = rng.int(out.length + 1);
      return concat([out.subarray(0, at), rng.bytes(1 + rng.int(16)), out.subarray(at)]);
    }
    case 5: { // delete a range
      const at = rng.int(out.length + 1);
      return concat([out.subarray(0, at), out.subarray(at + 1 + rng.int(16))]);
    }
    case 6: { // duplicate a range
      const from = rng.int(out.length + 1);
      const to = from + rng.int(out.length - from + 1);
      return concat([out.subarray(0, to), out.subarray(from, to), out.subarray(to)]);
    }
    default: // overwrite a range with printable ASCII (keeps markers plausible)
      for (let i = rng.int(out.length + 1), n = rng.int(8); n > 0 && i < out.length; n--, i++) {
        out[i] = 0x20 + rng.int(95);
      }
      return out;
  }
}

function makeInput(rng: Rng): Uint8Array {
  const roll = rng.int(10);
  if (roll === 0) return rng.bytes(rng.int(200)); // pure noise
  if (roll === 1) return validStream(rng); // unmutated
  let stream = validStream(rng);
  for (let n = 1 + rng.int(3); n > 0; n--) stream = mutate(rng, stream);
  return stream;
}

function chunk(rng: Rng, stream: Uint8Array): Uint8Array[] {
  const style = rng.int(4);
  if (style === 0) return [stream];
  // Byte-by-byte and tiny chunks only on short streams, to keep the run time bounded.
  const small = stream.length <= 256;
  const chunks: Uint8Array[] = [];
  let at = 0;
  while (at < stream.length) {
    const size = style === 1 && small
      ? 1
      : style === 2
      ? rng.int(small ? 20 : 256)
      : rng.int(stream.length + 1);
    chunks.push(stream.subarray(at, at + size)); // size 0 pushes an empty chunk, also legal
    at += size;
  }
  return chunks;
}

Deno.test(`FrameDecoder survives ${RUNS} random and mutated streams (seed ${SEED})`, () => {
  console.log(`fuzz seed ${SEED} (set NEUROMESH_FUZZ_SEED to replay), runs ${RUNS}`);
  const rng = prng(SEED);
  const started = performance.now();
  const seen = { streamErrors: 0, frames: 0, messages: 0, messageErrors: 0, pushes: 0 };

  for (let run = 0; run < RUNS; run++) {
    const input = makeInput(rng);
    const context = () => `seed ${SEED} run ${run}, input ${input.length} bytes`;
    const decoder = new FrameDecoder(MAX_PAYLOAD);
    let framesOut = 0;
    for (const piece of chunk(rng, input)) {
      seen.pushes++;
      let frames;
      try {
        frames = decoder.push(piece);
      } catch (error) {
        if (!(error instanceof FrameError)) throw new Error(`push threw ${error} (${context()})`);
        // Even when refusing, the decoder must not have buffered past the bound.
        assert.ok(decoder.bufferedBytes <= MAX_PAYLOAD + HEADER_BYTES + piece.length, context());
        seen.streamErrors++;
        break; // the link closes on the first FrameError
      }
      // At most one partial frame is held: a partial header, or the payload of a frame whose
      // header passed the limit check.
      assert.ok(decoder.bufferedBytes <= MAX_PAYLOAD + HEADER_BYTES + piece.length, context());
      assert.ok(decoder.bufferedBytes < Math.max(HEADER_BYTES, MAX_PAYLOAD + 1), context());
      framesOut += frames.length;
      for (const frame of frames) {
        assert.ok(frame.payload.length <= MAX_PAYLOAD, context());
        seen.frames++;
        try {
          decodeMessage(frame);
          seen.messages++;
        } catch (error) {
          if (!(error instanceof FrameError)) {
            throw new Error(`decodeMessage threw ${error} (${context()})`);
          }
          seen.messageErrors++;
        }
      }
    }
    // Bounded work: every frame costs at least a header, so no input yields more frames.
    assert.ok(framesOut <= Math.floor(input.length / HEADER_BYTES), context());
  }

  const seconds = (performance.now() - started) / 1000;
  console.log(`fuzz ${JSON.stringify(seen)} in ${seconds.toFixed(2)} s`);
  // The generator must reach every outcome, or the fuzz proves little.
  if (RUNS >= 10_000) {
    assert.ok(seen.streamErrors > RUNS / 20, `few stream errors: ${seen.streamErrors}`);
    assert.ok(seen.messages > RUNS / 5, `few valid messages: ${seen.messages}`);
    assert.ok(seen.messageErrors > RUNS / 20, `few message errors: ${seen.messageErrors}`);
  }
});
