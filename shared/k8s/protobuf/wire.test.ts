import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors";
import { WIRE_TYPE, WireReader, type FieldTag } from "./wire";

function reader(...bytes: number[]): WireReader {
  return new WireReader(new Uint8Array(bytes), "Test");
}

/** Runs `fn`, expecting a 400 BadRequest ApiError; returns its message. */
function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    const err = e as ApiError;
    expect([err.code, err.reason]).toEqual([400, "BadRequest"]);
    return err.message;
  }
  throw new Error("expected a BadRequest");
}

const LEN1: FieldTag = { fieldNumber: 1, wireType: WIRE_TYPE.LEN };
const VARINT1: FieldTag = { fieldNumber: 1, wireType: WIRE_TYPE.VARINT };

describe("readVarint", () => {
  it.each([
    [[0x00], 0n],
    [[0x01], 1n],
    [[0x7f], 127n],
    [[0xac, 0x02], 300n],
    [[0x80, 0x80, 0x01], 16384n],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], 2n ** 64n - 1n],
    // A non-minimal encoding is still valid protobuf.
    [[0x81, 0x00], 1n],
  ])("%j → %s", (bytes, value) => {
    const r = reader(...bytes);
    expect(r.readVarint()).toBe(value);
    expect(r.done).toBe(true);
  });

  it.each([
    [[], "unable to decode protobuf body: Test: truncated varint (at byte 0)"],
    [[0x80], "unable to decode protobuf body: Test: truncated varint (at byte 0)"],
    [[0xff, 0xff, 0xff], "unable to decode protobuf body: Test: truncated varint (at byte 0)"],
    [
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
      "unable to decode protobuf body: Test: varint overflows 64 bits (at byte 0)",
    ],
    [
      [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
      "unable to decode protobuf body: Test: varint overflows 64 bits (at byte 0)",
    ],
  ])("%j is refused", (bytes, message) => {
    expect(badRequestMessage(() => reader(...bytes).readVarint())).toBe(message);
  });
});

describe("readTag", () => {
  it.each([
    [[0x08], { fieldNumber: 1, wireType: 0 }],
    [[0x11], { fieldNumber: 2, wireType: 1 }],
    [[0x1a], { fieldNumber: 3, wireType: 2 }],
    [[0x25], { fieldNumber: 4, wireType: 5 }],
    [[0x8a, 0x01], { fieldNumber: 17, wireType: 2 }],
    [[0xf8, 0xff, 0xff, 0xff, 0x0f], { fieldNumber: 2 ** 29 - 1, wireType: 0 }],
  ])("%j → %j", (bytes, tag) => {
    expect(reader(...bytes).readTag()).toEqual(tag);
  });

  it.each([
    [[0x00], "illegal tag 0 (wire type 0)"],
    [[0x02], "illegal tag 0 (wire type 2)"],
    [[0x0b], "unsupported wire type 3 (groups) for field 1"],
    [[0x0c], "unsupported wire type 4 (groups) for field 1"],
    [[0x0e], "illegal wire type 6 for field 1"],
    [[0x0f], "illegal wire type 7 for field 1"],
    [[0x80, 0x80, 0x80, 0x80, 0x10], "field number out of range"],
  ])("%j is refused: %s", (bytes, problem) => {
    expect(badRequestMessage(() => reader(...bytes).readTag())).toBe(
      `unable to decode protobuf body: Test: ${problem} (at byte 0)`,
    );
  });
});

describe("fixed-width values", () => {
  it("reads little-endian 64-bit and 32-bit values", () => {
    const r = reader(0x01, 0, 0, 0, 0, 0, 0, 0x80, 0x78, 0x56, 0x34, 0x12);
    expect(r.readFixed64()).toBe(2n ** 63n + 1n);
    expect(r.readFixed32()).toBe(0x12345678);
    expect(r.done).toBe(true);
  });

  it("refuses truncated values", () => {
    expect(badRequestMessage(() => reader(1, 2, 3, 4, 5, 6, 7).readFixed64())).toBe(
      "unable to decode protobuf body: Test: truncated 64-bit value: need 8 bytes, 7 left (at byte 0)",
    );
    expect(badRequestMessage(() => reader(1, 2, 3).readFixed32())).toBe(
      "unable to decode protobuf body: Test: truncated 32-bit value: need 4 bytes, 3 left (at byte 0)",
    );
  });

  it("reads a subarray at a non-zero byteOffset", () => {
    const backing = new Uint8Array([9, 9, 9, 0x78, 0x56, 0x34, 0x12]);
    expect(new WireReader(backing.subarray(3), "Test").readFixed32()).toBe(0x12345678);
  });
});

