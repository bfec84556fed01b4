/**
 * @module
 * Credit windows, one per stream and direction (HTTP/2's and SPDY/3.1's
 * flow control): a sender sends no more than the credit its peer granted,
 * and the peer grants more only as its consumer takes bytes away. A reader
 * that stops reading therefore stops only its own stream: the tunnel never
 * carries bytes nobody has room for, so it never has to stop for them.
 */

/** Credit each side starts with, per stream and direction. */
export const INITIAL_WINDOW = 256 * 1024;

/** The sender's side: the bytes it may still send. */
export class SendWindow {
  private credit: number;

  constructor(initial = INITIAL_WINDOW) {
    this.credit = initial;
  }

  /** Bytes that may be sent now. */
  get available(): number {
    return this.credit;
  }

  /** Spends up to `wanted` bytes of credit; returns how many were granted. */
  take(wanted: number): number {
    const n = Math.min(wanted, this.credit);
    this.credit -= n;
    return n;
  }

  /** The peer granted more. */
  grant(bytes: number): void {
    this.credit = Math.min(this.credit + bytes, 2 ** 31);
  }
}

/** The receiver's side: what the peer may still send, and consumed bytes not yet granted back. */
export class ReceiveWindow {
  private remaining: number;
  private consumedSinceGrant = 0;

  constructor(private readonly size = INITIAL_WINDOW) {
    this.remaining = size;
  }

  /** Counts received bytes; false when the peer sent more than its credit (a protocol error). */
  receive(bytes: number): boolean {
    this.remaining -= bytes;
    return this.remaining >= 0;
  }

  /**
   * The consumer took `bytes` away. Returns the credit to grant the peer now,
   * or 0: grants are batched until half a window was consumed, so small
   * reads do not cost a frame each.
   */
  consumed(bytes: number): number {
    this.consumedSinceGrant += bytes;
    if (this.consumedSinceGrant < this.size / 2) return 0;
    const grant = this.consumedSinceGrant;
    this.consumedSinceGrant = 0;
    this.remaining += grant;
    return grant;
  }
}
