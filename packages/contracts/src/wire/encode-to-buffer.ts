import { BinaryWriter } from '@bufbuild/protobuf/wire';

/** What ts-proto generates for every message: `encode(message, writer?)`. */
export interface MessageEncoder<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/** A writer whose buffer grew past this is dropped after use rather than kept for the next message. */
const keptWriterBytes = 64 * 1024;

/** Made on first use, not at import. */
let writer: BinaryWriter | undefined;

/**
 * Encodes a message into a Buffer for grpc-js, through one writer shared by every call.
 *
 * ts-proto's serializers build a new writer per message, grow it to fit (a 650-byte token takes
 * several doublings) and then copy the bytes twice: `finish()` slices them out and `Buffer.from`
 * copies the slice. Here the writer and its buffer are reused, and the slice `finish()` returns is
 * already a copy of its own, so the Buffer is a view of it. Encoding is synchronous, so a single
 * writer is never shared by two messages at once.
 */
export function encodeToBuffer<T>(type: MessageEncoder<T>, message: T): Buffer {
  let bytes: Uint8Array;
  try {
    writer ??= new BinaryWriter();
    bytes = type.encode(message, writer).finish();
  } catch (error) {
    // A value the writer refused (e.g. an int32 out of range) left it half-written.
    writer = undefined;
    throw error;
  }
  if (bytes.byteLength > keptWriterBytes) writer = undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
