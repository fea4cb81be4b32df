import assert from "node:assert/strict";
import { FrameDecoder, FrameError } from "./decoder.ts";
import { encodeFrame, type Frame, HEADER_BYTES } from "./frame.ts";

const text = new TextEncoder();
const MAX = 1024;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A header with an arbitrary 64-bit length, for lengths no real payload could have. */
function header(marker: string, length: bigint): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(text.encode(marker), 0);
  new DataView(out.buffer).setBigUint64(5, length, true);
  return out;
}

const asText = (frames: Frame[]) =>
  frames.map((f) => `${f.marker}${new TextDecoder().decode(f.payload)}`);

const SAMPLE: Array<[string, string]> = [
  ["HELO:", '{"nodeId":"A"}'],
  ["PING:", ""],
  ["CONV:", "hello ☕ world"],
  ["BYE!:", '{"reason":"x"}'],
];
const SAMPLE_STREAM = concat(SAMPLE.map(([m, p]) => encodeFrame(m, text.encode(p))));
const SAMPLE_TEXT = SAMPLE.map(([m, p]) => m + p);

Deno.test("FrameDecoder round-trips one frame", () => {
  const decoder = new FrameDecoder(MAX);
  const frames = decoder.push(encodeFrame("CONV:", text.encode("hello")));
  assert.deepEqual(asText(frames), ["CONV:hello"]);
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(decoder.midFrame, false);
});

Deno.test("FrameDecoder yields every frame of a coalesced read, in order", () => {
  const many = Array.from({ length: 500 }, (_, i) => encodeFrame("PING:", text.encode(`${i}`)));
  const frames = new FrameDecoder(MAX).push(concat(many));
  assert.equal(frames.length, 500);
  assert.deepEqual(
    frames.map((f) => new TextDecoder().decode(f.payload)),
    many.map((_, i) => `${i}`),
  );
});

Deno.test("FrameDecoder gives the same frames for a stream split at every point", () => {
  for (let split = 0; split <= SAMPLE_STREAM.length; split++) {
    const decoder = new FrameDecoder(MAX);
    const frames = [
      ...decoder.push(SAMPLE_STREAM.subarray(0, split)),
      ...decoder.push(SAMPLE_STREAM.subarray(split)),
    ];
    assert.deepEqual(asText(frames), SAMPLE_TEXT, `split at ${split}`);
    assert.equal(decoder.bufferedBytes, 0);
  }
});

Deno.test("FrameDecoder gives the same frames for a stream split at every pair of points", () => {
  for (let a = 0; a <= SAMPLE_STREAM.length; a++) {
    for (let b = a; b <= SAMPLE_STREAM.length; b++) {
      const decoder = new FrameDecoder(MAX);
      const frames = [
        ...decoder.push(SAMPLE_STREAM.subarray(0, a)),
        ...decoder.push(SAMPLE_STREAM.subarray(a, b)),
        ...decoder.push(SAMPLE_STREAM.subarray(b)),
      ];
      assert.deepEqual(asText(frames), SAMPLE_TEXT, `splits at ${a},${b}`);
    }
  }
});

Deno.test("FrameDecoder decodes a stream fed one byte at a time", () => {
  const decoder = new FrameDecoder(MAX);
  const frames: Frame[] = [];
  for (let i = 0; i < SAMPLE_STREAM.length; i++) {
    frames.push(...decoder.push(SAMPLE_STREAM.subarray(i, i + 1)));
    assert.ok(decoder.bufferedBytes < HEADER_BYTES + MAX);
  }
  assert.deepEqual(asText(frames), SAMPLE_TEXT);
  assert.equal(decoder.midFrame, false);
});

Deno.test("FrameDecoder reports a partial frame as midFrame until it completes", () => {
  const frame = encodeFrame("CONV:", text.encode("hello"));
  const decoder = new FrameDecoder(MAX);
  assert.deepEqual(decoder.push(frame.subarray(0, 3)), []);
  assert.equal(decoder.midFrame, true);
  assert.equal(decoder.bufferedBytes, 3);
  assert.deepEqual(decoder.push(frame.subarray(3, HEADER_BYTES + 2)), []);
  assert.equal(decoder.midFrame, true);
  assert.deepEqual(asText(decoder.push(frame.subarray(HEADER_BYTES + 2))), ["CONV:hello"]);
  assert.equal(decoder.midFrame, false);
});

