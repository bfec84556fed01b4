/**
 * @module
 * Streams into real VMs, as virt-handler serves them: the serial console is
 * the domain's pty (`virsh ttyconsole`), opened as a terminal in raw mode so
 * bytes pass both ways untouched; VNC is QEMU's VNC server on the loopback
 * address (`virsh vncdisplay`), relayed as raw RFB.
 */
import { openSync } from "node:fs";
import { connect } from "node:net";
import { Duplex } from "node:stream";
import { ReadStream, WriteStream } from "node:tty";
import { badStream, notHere, type WorkloadRef } from "./streams.ts";
import type { Virsh } from "./virsh.ts";

/** What the streams need of the libvirt runtime. */
export interface LibvirtStreamSource {
  virsh: Virsh;
  domainOf(uid: string): string | undefined;
  running(uid: string): boolean;
  guestAgentConnected(uid: string): boolean;
}

function domainFor(source: LibvirtStreamSource, vmi: WorkloadRef): string {
  const domain = source.domainOf(vmi.uid);
  if (!domain) throw notHere(`VirtualMachineInstance "${vmi.namespace}/${vmi.name}"`);
  if (!source.running(vmi.uid)) throw badStream("Unable to connect to VM because phase is not Running");
  return domain;
}

/** The serial console: the domain's pty as one byte stream. */
export async function libvirtConsole(source: LibvirtStreamSource, vmi: WorkloadRef): Promise<Duplex> {
  const domain = domainFor(source, vmi);
  const path = (await source.virsh.run(["ttyconsole", domain])).trim();
  if (!path.startsWith("/dev/pts/")) throw badStream(`VirtualMachineInstance "${vmi.name}" has no serial console pty`);
  const fd = openSync(path, "r+");
  const input = new ReadStream(fd);
  // Raw: no echo, no line editing, no CR/LF translation — the guest's own terminal decides.
  input.setRawMode(true);
  const output = new WriteStream(fd);
  let closed = false;
  const duplex = new Duplex({
    read() {
      input.resume();
    },
    write(chunk: Buffer, _encoding, done) {
      output.write(chunk, (err) => done(err ?? null));
    },
    final(done) {
      done();
    },
    destroy(err, done) {
      if (!closed) {
        closed = true;
        input.destroy();
        output.destroy();
      }
      done(err);
    },
  });
  input.on("data", (data: Buffer) => {
    if (!duplex.push(data)) input.pause();
  });
  input.once("end", () => duplex.push(null));
  input.once("error", () => duplex.push(null));
  return duplex;
}

/** VNC: a connection to QEMU's VNC server (which listens on 127.0.0.1 only). */
export async function libvirtVnc(source: LibvirtStreamSource, vmi: WorkloadRef): Promise<Duplex> {
  const domain = domainFor(source, vmi);
  const display = (await source.virsh.run(["vncdisplay", domain]).catch(() => "")).trim();
  const m = /^(?:[\d.]+)?:(\d+)$/.exec(display);
  if (!m) throw badStream(`VirtualMachineInstance "${vmi.name}" has no VNC server (autoattachGraphicsDevice is false)`);
  const port = 5900 + Number(m[1]);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => resolve(socket));
    socket.once("error", (err) => reject(badStream(`cannot reach the VNC server of "${vmi.name}": ${err.message}`)));
  });
}
