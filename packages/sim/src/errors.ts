/** Machine-readable reason of a {@link ScenarioError}. */
export type ScenarioErrorCode =
  /** The text is not JSON at all. */
  | 'BAD_JSON'
  /** A required field is absent. */
  | 'MISSING_FIELD'
  /** A field the format does not define (typos are caught here instead of being ignored). */
  | 'UNKNOWN_FIELD'
  /** A field has the wrong JSON type (string where a number belongs, ...). */
  | 'WRONG_TYPE'
  /** A field has the right type but a value outside its range or set. */
  | 'OUT_OF_RANGE'
  /** Fields that are each valid but contradict each other (edges and topology, warm-up longer than the run, ...). */
  | 'INCONSISTENT'
  /** The scenario asks for something the runner cannot do (unknown app without `options.app`, ...). */
  | 'UNSUPPORTED'
  /** More peers than the simulator runs (see `MAX_RUN_PEERS`). */
  | 'TOO_LARGE';

/**
 * The one error `parseScenario` and `runScenario` raise for a bad scenario. `field` names the
 * offending field as a JSON path (`latency.sdMs`, `partitions[1].groups[0][2]`), so a program
 * can point at it and a person can fix it.
 */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** What is wrong, for programs. */
  readonly code: ScenarioErrorCode;
  /** JSON path of the offending field (`''` for the document itself). */
  readonly field: string;

  constructor(code: ScenarioErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(
      field === '' ? message : `${field}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.field = field;
  }
}

/** `true` when `value` is a {@link ScenarioError} (also across bundled copies of this package). */
export function isScenarioError(value: unknown): value is ScenarioError {
  return (
    value instanceof Error &&
    (value as { name?: unknown }).name === 'ScenarioError' &&
    'code' in value &&
    'field' in value
  );
}
