/**
 * Delivery turns of a loopback network: the transports that received frames in the current
 * turn (one instant of virtual time, one pump of real time), each told `onTurnEnd` once when
 * the turn is over.
 */
import type { LoopbackTransport } from './transport.js';

/** The transports with frames delivered in the current turn, in the order of their first frame. */
export class Turns {
  private readonly open: LoopbackTransport[] = [];

  /** Whether some transport received a frame in the current turn. */
  get pending(): boolean {
    return this.open.length > 0;
  }

  /** `t` received a frame in the current turn (noted once; only handlers that take turn ends). */
  note(t: LoopbackTransport): void {
    if (t.inTurn || t.handler?.onTurnEnd === undefined) return;
    t.inTurn = true;
    this.open.push(t);
  }

  /** Ends the turn: `onTurnEnd` of each transport noted, in order; `threw` gets a handler's throw. */
  end(threw: (t: LoopbackTransport, error: unknown) => void): void {
    const open = this.open;
    for (let i = 0; i < open.length; i++) {
      const t = open[i]!;
      t.inTurn = false;
      try {
        t.handler?.onTurnEnd?.();
      } catch (error) {
        threw(t, error);
      }
    }
    open.length = 0;
  }
}
