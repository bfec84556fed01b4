/**
 * @module
 * A simulated VM's serial console: a login prompt that echoes what is typed
 * (a guest's getty over a serial line), then a prompt that echoes lines back.
 */
import { Duplex } from "node:stream";

/** A console session for the VM `name`. */
export function simulatedConsole(name: string): Duplex {
  let user: string | undefined;
  let line = "";
  const prompt = (): string => (user === undefined ? `${name} login: ` : `[${user}@${name} ~]$ `);
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, callback) {
      let out = "";
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          out += "\r\n";
          if (user === undefined) {
            if (line !== "") {
              user = line;
              out += `Welcome to ${name} (simulated serial console)\r\n`;
            }
          } else if (line !== "") {
            out += `${line}\r\n`;
          }
          line = "";
          out += prompt();
        } else if (ch === "\u007f" || ch === "\b") {
          if (line.length > 0) {
            line = line.slice(0, -1);
            out += "\b \b";
          }
        } else {
          line += ch;
          out += ch;
        }
      }
      if (out) duplex.push(out);
      callback();
    },
    final(callback) {
      duplex.push(null);
      callback();
    },
  });
  duplex.push(`\r\n\r\nFedora Linux 41 (Cloud Edition)\r\nKernel 6.11.4-301.fc41.x86_64 on an x86_64 (ttyS0)\r\n\r\n${prompt()}`);
  return duplex;
}
