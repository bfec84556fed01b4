/**
 * @module
 * A minimal, bounds-checked reader for the protocol buffers wire format, as
 * far as Kubernetes' gogo-generated messages use it: varint, 64-bit,
 * length-delimited and 32-bit fields (no groups). Every malformed input ends
 * in a 400 BadRequest {@link ApiError}; every read consumes at least one byte
 * or throws, so a decode loop over a reader always terminates.
 *
 * @see https://protobuf.dev/programming-guides/encoding/
 */
import { badRequest, type ApiError } from "../errors";

/** The wire types a field tag can carry (3 and 4, the deprecated groups, are refused). */
export const WIRE_TYPE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** One of {@link WIRE_TYPE}. */
export type WireType = (typeof WIRE_TYPE)[keyof typeof WIRE_TYPE];

/** A decoded field key: the field number and how its value is encoded. */
export interface FieldTag {
  fieldNumber: number;
  wireType: WireType;
}

const WIRE_TYPE_NAMES: Record<WireType, string> = { 0: "varint", 1: "64-bit", 2: "length-delimited", 5: "32-bit" };

/** The largest field number protobuf allows (2^29 - 1). */
const MAX_FIELD_NUMBER = 0x1fffffff;

/** A varint takes at most 10 bytes for 64 bits; the 10th may only carry the top bit. */
const MAX_VARINT_BYTES = 10;

// fatal: refuse invalid UTF-8 rather than silently replacing it; ignoreBOM: keep a
// leading U+FEFF as Go's string conversion does instead of stripping it.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads the fields of one protobuf message in `bytes[start, end)`. Offsets in
 * error messages are absolute positions in the request body, and `message`
 * (e.g. "ObjectMeta") names the message being read, as gogo's errors do.
 */
