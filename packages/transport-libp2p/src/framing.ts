/**
 * Frames on a libp2p stream: the codec's unsigned-LEB128 length prefix (`lengthPrefix` to write,
 * `LengthPrefixedReader` to read), with the reader's failures turned into the transport's error
 * codes. Zero-length frames are allowed; a declared length above the limit is refused before any
 * of its body is buffered.
 */
import { isCodecError, LengthPrefixedReader } from '@symmetric/codec';
import { TransportError } from '@symmetric/transport';

/** What a libp2p stream delivers: a `Uint8Array` or a `Uint8ArrayList`. */
export type StreamChunk = Uint8Array | { subarray(): Uint8Array; readonly byteLength: number };

/**
 * Splits the bytes of one stream back into frames, whatever the chunking. Throws
 * {@link TransportError} `FRAME_TOO_LARGE` for a declared length above the limit and `PROTOCOL`
 * for a malformed length prefix; after a throw the stream is out of step and must be closed.
 */
export class StreamFrameReader {
  private readonly reader: LengthPrefixedReader;
  private readonly maxFrameBytes: number;

  /** @param maxFrameBytes Largest frame accepted. */
  constructor(maxFrameBytes: number) {
    // Frame lengths are whole numbers: a fractional limit admits exactly the frames its floor does.
    this.maxFrameBytes = Math.min(Math.floor(maxFrameBytes), Number.MAX_SAFE_INTEGER);
    this.reader = new LengthPrefixedReader({ maxFrameBytes: this.maxFrameBytes });
  }

  /** Bytes received but not yet returned as frames. */
  get pending(): number {
    return this.reader.buffered;
  }

  /** Adds `chunk` and returns every frame it completes (each a fresh copy), in order. */
  push(chunk: StreamChunk): Uint8Array[] {
    try {
      return this.reader.push(chunk instanceof Uint8Array ? chunk : chunk.subarray());
    } catch (error) {
      if (isCodecError(error) && error.code === 'TOO_LARGE') {
        throw new TransportError(
          'FRAME_TOO_LARGE',
          `incoming frame length exceeds the limit of ${this.maxFrameBytes} bytes`,
          { cause: error },
        );
      }
      throw new TransportError(
        'PROTOCOL',
        `malformed frame length prefix: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}
