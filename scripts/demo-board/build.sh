#!/usr/bin/env bash
# Builds the demo board the QEMU driver boots: a Debian kernel, an initramfs made of busybox-static plus the
# files under scripts/demo-board/rootfs, and a tiny ext2 data disk. Everything comes from installed Debian
# packages (linux-image-cloud-amd64 or linux-image-amd64, busybox-static, e2fsprogs); nothing is downloaded.
#
#   bash scripts/demo-board/build.sh [--force] [--out DIR]
#
# Output (default build/demo-board/): vmlinuz, initramfs.cpio.gz, disk.img, board.env. A stamp of the inputs
# is kept, so a second run returns at once unless an input changed, a file is missing, or --force is given.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/build/demo-board"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1 ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo-board: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

step() { printf 'demo-board: %s\n' "$*" >&2; }
fail() { printf 'demo-board: error: %s\n' "$*" >&2; exit 1; }

# Modules the board loads (their dependencies are added from modules.dep).
modules=(virtio_pci virtio_net virtio_blk vfat nls_cp437 nls_ascii button evdev)

pick_kernel() {
  local best="" version
  for image in /boot/vmlinuz-*; do
    [ -e "$image" ] || continue
    version="${image#/boot/vmlinuz-}"
    [ -f "/lib/modules/$version/modules.dep" ] || continue
    if [ -z "$best" ] || [ "$(printf '%s\n%s\n' "$best" "$version" | sort -V | tail -n1)" = "$version" ]; then best="$version"; fi
  done
  [ -n "$best" ] || fail "no kernel in /boot with modules in /lib/modules; install one: apt-get install linux-image-cloud-amd64"
  printf '%s' "$best"
}

find_busybox() {
  local candidate
  for candidate in /bin/busybox /usr/bin/busybox; do
    # A dynamic executable names its loader (PT_INTERP) near the start of the file.
    if [ -x "$candidate" ] && ! head -c 4096 "$candidate" | grep -a -q '/ld-'; then printf '%s' "$candidate"; return; fi
  done
  fail "a statically linked busybox is needed; install it: apt-get install busybox-static"
}

version="$(pick_kernel)"
kernel="/boot/vmlinuz-$version"
[ -r "$kernel" ] || fail "$kernel is not readable by $(id -un); run as root or make it readable"
busybox="$(find_busybox)"
command -v cpio >/dev/null || fail "cpio is needed; install it: apt-get install cpio"
command -v mke2fs >/dev/null || fail "mke2fs is needed; install it: apt-get install e2fsprogs"

stamp="$( { echo "$version"; sha256sum "$kernel" "$busybox" "$0"; (cd "$here/rootfs" && find . -type f -print0 | sort -z | xargs -0 sha256sum); } | sha256sum | cut -d' ' -f1)"
if [ "$force" = 0 ] && [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] \
  && [ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.cpio.gz" ] && [ -s "$out/disk.img" ] && [ -s "$out/board.env" ]; then
  step "up to date in ${out#"$root/"} (kernel $version); --force rebuilds"
  exit 0
fi

step "building into ${out#"$root/"} from kernel $version and $busybox"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/demo-board.XXXXXX")"
trap 'rm -rf "$work"' EXIT
tree="$work/initramfs"

step "[1/4] busybox and the board's files"
mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,root,etc,lib/modules}
cp "$busybox" "$tree/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] && continue
  case "$applet" in
    init|halt|poweroff|reboot|acpid|httpd|udhcpc|insmod|modprobe|ip|ifconfig|route|mdev|switch_root|getty|findfs) ln -sf ../bin/busybox "$tree/sbin/$applet" ;;
    *) ln -sf busybox "$tree/bin/$applet" ;;
  esac
done
cp -R "$here/rootfs/." "$tree/"
chmod 0755 "$tree/init" "$tree/etc/rc"

step "[2/4] kernel modules from /lib/modules/$version"
declare -A loaded=()
: > "$tree/etc/modules.order"
# modules.dep lists a module's dependencies with the one to load first last.
add_module() {
  local path="$1" name deps dep
  name="$(basename "$path")"; name="${name%%.ko*}"
  [ -n "${loaded[$name]:-}" ] && return 0
  loaded[$name]=1
  deps="$(sed -n "s#^${path}: *##p" "/lib/modules/$version/modules.dep")"
  for dep in $(printf '%s\n' $deps | tac); do add_module "$dep"; done
  case "$path" in
    *.ko) cp "/lib/modules/$version/$path" "$tree/lib/modules/$name.ko" ;;
    *.ko.xz) xz -dc "/lib/modules/$version/$path" > "$tree/lib/modules/$name.ko" ;;
    *.ko.zst) zstd -qdc "/lib/modules/$version/$path" > "$tree/lib/modules/$name.ko" ;;
    *.ko.gz) gzip -dc "/lib/modules/$version/$path" > "$tree/lib/modules/$name.ko" ;;
    *) fail "unsupported module file $path" ;;
  esac
  echo "$name.ko" >> "$tree/etc/modules.order"
}
for module in "${modules[@]}"; do
  path="$(sed -n "s#^\(kernel/.*/${module}\.ko[^:]*\):.*#\1#p" "/lib/modules/$version/modules.dep" | head -n1)"
  if [ -z "$path" ]; then
    step "  $module: built into $version or absent"
    continue
  fi
  add_module "$path"
done
step "  $(wc -l < "$tree/etc/modules.order") modules: $(tr '\n' ' ' < "$tree/etc/modules.order")"

step "[3/4] initramfs.cpio.gz"
(cd "$tree" && find . -print0 | sort -z | cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -9n > "$work/initramfs.cpio.gz"

step "[4/4] disk.img (8 MiB ext2, label JMPDATA)"
mkdir -p "$work/disk"
printf 'This file lives on the demo board data disk (/mnt/data).\n' > "$work/disk/hello.txt"
truncate -s 8M "$work/disk.img"
mke2fs -q -F -t ext2 -L JMPDATA -d "$work/disk" "$work/disk.img" >/dev/null

cp "$kernel" "$work/vmlinuz"
cat > "$work/board.env" <<EOF
KERNEL_VERSION=$version
KERNEL=$out/vmlinuz
INITRD=$out/initramfs.cpio.gz
DISK=$out/disk.img
APPEND="console=ttyS0"
PROMPT_REGEX='root@[^:]*:[^#]*# '
EOF
for file in vmlinuz initramfs.cpio.gz disk.img board.env; do mv -f "$work/$file" "$out/$file"; done
echo "$stamp" > "$out/stamp"
step "done: $(du -h "$out/vmlinuz" | cut -f1) kernel, $(du -h "$out/initramfs.cpio.gz" | cut -f1) initramfs, 8M disk in ${out#"$root/"}"
