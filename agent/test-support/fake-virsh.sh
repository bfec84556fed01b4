#!/bin/sh
# A stand-in for virsh in unit tests: domains are files in $FAKE_VIRSH_DIR
# (NAME.xml, NAME.state), enough of virsh's commands and output for the
# libvirt adapter's logic; the guest "runs" a guest agent and has a lease.
dir="$FAKE_VIRSH_DIR"
shift 3 # -c URI -q
echo "$*" >> "$dir/calls"
name="$2"
state() { echo "$1" > "$dir/$name.state"; }
need() { [ -f "$dir/$name.state" ] || { echo "error: failed to get domain '$name'" >&2; exit 1; }; }
case "$1" in
  version) echo "Using library: libvirt 9.9.9" ;;
  list) for f in "$dir"/*.state; do [ -e "$f" ] && basename "$f" .state; done ;;
  event) exec sleep 3600 ;;
  define) name=$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$2"); cp "$2" "$dir/$name.xml"; [ -f "$dir/$name.state" ] || state "shut off (unknown)" ;;
  start) need; state "running (booted)" ;;
  domstate) need; cat "$dir/$name.state" ;;
  dumpxml) need; sed 's/name="org.qemu.guest_agent.0"/name="org.qemu.guest_agent.0" state="connected"/' "$dir/$name.xml" ;;
  metadata) need; sed -n 's:.*<duraplane\:vmi xmlns\:duraplane="[^"]*" \(.*\)/>.*:<vmi \1/>:p' "$dir/$name.xml" ;;
  qemu-agent-command) need; echo '{"return":{"id":"debian","name":"Debian GNU/Linux","pretty-name":"Debian GNU/Linux 12 (bookworm)","version":"12 (bookworm)","version-id":"12","kernel-release":"6.1.0-50-amd64","kernel-version":"#1 SMP","machine":"x86_64"}}' ;;
  domifaddr) need; mac=$(sed -n 's:.*<mac address="\([^"]*\)".*:\1:p' "$dir/$name.xml" | head -1); echo " vnet0      $mac    ipv4         192.168.122.9/24" ;;
  shutdown) need; [ -f "$dir/ignore-acpi" ] || state "shut off (shutdown)" ;;
  destroy) need; grep -q "^shut off" "$dir/$name.state" && { echo "error: Requested operation is not valid: domain is not running" >&2; exit 1; }; state "shut off (destroyed)" ;;
  suspend) need; state "paused (user)" ;;
  resume) need; state "running (unpaused)" ;;
  undefine) need; rm -f "$dir/$name.state" "$dir/$name.xml" ;;
  *) echo "error: fake virsh does not know $1" >&2; exit 1 ;;
esac
exit 0
