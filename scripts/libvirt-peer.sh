#!/usr/bin/env bash
# A second libvirtd on this machine, as a second "host" for live-migration tests (docs/live-migration.md,
# "Real libvirt"). Run as root, next to the system libvirtd that scripts/runtimes-up.sh starts.
#
#   scripts/libvirt-peer.sh up DIR PORT [PID]  start it; prints its two URIs (local unix socket, TCP for
#                                           peers); with PID, it is taken down when that process ends
#   scripts/libvirt-peer.sh down DIR        destroy every domain it runs, stop it, remove DIR
#
# Why a mount namespace: a privileged libvirtd keeps its state in fixed places (/run/libvirt with the
# QEMU driver's lock /run/libvirt/qemu/driver.pid, /var/lib/libvirt, /etc/libvirt, /var/cache/libvirt,
# /var/log/libvirt), so a second one on the same paths refuses to start or would see the first one's
# domains. Here those paths are bind-mounted from DIR inside a private mount namespace that only this
# daemon and the QEMU processes it starts live in; the network namespace is the machine's, so peers
# reach it on 127.0.0.1:PORT. Its host UUID differs from the system daemon's (libvirt refuses to
# migrate to a host with the same UUID). QEMU writes console logs itself (stdio_handler "file"), so no
# second virtlogd is needed.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "libvirt-peer: must run as root" >&2
  exit 1
fi

cmd="${1:-}"
dir="${2:-}"
[ -n "$dir" ] || { echo "usage: $0 up DIR PORT [PID] | down DIR" >&2; exit 2; }

sock_uri() { echo "qemu+unix:///system?socket=$dir/sock/libvirt-sock"; }

# The pids of QEMU processes started by this daemon: they share its mount namespace (namespaces = [] below).
namespace_qemus() {
  local ns="$1" p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$ns" ] || continue
    case "$(readlink "$p/exe" 2>/dev/null)" in *qemu-system-*) echo "${p#/proc/}" ;; esac
  done
}

case "$cmd" in
up)
  port="${3:-}"
  [[ "$port" =~ ^[0-9]+$ ]] || { echo "usage: $0 up DIR PORT" >&2; exit 2; }
  if [ -f "$dir/libvirtd.pid" ] && kill -0 "$(cat "$dir/libvirtd.pid")" 2>/dev/null; then
    echo "libvirt-peer: already running in $dir (pid $(cat "$dir/libvirtd.pid"))" >&2
    exit 1
  fi
  mkdir -p "$dir"/{etc/qemu,run,lib/qemu,cache,log/qemu,sock}
  chmod 755 "$dir" "$dir/sock"
  # QEMU runs as libvirt-qemu and must reach its private dirs, as under /var/lib/libvirt/qemu.
  chown libvirt-qemu:libvirt-qemu "$dir/lib/qemu"
  chmod 750 "$dir/lib/qemu"
  uuid="$(cat /proc/sys/kernel/random/uuid)"
  cat >"$dir/etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "$port"
auth_tcp = "none"
auth_unix_rw = "none"
unix_sock_dir = "$dir/sock"
host_uuid = "$uuid"
log_outputs = "2:file:$dir/log/libvirtd.log"
EOF
  # namespaces = []: QEMU stays in this daemon's mount namespace (by default libvirt gives each domain
  # its own), which is how `down` finds a QEMU the daemon left behind.
  cat >"$dir/etc/qemu.conf" <<EOF
stdio_handler = "file"
namespaces = []
EOF
  : >"$dir/daemon.log"
  # -p: the default pid file (/run/libvirtd.pid) is outside the bind mounts and the system daemon's.
  setsid unshare --mount --propagation private -- bash -c '
    set -e
    d="$1"
    mount --bind "$d/etc" /etc/libvirt
    mount --bind "$d/run" /run/libvirt
    mount --bind "$d/lib" /var/lib/libvirt
    mount --bind "$d/cache" /var/cache/libvirt
    mount --bind "$d/log" /var/log/libvirt
    exec libvirtd --listen -f /etc/libvirt/libvirtd.conf -p "$d/libvirtd.pid"
  ' libvirt-peer "$dir" >>"$dir/daemon.log" 2>&1 </dev/null &
  for _ in $(seq 1 300); do
    [ -S "$dir/sock/libvirt-sock" ] && virsh -c "$(sock_uri)" -q version >/dev/null 2>&1 && break
    if ! kill -0 $! 2>/dev/null; then
      echo "libvirt-peer: libvirtd exited:" >&2
      cat "$dir/daemon.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  virsh -c "$(sock_uri)" -q version >/dev/null || { echo "libvirt-peer: no answer within 30 s" >&2; cat "$dir/daemon.log" >&2; exit 1; }
  # Kept so that `down` finds this daemon's QEMUs even if the daemon itself died.
  readlink "/proc/$(cat "$dir/libvirtd.pid")/ns/mnt" >"$dir/mntns"
  owner="${4:-}"
  if [[ "$owner" =~ ^[0-9]+$ ]]; then
    # Whatever ends the owner (a test killed with SIGKILL, too), nothing of this daemon outlives it.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$3" ]; do sleep 1; done; exec bash "$2" down "$3"' \
      libvirt-peer-watch "$owner" "$(realpath "$0")" "$dir" >/dev/null 2>&1 </dev/null &
  fi
  echo "$(sock_uri)"
  echo "qemu+tcp://127.0.0.1:$port/system"
  ;;
down)
  [ -d "$dir" ] || exit 0
  pid="$(cat "$dir/libvirtd.pid" 2>/dev/null || true)"
  ns="$(cat "$dir/mntns" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    for d in $(virsh -c "$(sock_uri)" -q list --name --all 2>/dev/null); do
      virsh -c "$(sock_uri)" -q destroy "$d" >/dev/null 2>&1 || true
      virsh -c "$(sock_uri)" -q undefine "$d" --nvram >/dev/null 2>&1 || true
    done
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # A QEMU the daemon did not get to destroy (it was killed, or hung) must not outlive it.
  if [ -n "$ns" ]; then
    for q in $(namespace_qemus "$ns"); do kill -9 "$q" 2>/dev/null || true; done
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 up DIR PORT | down DIR" >&2
  exit 2
  ;;
esac
