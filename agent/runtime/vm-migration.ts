/**
 * @module
 * The optional live-migration capability of a VM runtime: what
 * virt-handler asks of libvirt on each side of a migration. The simulated
 * hypervisor implements it (simulated-vm-migration.ts), and so does the
 * libvirt adapter (libvirt-migration.ts): the target defines the incoming
 * domain and the source migrates peer-to-peer (`virsh migrate --live --p2p`,
 * libvirt's `virDomainMigrateToURI3` with VIR_MIGRATE_LIVE |
 * VIR_MIGRATE_PEER2PEER) to `qemu+tcp://<targetNodeAddress>/system`. A
 * runtime without it cannot migrate: the agent reports such migrations failed.
 *
 * Contract:
 * - `prepareIncoming` on the target resolves with the address the source
 *   sends to once a domain is ready to receive (it is not yet running and
 *   not in the adapter's `list`/`observe`), or rejects (the target fails);
 * - `migrateOut` on the source resolves once the guest's state was sent and
 *   the source domain is paused for the handover, and rejects on a failure
 *   or after `abortMigration`; the source domain keeps running on failure;
 * - `finishIncoming` on the target makes the received domain the running
 *   workload (observed from then on, with the source's IP kept);
 * - `abortIncoming` drops a prepared domain that will not receive.
 */
import type { Workload } from "./adapter.ts";
import type { VMRuntimeSpec } from "./vms.ts";

/** The message a migration aborted on request fails with. */
export const MIGRATION_ABORTED = "Migration aborted";

/** Live migration of VMs between two hosts of the same runtime. */
export interface VMMigration {
  prepareIncoming(workload: Workload<VMRuntimeSpec>, ip: string | undefined): Promise<string>;
  finishIncoming(uid: string): Promise<void>;
  abortIncoming(uid: string): Promise<void>;
  migrateOut(uid: string, targetAddress: string): Promise<void>;
  abortMigration(uid: string): void;
}