describe("length-delimited values", () => {
  it("reads strings, bytes and nested messages with absolute offsets", () => {
    const r = reader(0x03, 0x66, 0x6f, 0x6f, 0x02, 0xff, 0x00, 0x02, 0x08, 0x96);
    expect(r.readString(LEN1)).toBe("foo");
    expect([...r.readBytes(LEN1)]).toEqual([0xff, 0x00]);
    const inner = r.readMessage(LEN1, "Inner");
    expect(r.done).toBe(true);
    expect(inner.offset).toBe(8);
    expect(inner.readTag()).toEqual({ fieldNumber: 1, wireType: 0 });
    expect(badRequestMessage(() => inner.readVarint())).toBe(
      "unable to decode protobuf body: Inner: truncated varint (at byte 9)",
    );
  });

  it("keeps a leading byte-order mark and decodes multi-byte UTF-8", () => {
    expect(reader(0x06, 0xef, 0xbb, 0xbf, 0xc3, 0xa9, 0x78).readString(LEN1)).toBe("\ufeffé" + "x");
  });

  it.each([
    [[0x05, 0x61, 0x62], "length 5 runs past the end of the message (2 bytes left) (at byte 0)"],
    [[0x80], "truncated varint (at byte 0)"],
    [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], "length 18446744073709551615 runs past the end of the message (0 bytes left) (at byte 0)"],
    [[0x02, 0xc3, 0x28], "field 1 is not valid UTF-8 (at byte 0)"],
  ])("%j is refused: %s", (bytes, problem) => {
    expect(badRequestMessage(() => reader(...bytes).readString(LEN1))).toBe(
      `unable to decode protobuf body: Test: ${problem}`,
    );
  });

  it("does not read past the end of a nested message into its parent", () => {
    // Outer: field 1 = LEN 1 [0x80]; then a byte that would complete the varint if bounds leaked.
    const outer = reader(0x01, 0x80, 0x01);
    const inner = outer.readMessage(LEN1, "Inner");
    expect(badRequestMessage(() => inner.readVarint())).toBe(
      "unable to decode protobuf body: Inner: truncated varint (at byte 1)",
    );
  });
});

describe("typed scalar reads", () => {
  it("reads int64 two's complement and bools", () => {
    const r = reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x96, 0x01, 0x00, 0x02);
    expect(r.readInt64(VARINT1)).toBe(-1);
    expect(r.readInt64(VARINT1)).toBe(150);
    expect(r.readBool(VARINT1)).toBe(false);
    expect(r.readBool(VARINT1)).toBe(true);
  });

  it("refuses int64 values a JSON number cannot hold exactly", () => {
    // 2^53 = 0x20000000000000
    const r = reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10);
    expect(badRequestMessage(() => r.readInt64(VARINT1))).toBe(
      "unable to decode protobuf body: Test: field 1 value 9007199254740992 is outside the range of a JSON integer (at byte 0)",
    );
  });

  it.each([
    [() => reader(0x01).readString(VARINT1), "wrong wire type 0 (varint) for field 1, expected 2 (length-delimited)"],
    [() => reader(0x01).readMessage(VARINT1, "X"), "wrong wire type 0 (varint) for field 1, expected 2 (length-delimited)"],
    [() => reader(0x01).readInt64(LEN1), "wrong wire type 2 (length-delimited) for field 1, expected 0 (varint)"],
    [
      () => reader(0x01).readBool({ fieldNumber: 6, wireType: WIRE_TYPE.I32 }),
      "wrong wire type 5 (32-bit) for field 6, expected 0 (varint)",
    ],
  ])("refuses a wrong wire type (%#)", (fn, problem) => {
    expect(badRequestMessage(fn)).toBe(`unable to decode protobuf body: Test: ${problem} (at byte 0)`);
  });
});

describe("skip", () => {
  it("skips one value of each wire type", () => {
    const r = reader(
      0x08, 0xac, 0x02, // 1: varint
      0x11, 1, 2, 3, 4, 5, 6, 7, 8, // 2: 64-bit
      0x1a, 0x02, 0x61, 0x62, // 3: length-delimited
      0x25, 1, 2, 3, 4, // 4: 32-bit
    );
    const seen: number[] = [];
    while (!r.done) {
      const tag = r.readTag();
      seen.push(tag.fieldNumber);
      r.skip(tag);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it.each([
    [[0x11, 1, 2, 3], "truncated 64-bit value: need 8 bytes, 3 left (at byte 1)"],
    [[0x1a, 0x09, 0x61], "length 9 runs past the end of the message (1 bytes left) (at byte 1)"],
    [[0x25, 1], "truncated 32-bit value: need 4 bytes, 1 left (at byte 1)"],
    [[0x08], "truncated varint (at byte 1)"],
  ])("refuses a truncated field %j", (bytes, problem) => {
    const r = reader(...bytes);
    expect(badRequestMessage(() => r.skip(r.readTag()))).toBe(`unable to decode protobuf body: Test: ${problem}`);
  });

  it("skipFields walks a whole message and checks its framing", () => {
    const ok = reader(0x08, 0x01, 0x12, 0x01, 0x61);
    ok.skipFields();
    expect(ok.done).toBe(true);
    expect(badRequestMessage(() => reader(0x08, 0x01, 0x12, 0x02, 0x61).skipFields())).toBe(
      "unable to decode protobuf body: Test: length 2 runs past the end of the message (1 bytes left) (at byte 3)",
    );
  });

  it("terminates with a result or a BadRequest on any input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = new WireReader(bytes, "Fuzz");
        try {
          while (!r.done) r.skip(r.readTag());
        } catch (e) {
          expect(e).toBeInstanceOf(ApiError);
          expect((e as ApiError).code).toBe(400);
        }
      }),
    );
  });
});

describe("constructor", () => {
  it("refuses bounds outside the buffer", () => {
    expect(badRequestMessage(() => new WireReader(new Uint8Array(2), "Test", 0, 3))).toBe(
      "unable to decode protobuf body: Test: invalid bounds [0, 3) for 2 bytes",
    );
  });
});