Deno.test("FrameDecoder ignores an empty push", () => {
  const decoder = new FrameDecoder(MAX);
  assert.deepEqual(decoder.push(new Uint8Array(0)), []);
  assert.equal(decoder.midFrame, false);
});

Deno.test("FrameDecoder yields zero-length payloads, alone, in a row and at the end of a read", () => {
  const empty = encodeFrame("PING:", new Uint8Array(0));
  const decoder = new FrameDecoder(MAX);
  assert.deepEqual(asText(decoder.push(empty)), ["PING:"]);
  const frames = decoder.push(
    concat([empty, empty, encodeFrame("CONV:", text.encode("x")), empty]),
  );
  assert.deepEqual(asText(frames), ["PING:", "PING:", "CONV:x", "PING:"]);
  assert.equal(decoder.midFrame, false);
});

Deno.test("FrameDecoder accepts a payload of exactly maxPayloadBytes", () => {
  const payload = new Uint8Array(MAX).fill(0x61);
  const frames = new FrameDecoder(MAX).push(encodeFrame("CONV:", payload));
  assert.equal(frames.length, 1);
  assert.equal(frames[0].payload.length, MAX);
});

Deno.test("FrameDecoder payloads stay intact after the decoder buffers further chunks", () => {
  const decoder = new FrameDecoder(MAX);
  const stream = concat([
    encodeFrame("CONV:", text.encode("first")),
    encodeFrame("CONV:", text.encode("second")),
  ]);
  const first = decoder.push(stream.subarray(0, 20));
  const rest = decoder.push(stream.subarray(20));
  assert.deepEqual(asText([...first, ...rest]), ["CONV:first", "CONV:second"]);
});

Deno.test("FrameDecoder refuses an oversize length from the 13-byte header alone", () => {
  const decoder = new FrameDecoder(MAX);
  assert.throws(
    () => decoder.push(header("CONV:", BigInt(MAX + 1))),
    (error: unknown) =>
      error instanceof FrameError && /CONV: length 1025 exceeds limit 1024/.test(error.message),
  );
});

Deno.test("FrameDecoder refuses an oversize header that arrives in pieces", () => {
  const decoder = new FrameDecoder(MAX);
  const bytes = header("LRES:", 1n << 40n);
  assert.deepEqual(decoder.push(bytes.subarray(0, 12)), []);
  assert.throws(() => decoder.push(bytes.subarray(12)), FrameError);
});

Deno.test("FrameDecoder refuses lengths above 2^53 and up to 2^64-1 without losing precision", () => {
  for (const length of [(1n << 53n) + 1n, 1n << 63n, (1n << 64n) - 1n]) {
    const decoder = new FrameDecoder(Number.MAX_SAFE_INTEGER);
    assert.throws(
      () => decoder.push(header("CONV:", length)),
      (error: unknown) => error instanceof FrameError && error.message.includes(`length ${length}`),
      `length ${length}`,
    );
  }
});

Deno.test("FrameDecoder refuses marker bytes outside printable ASCII", () => {
  const bad = [
    [0x00, 0x4f, 0x4e, 0x56, 0x3a],
    [0x43, 0x4f, 0x4e, 0x56, 0x0a],
    [0x43, 0x4f, 0xc3, 0xa9, 0x3a],
    [0x43, 0x4f, 0x4e, 0x56, 0x7f],
    [0xff, 0xff, 0xff, 0xff, 0xff],
  ];
  for (const marker of bad) {
    const bytes = new Uint8Array(HEADER_BYTES);
    bytes.set(marker, 0);
    assert.throws(
      () => new FrameDecoder(MAX).push(bytes),
      (error: unknown) => error instanceof FrameError && /bad frame marker/.test(error.message),
      `marker bytes ${marker}`,
    );
  }
});

