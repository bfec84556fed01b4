/**
 * @module
 * A cloud-init NoCloud seed: an ISO 9660 image labelled `cidata` holding
 * `user-data`, `meta-data` and, when given, `network-config`. Written here
 * (a few sectors, one directory) rather than with genisoimage or mtools,
 * which are not among the packages a host has. Names are recorded as
 * `USER-DATA.;1`, which Linux's isofs shows as `user-data` (it lowercases and
 * drops the `.;1`), where cloud-init looks for them.
 */

const SECTOR = 2048;

function both32(buf: Buffer, at: number, n: number): void {
  buf.writeUInt32LE(n, at);
  buf.writeUInt32BE(n, at + 4);
}

function both16(buf: Buffer, at: number, n: number): void {
  buf.writeUInt16LE(n, at);
  buf.writeUInt16BE(n, at + 2);
}

function padded(text: string, length: number): string {
  return text.slice(0, length).padEnd(length, " ");
}

/** A directory record (ECMA-119 9.1). */
function dirRecord(id: Buffer, extent: number, size: number, directory: boolean): Buffer {
  const length = 33 + id.length + (id.length % 2 === 0 ? 1 : 0);
  const rec = Buffer.alloc(length);
  rec[0] = length;
  both32(rec, 2, extent);
  both32(rec, 10, size);
  rec.set([125, 1, 1, 0, 0, 0, 0], 18); // 2025-01-01 00:00:00 UTC: fixed, so seeds are reproducible
  rec[25] = directory ? 2 : 0;
  both16(rec, 28, 1);
  rec[32] = id.length;
  id.copy(rec, 33);
  return rec;
}

/** The files of a seed. */
export interface NoCloudData {
  userData: string;
  metaData: string;
  networkData?: string;
}

/** The seed image's bytes. */
export function noCloudIso(data: NoCloudData): Buffer {
  const files = [
    { name: "META-DATA.;1", body: Buffer.from(data.metaData) },
    ...(data.networkData !== undefined ? [{ name: "NETWORK-CONFIG.;1", body: Buffer.from(data.networkData) }] : []),
    { name: "USER-DATA.;1", body: Buffer.from(data.userData) },
  ];
  const ROOT = 20; // 16 PVD, 17 terminator, 18 L path table, 19 M path table
  let next = ROOT + 1;
  const placed = files.map((f) => {
    const extent = next;
    next += Math.max(1, Math.ceil(f.body.length / SECTOR));
    return { ...f, extent };
  });
  const totalSectors = next;
  const root = Buffer.alloc(SECTOR);
  let at = 0;
  for (const rec of [
    dirRecord(Buffer.from([0]), ROOT, SECTOR, true),
    dirRecord(Buffer.from([1]), ROOT, SECTOR, true),
    ...placed.map((f) => dirRecord(Buffer.from(f.name, "ascii"), f.extent, f.body.length, false)),
  ]) {
    rec.copy(root, at);
    at += rec.length;
  }
  const image = Buffer.alloc(totalSectors * SECTOR);
  const pvd = image.subarray(16 * SECTOR, 17 * SECTOR);
  pvd[0] = 1;
  pvd.write("CD001", 1, "ascii");
  pvd[6] = 1;
  pvd.write(padded("LINUX", 32), 8, "ascii");
  pvd.write(padded("cidata", 32), 40, "ascii");
  both32(pvd, 80, totalSectors);
  both16(pvd, 120, 1);
  both16(pvd, 124, 1);
  both16(pvd, 128, SECTOR);
  both32(pvd, 132, 10); // one path table record
  pvd.writeUInt32LE(18, 140);
  pvd.writeUInt32BE(19, 148);
  dirRecord(Buffer.from([0]), ROOT, SECTOR, true).copy(pvd, 156);
  pvd.write(padded("", 128 * 4 + 37 * 3), 190, "ascii");
  for (const dateAt of [813, 830, 847, 864]) pvd.write("0000000000000000", dateAt, "ascii");
  pvd[881] = 1;
  const terminator = image.subarray(17 * SECTOR, 18 * SECTOR);
  terminator[0] = 255;
  terminator.write("CD001", 1, "ascii");
  terminator[6] = 1;
  for (const [sector, big] of [[18, false], [19, true]] as const) {
    const table = image.subarray(sector * SECTOR);
    table[0] = 1;
    if (big) { table.writeUInt32BE(ROOT, 2); table.writeUInt16BE(1, 6); } else { table.writeUInt32LE(ROOT, 2); table.writeUInt16LE(1, 6); }
  }
  root.copy(image, ROOT * SECTOR);
  for (const f of placed) f.body.copy(image, f.extent * SECTOR);
  return image;
}

/** KubeVirt's NoCloud meta-data for a VMI. */
export function noCloudMetaData(vmi: { namespace: string; name: string }): string {
  return `instance-id: ${vmi.name}.${vmi.namespace}\nlocal-hostname: ${vmi.name}\n`;
}
