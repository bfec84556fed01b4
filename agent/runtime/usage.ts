/**
 * @module
 * What a runtime adapter reports of its workloads' resource use: cumulative
 * CPU time and current memory per container, sampled at a moment — the
 * counters cAdvisor reads for the kubelet's resource metrics. Rates are made
 * from two samples by the agent (agent/usage.ts), as metrics-server makes them.
 */

/** One container's counters (a VM is one "container": its domain). */
export interface ContainerCounters {
  name: string;
  /** CPU time used since the container started, in nanoseconds (cgroup cpu usage, libvirt cpu.time). */
  cpuNanoseconds: number;
  /** Memory in use now, in bytes (the working set, or the domain's resident memory). */
  memoryBytes: number;
}

/** One running workload's counters at `timeMs`. */
export interface UsageSample {
  uid: string;
  namespace: string;
  name: string;
  /** When the counters were read (ms since the epoch). */
  timeMs: number;
  containers: ContainerCounters[];
}