Deno.test("FrameDecoder refuses a bad marker that follows good frames in the same read", () => {
  const decoder = new FrameDecoder(MAX);
  const garbage = new Uint8Array(HEADER_BYTES).fill(0x01);
  assert.throws(() => decoder.push(concat([SAMPLE_STREAM, garbage])), FrameError);
});

Deno.test("FrameDecoder refuses a limit that is not a non-negative safe integer", () => {
  for (const limit of [Infinity, NaN, -1, 1.5, 2 ** 60]) {
    assert.throws(() => new FrameDecoder(limit), RangeError, `limit ${limit}`);
  }
});

Deno.test("FrameDecoder with limit 0 accepts only empty payloads", () => {
  const decoder = new FrameDecoder(0);
  assert.deepEqual(asText(decoder.push(encodeFrame("PING:", new Uint8Array(0)))), ["PING:"]);
  assert.throws(() => decoder.push(encodeFrame("PING:", new Uint8Array(1))), FrameError);
});

Deno.test("FrameDecoder.next() yields one frame at a time, each header under the limit then in force", () => {
  const small = encodeFrame("ACPT:", text.encode("{}"));
  const big = encodeFrame("NOOP:", new Uint8Array(600).fill(0x61));
  const cases: Array<[string, number, number | null, string[] | RegExp]> = [
    ["limit raised after the first frame", 100, 1000, ["ACPT:{}", `NOOP:${"a".repeat(600)}`]],
    ["limit kept", 100, null, /NOOP: length 600 exceeds limit 100/],
    ["limit lowered after the first frame", 1000, 100, /NOOP: length 600 exceeds limit 100/],
  ];
  for (const [what, first, then, expected] of cases) {
    const decoder = new FrameDecoder(first);
    decoder.feed(concat([small, big]));
    const frames = [decoder.next()!];
    if (then !== null) decoder.maxPayloadBytes = then;
    if (expected instanceof RegExp) {
      assert.throws(
        () => decoder.next(),
        (e: unknown) => e instanceof FrameError && expected.test(e.message),
        what,
      );
      continue;
    }
    frames.push(decoder.next()!);
    assert.equal(decoder.next(), null, what);
    assert.deepEqual(asText(frames), expected, what);
  }
});

Deno.test("FrameDecoder copies a payload spread over reads into one buffer, counting it as buffered", () => {
  const payload = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
  const stream = encodeFrame("NOOP:", payload);
  for (const readBytes of [1, 7, 13, 14, 1000, 4096, 9_999]) {
    const decoder = new FrameDecoder(20_000);
    const frames: Frame[] = [];
    for (let at = 0; at < stream.length; at += readBytes) {
      frames.push(...decoder.push(stream.slice(at, at + readBytes)));
      const fed = Math.min(at + readBytes, stream.length);
      // The header is consumed once whole; the payload counts as buffered until complete.
      const held = fed === stream.length ? 0 : fed < HEADER_BYTES ? fed : fed - HEADER_BYTES;
      assert.equal(decoder.bufferedBytes, held, `reads of ${readBytes}`);
    }
    assert.equal(frames.length, 1, `reads of ${readBytes}`);
    assert.deepEqual(frames[0].payload, payload, `reads of ${readBytes}`);
    assert.equal(frames[0].payload.byteLength, frames[0].payload.buffer.byteLength, "one buffer");
  }
});

Deno.test("FrameDecoder hands out a payload that arrived whole in one read as a view of it", () => {
  const read = concat([
    encodeFrame("PING:", text.encode("one")),
    encodeFrame("PONG:", text.encode("two")),
  ]);
  const frames = new FrameDecoder(MAX).push(read);
  assert.deepEqual(asText(frames), ["PING:one", "PONG:two"]);
  for (const frame of frames) assert.equal(frame.payload.buffer, read.buffer);
});

Deno.test("FrameDecoder rejects a bad limit set later, keeping the one in force", () => {
  const decoder = new FrameDecoder(MAX);
  for (const limit of [Infinity, NaN, -1, 1.5]) {
    assert.throws(() => decoder.maxPayloadBytes = limit, RangeError, `limit ${limit}`);
  }
  assert.equal(decoder.maxPayloadBytes, MAX);
});
