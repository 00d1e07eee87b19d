#!/usr/bin/env bash
# Regenerates test/fixtures/unopened/: the media of the layers matrix (and a
# text file) packed by real tools into every compressed or archive format the
# gateway recognises but does not open. The inspector must refuse each of them
# (422 body_uninspectable, or 415 where the media shows through stored data).
# The committed files are what the tests use; CI never runs this script.
#
# Needs Debian 12's packers:
#   apt-get update && apt-get install -y p7zip-full lz4 lzip ncompress lzop gcab arj \
#     jlha-utils zpaq bzip3 lrzip squashfs-tools wimtools mscompress python3-snappy
# RAR has no free packer: its archives are written by test/helpers/unopened-wrappings.ts.
set -euo pipefail

cd "$(dirname "$0")/.."
media=test/fixtures/media
out=test/fixtures/unopened
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

printf 'Meeting notes\n- ship the gateway\n- no screenshots are kept\n' >"$work/notes.txt"
inputs=("$work/notes.txt")
for name in image.png image.jpg video.webm audio-id3.mp3 audio-noid3.mp3 audio.wav audio.opus video.mp4; do
  cp "$media/$name" "$work/$name"
  inputs+=("$work/$name")
done

# Snappy's framing format (framing_format.txt): the stream identifier, then
# compressed chunks of at most 64 KiB with a masked CRC-32C of their data.
snappy_framed() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import struct, sys, snappy

def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def masked(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF

data = open(sys.argv[1], "rb").read()
frame = bytearray(b"\xff\x06\x00\x00sNaPpY")
for at in range(0, len(data), 65536):
    chunk = data[at:at + 65536]
    body = struct.pack("<I", masked(chunk)) + snappy.compress(chunk)
    frame += bytes([0]) + struct.pack("<I", len(body))[:3] + body
open(sys.argv[2], "wb").write(frame)
PY
}

for input in "${inputs[@]}"; do
  name=$(basename "$input")
  target="$PWD/$out/$name"
  (
    cd "$work"
    7z a -bd -bso0 -bse0 "$target.7z" "$name"
    lz4 -q -c "$name" >"$target.lz4"
    lz4 -q -l -c "$name" >"$target.legacy.lz4"
    lzip -c "$name" >"$target.lz"
    compress -f -c "$name" >"$target.Z"
    lzop -c "$name" >"$target.lzo"
    gcab -c -z "$target.cab" "$name"
    snappy_framed "$name" "$target.sz"
    arj a -y "$target.arj" "$name" >/dev/null
    lha aq "$target.lzh" "$name"
    zpaq a "$target.zpaq" "$name" -m1 >/dev/null 2>&1
    bzip3 -c "$name" >"$target.bz3"
    lrzip -q -f -o "$target.lrz" "$name" 2>/dev/null
    mkdir -p "dir-$name" && cp "$name" "dir-$name/"
    mksquashfs "dir-$name" "$target.sqfs" -quiet -noappend -all-root -mkfs-time 0 -all-time 0 >/dev/null
    wimcapture "dir-$name" "$target.wim" >/dev/null
    cp "$name" "szdd-$name" && mscompress "szdd-$name" && mv "szdd-${name}_" "$target.szdd"
  )
done

ls -l "$out" | head -20
du -sh "$out"
