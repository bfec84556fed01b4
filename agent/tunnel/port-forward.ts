/**
 * @module
 * port-forward over the tunnel (filled in below).
 */
import type { Mux, MuxStream } from "../../shared/tunnel/mux.ts";
import { StreamRefusal, type ContainerStreams, type WorkloadRef } from "../runtime/streams.ts";

export async function servePortForward(_ref: WorkloadRef, _stream: MuxStream, _mux: Mux, _containers: ContainerStreams): Promise<void> {
  throw new StreamRefusal(501, "NotImplemented", "port-forward is not implemented yet");
}
