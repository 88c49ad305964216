import { type PayloadCodec, rectangleKeyCodec } from '@symmetric/codec';
import type { RectangleKey } from '@symmetric/core';

/**
 * The codec's one-byte rectangle-key codec, typed for {@link RectangleKey}: it encodes and
 * decodes only 0..4 (anything else is a `BAD_PAYLOAD` codec error), so every value it yields is
 * a `RectangleKey`.
 */
export const keyCodec = rectangleKeyCodec as PayloadCodec<RectangleKey>;
