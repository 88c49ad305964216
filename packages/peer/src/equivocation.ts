/**
 * Equivocation: two validly signed events with the same `(source, seq)` and different content
 * prove that the source cheated. The proof (`evidence`) is flooded once; every peer holding it
 * applies the same rule: that source's events from the disputed seq on count for nothing (they
 * are skipped when the timeline applies them, the timeline re-simulates from the earliest one
 * held, and later ones are dropped on arrival and never relayed). Honest peers holding the proof
 * therefore hold the same effective sequence again and converge, whichever version each saw.
 * Each peer keeps the proof it holds (one per excluded source, as long as the exclusion) and
 * hands it to every new neighbour once the link is authenticated, before any event or snapshot
 * it sends there: a peer that joins, restarts or comes back after the flood gets the proof too
 * and applies the same rule (re-simulating over any of the source's events it applied already).
 * The app is told through `peer:excluded` and an `EQUIVOCATION` error.
 * @internal
 */
import type { EvidenceFrame, WireEvent } from '@symmetric/codec';
import type { PeerContext } from './context.js';
import { PeerError } from './errors.js';
import { peerIdOf } from './identity.js';
import type { LinkEntry, LinkTable } from './links.js';
import type { Signer } from './signing.js';

/** What the exclusion rule needs of the rest of the peer. @internal */
export interface ExclusionHost<E> {
  /** Held (or pending) events of `source` with seq in [from, to], in seq order. */
  eventsOf(source: string, from: number, to: number): WireEvent<E>[];
  /** Re-simulate the timeline from `tick` (clamped to what it can reach). */
  resimulateFrom(tick: number): void;
}

/** The excluded sources, the proofs, and the rule. @internal */
export class Exclusions<S, E> {
  /** Per excluded source, the first seq that counts for nothing. */
  private readonly from = new Map<string, number>();
  /** Per excluded source, the proof of its exclusion from `from` (handed to new neighbours). */
  private readonly proofs = new Map<string, EvidenceFrame<E>>();
  private ctx: PeerContext<S, E> | undefined;
  private links: LinkTable<E> | undefined;
  private signer: Signer<E> | undefined;
  private host: ExclusionHost<E> | undefined;

  /** Wire the rule to the peer (the set exists before the timeline, which consults it). */
  bind(ctx: PeerContext<S, E>, links: LinkTable<E>, signer: Signer<E>, host: ExclusionHost<E>): void {
    this.ctx = ctx;
    this.links = links;
    this.signer = signer;
    this.host = host;
  }

  /** `true` when `(source, seq)` counts for nothing (its source equivocated at or below `seq`). */
  excluded(source: string, seq: number): boolean {
    if (this.from.size === 0) return false;
    const f = this.from.get(source);
    return f !== undefined && seq >= f;
  }

  /**
   * `link` just became a neighbour (its handshake proved its key): send it every proof held, so
   * that it applies the rule before any of the excluded sources' events reach it from us.
   */
  greet(link: LinkEntry<E>): void {
    if (this.proofs.size === 0) return;
    for (const proof of this.proofs.values()) this.ctx!.send(link, proof);
  }

  /** Excluded sources and the first seq excluded of each. */
  list(): ReadonlyMap<string, number> {
    return this.from;
  }

  /**
   * A copy of an event already known arrived from `link` (`undefined`: a broadcast channel): a
   * true copy (same tick and payload) is dropped; a copy whose content differs is either altered
   * on the way (its signature does not verify: the link is closed) or, validly signed, proof of
   * equivocation.
   */
  checkCopy(link: LinkEntry<E> | undefined, ev: WireEvent<E>): void {
    const signer = this.signer!;
    const sig = ev.signature;
    if (sig === undefined) return;
    const held = this.host!.eventsOf(ev.source, ev.seq, ev.seq)[0];
    if (held === undefined || held.signature === undefined || signer.sameContent(held, ev)) return;
    // Different content under the held signature: altered (a valid signature covers one content).
    if (sameBytes(held.signature, sig) || !signer.verify(ev)) {
      this.ctx!.stats.signaturesRejected++;
      this.badSignature(link, `event ${ev.source}#${ev.seq}`);
      return;
    }
    this.ctx!.stats.signaturesVerified++;
    this.prove(held, ev, link);
  }

  /** A neighbour's `evidence`: checked (both signatures, different content), then applied and passed on. */
  onEvidence(link: LinkEntry<E>, f: EvidenceFrame<E>): void {
    const [a, b] = f.events;
    if (this.excluded(a.source, a.seq)) return;
    const signer = this.signer!;
    if (!signer.enabled) return;
    if (signer.sameContent(a, b) || !signer.verify(a) || !signer.verify(b)) {
      this.ctx!.stats.signaturesRejected++;
      this.badSignature(link, `evidence about ${a.source}#${a.seq}`);
      return;
    }
    this.ctx!.stats.signaturesVerified += 2;
    this.prove(a, b, link);
  }

  private badSignature(link: LinkEntry<E> | undefined, what: string): void {
    if (link === undefined) {
      this.ctx!.report(
        new PeerError('BAD_SIGNATURE', `${what} from a broadcast channel: signature does not verify`),
      );
      return;
    }
    this.links!.linkError(
      link,
      new PeerError('BAD_SIGNATURE', `${what} from ${link.peerId}: signature does not verify`, {
        linkId: link.key,
        peerId: link.peerId,
      }),
      true,
    );
  }

  /** Apply the rule for the proven pair `a`, `b` and flood the proof to every other neighbour. */
  private prove(a: WireEvent<E>, b: WireEvent<E>, origin: LinkEntry<E> | undefined): void {
    const ctx = this.ctx!;
    const source = a.source;
    const seq = a.seq;
    const before = this.from.get(source);
    if (before !== undefined && before <= seq) return;
    this.from.set(source, seq);
    ctx.stats.equivocations++;
    const evidence: EvidenceFrame<E> = { type: 'evidence', events: [a, b] };
    this.proofs.set(source, evidence);
    for (const l of ctx.neighbours()) if (l !== origin) ctx.send(l, evidence);
    // The held events from `seq` on count for nothing now: re-simulate from the earliest.
    const held = this.host!.eventsOf(source, seq, Number.MAX_SAFE_INTEGER);
    let earliest = Math.min(a.tick, b.tick);
    for (const ev of held) if (ev.tick < earliest) earliest = ev.tick;
    this.host!.resimulateFrom(earliest);
    const peerId = peerIdOf(source);
    ctx.report(
      new PeerError(
        'EQUIVOCATION',
        `${source} signed two different events #${seq}: its events from #${seq} on are excluded`,
        { peerId },
      ),
    );
    ctx.events.emit('peer:excluded', { peerId, source, fromSeq: seq, reason: 'equivocation' });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
