/** Slots a lane starts with (a power of two). */
const FIRST_CAPACITY = 1024;
/** A lane that empties while holding more slots than this gives the room back. */
const KEEP_CAPACITY = 1 << 16;

/**
 * The network's fast lane: events of every link direction in one ring buffer, in schedule
 * order, taking only events due no earlier than the last one it holds, so it stays sorted by
 * `(at, seq)` without any sifting. With a latency that does not vary (the common case of a
 * large simulated room) every frame fits, and queueing or delivering one writes or reads a
 * slot of four flat arrays. Events that do not fit go to the link direction's channel and the
 * heap; delivery takes whichever of the lane's head and the heap's top comes first by
 * `(at, seq)`, so the order is exactly that of the heap alone. A payload is a frame's bytes or
 * a close's reason (a string).
 */
export class Lane<Target> {
  private ats = new Float64Array(FIRST_CAPACITY);
  private seqs = new Float64Array(FIRST_CAPACITY);
  private targets: (Target | undefined)[] = emptySlots(FIRST_CAPACITY);
  private payloads: (Uint8Array | string | undefined)[] = emptySlots(FIRST_CAPACITY);
  private mask = FIRST_CAPACITY - 1;
  private head = 0;
  private count = 0;
  /** Due time of the last event held (valid while non-empty). */
  private tailAt = 0;

  /** Number of events held. */
  get size(): number {
    return this.count;
  }

  /** Whether an event due at `at` (scheduled after every event held) keeps the lane sorted. */
  accepts(at: number): boolean {
    return this.count === 0 || at >= this.tailAt;
  }

  /** Appends an event; the caller checked {@link accepts} and `seq` grows from call to call. */
  push(at: number, seq: number, target: Target, payload: Uint8Array | string): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count++) & this.mask;
    this.ats[i] = at;
    this.seqs[i] = seq;
    this.targets[i] = target;
    this.payloads[i] = payload;
    this.tailAt = at;
  }

  /** Due time of the head event (`+Infinity` when empty). */
  headAt(): number {
    return this.count > 0 ? this.ats[this.head]! : Number.POSITIVE_INFINITY;
  }

  /** Schedule order of the head event (`+Infinity` when empty). */
  headSeq(): number {
    return this.count > 0 ? this.seqs[this.head]! : Number.POSITIVE_INFINITY;
  }

  /** Receiving end of the head event (valid while non-empty). */
  headTarget(): Target {
    return this.targets[this.head]!;
  }

  /** Payload of the head event (valid while non-empty). */
  headPayload(): Uint8Array | string {
    return this.payloads[this.head]!;
  }

  /** Drops the head event (the lane must not be empty). */
  shift(): void {
    const h = this.head;
    this.targets[h] = undefined;
    this.payloads[h] = undefined;
    if (--this.count === 0) {
      this.head = 0;
      if (this.mask >= KEEP_CAPACITY) this.reset(FIRST_CAPACITY);
    } else this.head = (h + 1) & this.mask;
  }

  /** Calls `fn` with the receiving end of each event held, head first. */
  forEachTarget(fn: (target: Target) => void): void {
    for (let k = 0; k < this.count; k++) fn(this.targets[(this.head + k) & this.mask]!);
  }

  /** Doubles the room, unrolling the ring so the head sits at slot 0. */
  private grow(): void {
    const { ats, seqs, targets, payloads, head, count, mask } = this;
    this.reset(2 * (mask + 1));
    for (let k = 0; k < count; k++) {
      const from = (head + k) & mask;
      this.ats[k] = ats[from]!;
      this.seqs[k] = seqs[from]!;
      this.targets[k] = targets[from];
      this.payloads[k] = payloads[from];
    }
  }

  private reset(capacity: number): void {
    this.ats = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.targets = emptySlots(capacity);
    this.payloads = emptySlots(capacity);
    this.mask = capacity - 1;
    this.head = 0;
  }
}

/** An array of `n` empty slots (filled, so the engine keeps it packed). */
function emptySlots<T>(n: number): (T | undefined)[] {
  return new Array<T | undefined>(n).fill(undefined);
}
