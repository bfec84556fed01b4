/**
 * @module
 * Container logs on the host, in the CRI log format the kubelet reads for
 * `kubectl logs`: one file per container run,
 * `<state>/pods/<namespace>_<pod>_<uid>/<container>/<restartCount>.log`
 * (the layout of /var/log/pods), one line per output line:
 * `<RFC3339Nano> stdout|stderr F <line>`.
 *
 * containerd writes them through a "binary" logger — a process the shim
 * starts per container with the container's stdout on fd 3, stderr on fd 4
 * and a pipe on fd 5 it closes once ready. Ours is a small POSIX sh script
 * (written into the state dir), so nothing runs between the container and
 * its log file when the agent is down or restarting.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

// `date` per line is one fork per log line: fine for the workloads this host
// runs today; a compiled logger would be the next step for chatty containers.
const LOGGER = `#!/bin/sh
# duraplane's containerd binary logger: fd 3 = stdout, fd 4 = stderr, fd 5 = ready pipe.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec 5>&-
file="$2"
mkdir -p "$(dirname "$file")"
stream() {
  while IFS= read -r line || [ -n "$line" ]; do
    printf '%s %s F %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$1" "$line"
  done
}
(exec <&3 3<&- 4<&-; stream stdout) >>"$file" &
(exec <&4 3<&- 4<&-; stream stderr) >>"$file" &
exec 3<&- 4<&-
wait
`;

/** Writes the logger script under `stateDir`; returns its path. */
export function installLogger(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, "cri-logger.sh");
  writeFileSync(path, LOGGER);
  chmodSync(path, 0o755);
  return path;
}

/** The log file of one run of a container. */
export function containerLogPath(stateDir: string, pod: { namespace: string; name: string; uid: string }, container: string, restartCount: number): string {
  return join(stateDir, "pods", `${pod.namespace}_${pod.name}_${pod.uid}`, container, `${restartCount}.log`);
}

/** containerd's `binary://` log URI for the logger writing to `file` (the query becomes its argv: `log FILE`). */
export function logUri(logger: string, file: string): string {
  return `binary://${logger}?log=${encodeURIComponent(file)}`;
}

/** One parsed CRI log line. */
export interface LogLine {
  time: string;
  stream: "stdout" | "stderr";
  partial: boolean;
  text: string;
}

/** Parses a CRI log line (undefined when malformed). */
export function parseLogLine(line: string): LogLine | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/.exec(line);
  if (!m) return undefined;
  return { time: m[1] ?? "", stream: m[2] === "stderr" ? "stderr" : "stdout", partial: m[3] === "P", text: m[4] ?? "" };
}
