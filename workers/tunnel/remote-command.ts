/**
 * @module
 * The remote-command WebSocket protocol kubectl speaks for exec and attach
 * (k8s.io/apimachinery/pkg/util/remotecommand, client-go's websocket
 * executor): binary messages `[channel][bytes]` with stdin 0, stdout 1,
 * stderr 2, error 3 and resize 4; v5 adds channel 255 to close a channel
 * (`[255][channel]`). The error channel carries a metav1.Status once, at the
 * end: Success, or NonZeroExitCode with the exit code as a cause.
 */
import type { StreamError } from "../../shared/tunnel/frames";

export const V5 = "v5.channel.k8s.io";
export const V4 = "v4.channel.k8s.io";
/** The versions served, best first. */
export const REMOTE_COMMAND_PROTOCOLS = [V5, V4] as const;

export const STDIN = 0;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

/** The Status sent on the error channel when the process ended. */
export function exitStatus(command: readonly string[], error: StreamError | undefined): Record<string, unknown> {
  if (!error) return { metadata: {}, status: "Success" };
  if (error.exitCode !== undefined && error.exitCode !== 0) {
    return {
      metadata: {}, status: "Failure",
      message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${error.exitCode}`,
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: String(error.exitCode) }] },
    };
  }
  if (error.exitCode === 0) return { metadata: {}, status: "Success" };
  return { metadata: {}, status: "Failure", message: error.message, reason: error.reason, code: error.code };
}

/**
 * How long to hold a process's first output from this client (ms).
 * client-go before 1.33 starts reading its WebSocket before it has made
 * its streams and drops what arrives for a stream not made yet ("Unknown
 * stream id 1, discarding message": kubernetes/kubernetes#131189, fixed by
 * #131203 in 1.33). A kubelet's output comes after a process starts; the
 * simulated runtime's comes within a millisecond, and under load kubectl
 * 1.32 lost a whole `exec … cat` (1 in 240 with six at once). So a client-go
 * client (its User-Agent `name/vX.Y… (os/arch) kubernetes/commit`) gets its
 * output after a short hold, unless it is kubectl 1.33 or later; browsers
 * and other clients make their channels themselves and get it at once.
 */
export function outputHoldMs(userAgent: string | undefined): number {
  const clientGo = /^([^/\s]+)\/v(\d+)\.(\d+)\S* \([^)]*\) kubernetes\//.exec(userAgent ?? "");
  if (!clientGo) return 0;
  const [, name, major, minor] = clientGo;
  const fixed = name === "kubectl" && (Number(major) > 1 || (Number(major) === 1 && Number(minor) >= 33));
  return fixed ? 0 : OUTPUT_HOLD_MS;
}

/** Long enough for a loaded client to make its streams; a kubelet's exec takes longer to start. */
export const OUTPUT_HOLD_MS = 150;

/** A message for the client on one channel. */
export function channelMessage(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.byteLength + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}
