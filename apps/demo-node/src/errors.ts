/** Machine-readable codes of {@link DemoError}. */
export type DemoErrorCode =
  /** A command-line option or API option is out of range or malformed. */
  | 'INVALID_OPTION'
  /** A peer could not be started (listen failed, transport failed to start). */
  | 'START_FAILED'
  /** The peers did not all become `live` in time. */
  | 'NOT_LIVE';

/** Error raised by the demo for bad options or a failed start; `code` says which. */
export class DemoError extends Error {
  /** Machine-readable reason. */
  readonly code: DemoErrorCode;
  /** The option at fault, for `INVALID_OPTION`. */
  readonly option: string | undefined;

  constructor(code: DemoErrorCode, message: string, options: { option?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DemoError';
    this.code = code;
    this.option = options.option;
  }
}

/** True if `e` is a {@link DemoError}. */
export function isDemoError(e: unknown): e is DemoError {
  return e instanceof DemoError;
}
