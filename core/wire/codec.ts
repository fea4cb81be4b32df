import { encodeJsonFrame, type Frame } from "./frame.ts";
import { FrameError } from "./decoder.ts";
import { type Marker, type Message, type PayloadOf, schemas } from "./messages/index.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function isMarker(marker: string): marker is Marker {
  return Object.hasOwn(schemas, marker);
}

/** Encodes a typed message as one frame. */
export function encodeMessage<M extends Marker>(marker: M, payload: PayloadOf<M>): Uint8Array {
  return encodeJsonFrame(marker, payload);
}

/**
 * Turns a raw frame into a validated message. Unknown markers, bad UTF-8, invalid JSON and
 * payloads failing their schema all throw FrameError: the link closes with that reason.
 */
export function decodeMessage(frame: Frame): Message {
  if (!isMarker(frame.marker)) throw new FrameError(`unknown marker ${JSON.stringify(frame.marker)}`);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(frame.payload));
  } catch (error) {
    throw new FrameError(`${frame.marker} payload is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const parsed = schemas[frame.marker].safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FrameError(
      `${frame.marker} payload invalid at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  return { marker: frame.marker, payload: parsed.data } as Message;
}
