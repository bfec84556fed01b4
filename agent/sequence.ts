/**
 * @module
 * Observation sequence numbers: the webhook ignores a report not newer than
 * the last applied one for that object, so they must increase strictly for
 * the life of the host, across agent restarts. `Date.now() * 1000 + counter`
 * does that as long as the clock does not go back; the high-water mark kept
 * on shutdown covers a restart within the same millisecond range after a burst.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** Strictly increasing integers, seeded from the wall clock. */
export class Sequence {
  private last: number;

  /** @param floor a value every future number exceeds (the saved high-water mark). */
  constructor(floor = 0, private readonly now: () => number = Date.now) {
    this.last = Math.max(floor, 0);
  }

  /** The next number: above the last one and at least now·1000. */
  next(): number {
    this.last = Math.max(this.last + 1, this.now() * 1000);
    return this.last;
  }

  /** The last number handed out. */
  get current(): number {
    return this.last;
  }
}

/** Reads a saved high-water mark (0 when there is none or it is unreadable). */
export function loadSequenceFloor(file: string): number {
  if (!existsSync(file)) return 0;
  const n = Number(readFileSync(file, "utf8").trim());
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/** Saves the high-water mark. */
export function saveSequenceFloor(file: string, sequence: Sequence): void {
  writeFileSync(file, `${sequence.current}\n`, { mode: 0o600 });
}
