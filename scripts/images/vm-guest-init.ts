/**
 * @module
 * The tiny VM guest's `/init` (busybox ash), PID 1 of its initramfs. It
 * loads the few kernel modules Debian builds as modules (virtio, AHCI, the
 * ACPI power button), then says on the serial console what the tests and
 * `kubectl` users look for: a ready line, each disk's size and first bytes;
 * it powers off on the ACPI power button (libvirt's graceful `shutdown`)
 * and keeps a DHCP client on its first interface.
 */

/** The line the guest prints once its init ran. */
export const READY_LINE = "duraplane-tiny-vm ready";
/** What the guest prints before each line typed on its serial console. */
export const CONSOLE_ECHO_PREFIX = "duraplane-tiny-vm echo:";

/** The prefix of the per-disk line: `duraplane-disk vdb bytes=1048576 head=DURAPLANE…`. */
export const DISK_LINE_PREFIX = "duraplane-disk";

/** The prefix of the line for a mounted NoCloud seed: `duraplane-cidata vdb files=meta-data user-data user-data=#cloud-config`. */
export const CIDATA_LINE_PREFIX = "duraplane-cidata";

/** Printed before powering off on its own, when the kernel command line holds `duraplane.poweroff`. */
export const SELF_POWER_OFF_LINE = "duraplane-tiny-vm powering itself off";

/** The printed line when the power button was seen. */
export const POWER_OFF_LINE = "duraplane-tiny-vm acpi power button: powering off";

/** The `/init` script; `modules` are the `.ko` files under /lib/modules, in load order. */
export function initScript(modules: readonly string[]): string {
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp /run /mnt
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in ${modules.map((m) => `/lib/modules/${m}`).join(" ")}; do insmod "$m" 2>/dev/null; done
# Disks appear as their drivers probe them (AHCI takes a while under emulation): wait until the list holds still.
prev=""
for i in 1 2 3 4 5 6; do cur=$(ls /sys/block | xargs); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 1; done
echo "${READY_LINE} kernel=$(uname -r)"
for d in /sys/block/vd* /sys/block/sd*; do
  [ -e "$d" ] || continue
  n=\${d##*/}
  bytes=$(( $(cat "$d/size") * 512 ))
  head=$(head -c 32 "/dev/$n" | tr -c 'A-Za-z0-9._-' '.')
  echo "${DISK_LINE_PREFIX} $n bytes=$bytes head=$head"
  # A NoCloud seed (ISO 9660 labelled cidata): show which files it holds and user-data's first line.
  if mount -t iso9660 -o ro "/dev/$n" /mnt 2>/dev/null; then
    echo "${CIDATA_LINE_PREFIX} $n files=$(ls /mnt | xargs) user-data=$(head -n 1 /mnt/user-data 2>/dev/null)"
    umount /mnt
  fi
done
# duraplane.poweroff on the kernel command line: a guest that powers itself off (the VMI Succeeds).
case " $(cat /proc/cmdline) " in *" duraplane.poweroff "*) echo "${SELF_POWER_OFF_LINE}"; sync; poweroff -f;; esac
# The ACPI power button (what libvirt's shutdown presses) is an input device: any event powers off.
for e in /sys/class/input/event*; do
  [ -e "$e" ] || continue
  if grep -q "Power Button" "$e/device/name" 2>/dev/null; then
    ev=/dev/input/\${e##*/}
    # Only a read that succeeds is a press: the node may appear a moment after the device.
    ( until dd if="$ev" of=/dev/null bs=24 count=1 2>/dev/null; do sleep 1; done; echo "${POWER_OFF_LINE}"; sync; poweroff -f ) &
  fi
done
for i in /sys/class/net/*; do
  n=\${i##*/}
  [ "$n" = lo ] && continue
  ip link set "$n" up
  udhcpc -b -i "$n" -s /etc/udhcpc.script >/dev/null 2>&1 &
  break
done
ip link set lo up
# The serial console answers each line typed on it, so a console session shows the guest alive.
( while read -r line; do echo "${CONSOLE_ECHO_PREFIX} $line"; done ) </dev/ttyS0 >/dev/ttyS0 2>&1 &
while true; do sleep 3600; done
`;
}

/** udhcpc's hook: configures the lease and prints it, so the console shows the guest's address. */
export const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/\${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route replace default via "\${router%% *}" dev "$interface"
    echo "duraplane-tiny-vm dhcp $interface $ip" >/dev/console
    ;;
esac
exit 0
`;
