/**
 * @module
 * A simulated VM's VNC server: RFB 3.8 (RFC 6143) with security type None,
 * a fixed 320×240 true-colour framebuffer, and a full frame (one Raw
 * rectangle of a test pattern) for every non-incremental update request.
 * Client messages are parsed by their fixed sizes and otherwise ignored.
 */
import { Duplex } from "node:stream";

export const VNC_WIDTH = 320;
export const VNC_HEIGHT = 240;

/** ServerInit's pixel format: 32 bpp, depth 24, little-endian, true colour, RGB at shifts 16/8/0. */
function pixelFormat(): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(32, 0);
  b.writeUInt8(24, 1);
  b.writeUInt8(0, 2);
  b.writeUInt8(1, 3);
  b.writeUInt16BE(255, 4);
  b.writeUInt16BE(255, 6);
  b.writeUInt16BE(255, 8);
  b.writeUInt8(16, 10);
  b.writeUInt8(8, 11);
  b.writeUInt8(0, 12);
  return b;
}

function frame(): Buffer {
  const header = Buffer.alloc(4 + 12);
  header.writeUInt8(0, 0); // FramebufferUpdate
  header.writeUInt16BE(1, 2); // one rectangle
  header.writeUInt16BE(0, 4);
  header.writeUInt16BE(0, 6);
  header.writeUInt16BE(VNC_WIDTH, 8);
  header.writeUInt16BE(VNC_HEIGHT, 10);
  header.writeInt32BE(0, 12); // Raw
  const pixels = Buffer.alloc(VNC_WIDTH * VNC_HEIGHT * 4);
  for (let y = 0; y < VNC_HEIGHT; y++) {
    for (let x = 0; x < VNC_WIDTH; x++) pixels.writeUInt32LE(((x * 255) / VNC_WIDTH) << 16 | ((y * 255) / VNC_HEIGHT) << 8 | 0x80, (y * VNC_WIDTH + x) * 4);
  }
  return Buffer.concat([header, pixels]);
}

/** Sizes of the client messages after the handshake, by type (0 for the variable ones, handled apart). */
const FIXED: Record<number, number> = { 0: 20, 3: 10, 4: 8, 5: 6 };

/** A VNC session for the VM `name`. */
export function simulatedVnc(name: string): Duplex {
  let state: "version" | "security" | "init" | "normal" = "version";
  let buf = Buffer.alloc(0);
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, callback) {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (state === "version") {
          if (buf.length < 12) break;
          buf = buf.subarray(12);
          duplex.push(Buffer.from([1, 1])); // one security type: None
          state = "security";
        } else if (state === "security") {
          if (buf.length < 1) break;
          buf = buf.subarray(1);
          duplex.push(Buffer.from([0, 0, 0, 0])); // SecurityResult OK
          state = "init";
        } else if (state === "init") {
          if (buf.length < 1) break;
          buf = buf.subarray(1); // ClientInit's shared flag
          const nameBytes = Buffer.from(name);
          const init = Buffer.alloc(4);
          init.writeUInt16BE(VNC_WIDTH, 0);
          init.writeUInt16BE(VNC_HEIGHT, 2);
          const len = Buffer.alloc(4);
          len.writeUInt32BE(nameBytes.length, 0);
          duplex.push(Buffer.concat([init, pixelFormat(), len, nameBytes]));
          state = "normal";
        } else {
          const type = buf[0];
          if (type === undefined) break;
          let size = FIXED[type];
          if (type === 2) size = buf.length >= 4 ? 4 + 4 * buf.readUInt16BE(2) : undefined; // SetEncodings
          if (type === 6) size = buf.length >= 8 ? 8 + buf.readUInt32BE(4) : undefined; // ClientCutText
          if (size === undefined) {
            if (type === 2 || type === 6) break;
            buf = Buffer.alloc(0); // unknown message: nothing more can be parsed
            break;
          }
          if (buf.length < size) break;
          if (type === 3 && buf[1] === 0) duplex.push(frame()); // non-incremental FramebufferUpdateRequest
          buf = buf.subarray(size);
        }
      }
      callback();
    },
    final(callback) {
      duplex.push(null);
      callback();
    },
  });
  duplex.push("RFB 003.008\n");
  return duplex;
}
