/**
 * Just enough DER (ITU-T X.690) to write a node's certificate: definite lengths, the few
 * universal types it uses, and context tags. Writing only: certificates are read with the
 * runtime's own X.509 code.
 */

/** One TLV: `tag`, the length in DER's shortest form, then the contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((sum, part) => sum + part.length, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) {
    lengthBytes.push(length);
  } else {
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
      lengthBytes.unshift(rest % 256);
    }
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let offset = 1 + lengthBytes.length;
  for (const part of contents) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const ascii = (text: string) => new TextEncoder().encode(text);

export const sequence = (...items: Uint8Array[]) => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]) => tlv(0x31, ...items);
/** A small non-negative INTEGER (serial numbers, versions). */
export const smallInteger = (value: number) => tlv(0x02, Uint8Array.of(value));
export const boolean = (value: boolean) => tlv(0x01, Uint8Array.of(value ? 0xff : 0));
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
/** A BIT STRING of whole bytes (no unused bits). */
export const bitString = (bytes: Uint8Array) => tlv(0x03, Uint8Array.of(0), bytes);
export const printableString = (text: string) => tlv(0x13, ascii(text));
/** `YYMMDDHHMMSSZ` */
export const utcTime = (text: string) => tlv(0x17, ascii(text));
/** `YYYYMMDDHHMMSSZ` */
export const generalizedTime = (text: string) => tlv(0x18, ascii(text));
/** Constructed context tag `[n]` (EXPLICIT). */
export const explicit = (n: number, ...items: Uint8Array[]) => tlv(0xa0 | n, ...items);
/** Primitive context tag `[n]` (IMPLICIT over a primitive type). */
export const implicit = (n: number, bytes: Uint8Array) => tlv(0x80 | n, bytes);

/** An OBJECT IDENTIFIER from its dotted form. */
export function objectIdentifier(dotted: string): Uint8Array {
  const [first, second, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) {
      base128.unshift(0x80 | (value & 0x7f));
    }
    bytes.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}