export class WireReader {
  private pos: number;
  /** Where the last field key started: errors about a field's type point at its key. */
  private tagAt: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly message: string,
    start = 0,
    private readonly end = bytes.length,
  ) {
    if (start < 0 || end > bytes.length || start > end) {
      throw badRequest(`unable to decode protobuf body: ${message}: invalid bounds [${start}, ${end}) for ${bytes.length} bytes`);
    }
    this.pos = start;
    this.tagAt = start;
  }

  /** True once every byte of the message has been read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** The absolute position of the next byte to read. */
  get offset(): number {
    return this.pos;
  }

  /** Reads a field key; refuses field number 0, numbers above 2^29-1 and unknown or group wire types. */
  readTag(): FieldTag {
    const at = this.pos;
    this.tagAt = at;
    const key = this.readVarint();
    if (key > BigInt(MAX_FIELD_NUMBER) * 8n + 7n) throw this.fail(`field number out of range`, at);
    const fieldNumber = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (fieldNumber === 0) throw this.fail(`illegal tag 0 (wire type ${wireType})`, at);
    if (wireType === 3 || wireType === 4) {
      throw this.fail(`unsupported wire type ${wireType} (groups) for field ${fieldNumber}`, at);
    }
    if (!isWireType(wireType)) throw this.fail(`illegal wire type ${wireType} for field ${fieldNumber}`, at);
    return { fieldNumber, wireType };
  }

  /** Reads a base-128 varint as an unsigned 64-bit value. */
  readVarint(): bigint {
    const at = this.pos;
    let value = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.pos >= this.end) throw this.fail(`truncated varint`, at);
      const byte = this.bytes[this.pos++] ?? 0;
      if (i === MAX_VARINT_BYTES - 1 && byte > 1) throw this.fail(`varint overflows 64 bits`, at);
      value |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if (byte < 0x80) return value;
    }
    throw this.fail(`varint overflows 64 bits`, at);
  }

  /** Reads 8 little-endian bytes as an unsigned 64-bit value. */
  readFixed64(): bigint {
    const at = this.take(8, "64-bit value");
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 8).getBigUint64(0, true);
  }

  /** Reads 4 little-endian bytes as an unsigned 32-bit value. */
  readFixed32(): number {
    const at = this.take(4, "32-bit value");
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + at, 4).getUint32(0, true);
  }

  /** Reads a length prefix and returns the absolute bounds `[start, end)` of the payload that follows. */
  readLengthDelimited(): [number, number] {
    const at = this.pos;
    const length = this.readVarint();
    if (length > BigInt(this.end - this.pos)) {
      throw this.fail(`length ${length} runs past the end of the message (${this.end - this.pos} bytes left)`, at);
    }
    const start = this.take(Number(length), "length-delimited value");
    return [start, this.pos];
  }

  /** Reads a length-delimited field's payload; the result shares memory with the body. */
  readBytes(tag: FieldTag): Uint8Array {
    this.expect(tag, WIRE_TYPE.LEN);
    const [start, end] = this.readLengthDelimited();
    return this.bytes.subarray(start, end);
  }

  /** Reads a length-delimited field as UTF-8 text. */
  readString(tag: FieldTag): string {
    const raw = this.readBytes(tag);
    try {
      return UTF8.decode(raw);
    } catch {
      throw this.fail(`field ${tag.fieldNumber} is not valid UTF-8`, this.tagAt);
    }
  }

  /** Reads an embedded message field and returns a reader over just its bytes. */
  readMessage(tag: FieldTag, message: string): WireReader {
    this.expect(tag, WIRE_TYPE.LEN);
    const [start, end] = this.readLengthDelimited();
    return new WireReader(this.bytes, message, start, end);
  }

  /** A fresh reader over this reader's unread bytes under another message name (for a payload whose type is learnt later). */
  withMessage(message: string): WireReader {
    return new WireReader(this.bytes, message, this.pos, this.end);
  }

  /** Reads a varint field as a signed 64-bit integer (Go int64); refuses values JSON numbers cannot hold exactly. */
  readInt64(tag: FieldTag): number {
    this.expect(tag, WIRE_TYPE.VARINT);
    const value = BigInt.asIntN(64, this.readVarint());
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw this.fail(`field ${tag.fieldNumber} value ${value} is outside the range of a JSON integer`, this.tagAt);
    }
    return Number(value);
  }

  /** Reads a varint field as a bool: any non-zero value is true, as in Go's generated code. */
  readBool(tag: FieldTag): boolean {
    this.expect(tag, WIRE_TYPE.VARINT);
    return this.readVarint() !== 0n;
  }

  /** Skips the value of a field this decoder does not interpret, checking it lies within the message. */
  skip(tag: FieldTag): void {
    switch (tag.wireType) {
      case WIRE_TYPE.VARINT:
        this.readVarint();
        return;
      case WIRE_TYPE.I64:
        this.take(8, "64-bit value");
        return;
      case WIRE_TYPE.LEN:
        this.readLengthDelimited();
        return;
      case WIRE_TYPE.I32:
        this.take(4, "32-bit value");
        return;
    }
  }

  /** Walks and skips every remaining field: checks the framing of a message whose content is not kept. */
  skipFields(): void {
    while (!this.done) this.skip(this.readTag());
  }

  /** A 400 BadRequest naming this message and a byte offset. */
  fail(problem: string, at = this.pos): ApiError {
    return badRequest(`unable to decode protobuf body: ${this.message}: ${problem} (at byte ${at})`);
  }

  private expect(tag: FieldTag, wireType: WireType): void {
    if (tag.wireType !== wireType) {
      throw this.fail(
        `wrong wire type ${tag.wireType} (${WIRE_TYPE_NAMES[tag.wireType]}) for field ${tag.fieldNumber}, ` +
          `expected ${wireType} (${WIRE_TYPE_NAMES[wireType]})`,
        this.tagAt,
      );
    }
  }

  /** Advances over `count` bytes and returns where they start. */
  private take(count: number, what: string): number {
    const at = this.pos;
    if (count > this.end - this.pos) throw this.fail(`truncated ${what}: need ${count} bytes, ${this.end - this.pos} left`, at);
    this.pos += count;
    return at;
  }
}

function isWireType(n: number): n is WireType {
  return n === 0 || n === 1 || n === 2 || n === 5;
}
