#!/usr/bin/env bash
# Makes the real runtimes available on this machine, idempotently, without systemd (CI, dev boxes):
# installs the Debian packages when missing, then starts virtlogd, libvirtd and containerd if they are
# not running and waits for their sockets. Run as root. Daemon logs: /var/log/{containerd,libvirtd,virtlogd}.log.
set -euo pipefail

# mount (not Essential, unlike util-linux's unshare): scripts/libvirt-peer.sh bind-mounts a second libvirtd's state.
# ovmf (EFI firmware for VMs with bootloader.efi) and libxml2-utils (xmllint, which virt-xml-validate runs
# for the golden domain XML test) are only recommended by qemu and libvirt, so --no-install-recommends skips them.
PACKAGES=(qemu-system-x86 ovmf libvirt-daemon-system libvirt-clients libxml2-utils containerd runc busybox-static cpio mount)

if [ "$(id -u)" != 0 ]; then
  echo "runtimes-up: must run as root (installs packages, starts daemons)" >&2
  exit 1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "runtimes-up: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${missing[@]}" >/tmp/runtimes-up-apt.log 2>&1 \
    || { apt-get update >>/tmp/runtimes-up-apt.log 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >>/tmp/runtimes-up-apt.log 2>&1; } \
    || { echo "runtimes-up: apt-get install failed, see /tmp/runtimes-up-apt.log" >&2; tail -20 /tmp/runtimes-up-apt.log >&2; exit 1; }
fi

# wait_for SOCKET NAME: up to 30 s.
wait_for() {
  for _ in $(seq 1 300); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  echo "runtimes-up: $2 did not create $1 within 30 s (see /var/log/$2.log)" >&2
  return 1
}

running() { pgrep -x "$1" >/dev/null 2>&1; }

if ! running virtlogd; then
  virtlogd -d
fi
wait_for /run/libvirt/virtlogd-sock virtlogd

if ! running libvirtd; then
  libvirtd -d
fi
wait_for /run/libvirt/libvirt-sock libvirtd

if ! running containerd; then
  mkdir -p /run/containerd
  # In its own session: it outlives the shell that started it, as a daemon should.
  setsid nohup containerd >/var/log/containerd.log 2>&1 < /dev/null &
fi
wait_for /run/containerd/containerd.sock containerd
# The socket exists a moment before the API answers.
for _ in $(seq 1 100); do
  ctr version >/dev/null 2>&1 && break
  sleep 0.1
done
ctr version >/dev/null || { echo "runtimes-up: containerd does not answer (see /var/log/containerd.log)" >&2; exit 1; }

echo "runtimes-up: libvirtd $(libvirtd --version | awk '{print $NF}'), containerd $(containerd --version | awk '{print $3}') ready"
