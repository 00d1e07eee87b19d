#!/usr/bin/env bash
# Regenerates the media corpus under test/fixtures/media/: real, tiny files of
# every image, audio and video format the inspector must refuse. The committed
# files are what the tests use; CI never runs this script.
#
# Needs Debian's ffmpeg, imagemagick and sox (with libsox-fmt-all):
#   apt-get update && apt-get install -y ffmpeg imagemagick sox libsox-fmt-all
# Set CONVERT to ImageMagick's convert if another `convert` comes first in PATH.
set -euo pipefail

cd "$(dirname "$0")/.."
out=test/fixtures/media
convert_cmd=${CONVERT:-convert}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }
# Inputs: a 16x16 test pattern, 6 frames of it moving, a 0.25 s tone.
picture=(-f lavfi -i "testsrc=size=16x16:rate=1" -frames:v 1)
clip=(-f lavfi -i "testsrc=size=16x16:rate=12" -t 0.5)
tone=(-f lavfi -i "sine=frequency=440:sample_rate=8000:duration=0.25")
no_metadata=(-map_metadata -1 -fflags +bitexact)

# --- images
ff "${picture[@]}" "$out/image.png"
ff "${picture[@]}" -q:v 8 "$out/image.jpg"
ff "${picture[@]}" "$out/image.gif"
ff "${picture[@]}" -c:v libwebp -quality 50 "$out/image.webp"
ff "${picture[@]}" -pix_fmt bgr24 "$out/image.bmp"
ff "${picture[@]}" -compression_algo deflate "$out/image.tiff"
ff "${picture[@]}" "$out/image.ico"
ff "${picture[@]}" -c:v libaom-av1 -still-picture 1 -cpu-used 8 "$out/image.avif"
"$convert_cmd" "$out/image.png" -quality 30 "$out/image.heic"
printf '%s' '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="red"/></svg>' >"$out/image.svg"

# --- audio
ff "${tone[@]}" "${no_metadata[@]}" -c:a pcm_s16le "$out/audio.wav"
ff "${tone[@]}" "${no_metadata[@]}" -c:a libmp3lame -b:a 32k -write_xing 0 -id3v2_version 0 "$out/audio-noid3.mp3"
ff "${tone[@]}" -c:a libmp3lame -b:a 32k -id3v2_version 3 -metadata title=fixture "$out/audio-id3.mp3"
ff "${tone[@]}" "${no_metadata[@]}" -c:a aac -b:a 24k -f adts "$out/audio.aac"
ff "${tone[@]}" "${no_metadata[@]}" -c:a aac -b:a 24k "$out/audio.m4a"
ff "${tone[@]}" "${no_metadata[@]}" -c:a flac "$out/audio.flac"
ff "${tone[@]}" "${no_metadata[@]}" -c:a libvorbis -q:a 0 "$out/audio.ogg"
ff "${tone[@]}" "${no_metadata[@]}" -c:a libopus -b:a 8k "$out/audio.opus"
ff "${tone[@]}" "${no_metadata[@]}" -c:a pcm_s16be "$out/audio.aiff"
ff "${tone[@]}" "${no_metadata[@]}" -c:a pcm_s16le "$work/tone.wav"
sox "$work/tone.wav" -t amr-nb -C 0 "$out/audio.amr"

# --- video
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$out/video.mp4"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$out/video.mov"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p -f 3gp "$out/video.3gp"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libvpx -b:v 20k "$out/video.webm"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$out/video.mkv"
ff "${clip[@]}" "${no_metadata[@]}" -c:v mjpeg -q:v 20 "$out/video.avi"
ff "${clip[@]}" "${no_metadata[@]}" -c:v flv1 "$out/video.flv"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p -f mpegts "$out/video.ts"

# --- elementary streams and less common containers
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p -f h264 "$out/video.h264"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx265 -preset ultrafast -x265-params log-level=error -pix_fmt yuv420p -f hevc "$out/video.hevc"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libaom-av1 -cpu-used 8 -f obu "$out/video.obu"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libvpx -b:v 20k -f ivf "$out/video-vp8.ivf"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libvpx-vp9 -b:v 20k -f ivf "$out/video-vp9.ivf"
ff -f lavfi -i "testsrc=size=16x16:rate=12" -frames:v 3 "${no_metadata[@]}" -pix_fmt yuv420p -f yuv4mpegpipe "$out/video.y4m"
ff "${clip[@]}" "${no_metadata[@]}" -c:v mpeg4 -f nut "$out/video.nut"
ff "${clip[@]}" "${no_metadata[@]}" -c:v mjpeg -q:v 20 -f smjpeg "$out/video.smjpeg"
# DV frames have a fixed size (144000 bytes at 720x576): keep the first 4 KiB, 51 of the 80-byte DIF blocks
ff -f lavfi -i "testsrc=size=720x576:rate=25" -frames:v 1 "${no_metadata[@]}" -c:v dvvideo -pix_fmt yuv420p -f dv "$work/video.dv"
head -c 4096 "$work/video.dv" >"$out/video.dv"
ff "${tone[@]}" "${no_metadata[@]}" -c:a mp2 -b:a 32k -f mp2 "$out/audio.mp2"
ff "${tone[@]}" "${no_metadata[@]}" -c:a pcm_s16le -f w64 "$out/audio.w64"
ff "${tone[@]}" "${no_metadata[@]}" -c:a pcm_u8 -f voc "$out/audio.voc"
ff -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=0.25" "${no_metadata[@]}" -c:a ac3 -b:a 32k -f ac3 "$out/audio.ac3"
ff "${tone[@]}" "${no_metadata[@]}" -c:a tta -f tta "$out/audio.tta"
ff -f lavfi -i "sine=frequency=440:sample_rate=8000:duration=0.8" "${no_metadata[@]}" -c:a aac -b:a 12k -f latm "$out/audio.latm"
ff "${tone[@]}" "${no_metadata[@]}" -c:a libcodec2 -mode 3200 -f codec2 "$out/audio.c2"

# --- screenshot and raster formats of X11 and Unix (image2 picks the encoder by extension)
for extension in xwd ras sgi pcx xbm ppm pgm pbm pam; do
  ff "${picture[@]}" -f image2 "$out/image.$extension"
done
ff "${picture[@]}" -f image2 -c:v fits "$out/image.fits"
ff "${picture[@]}" -f image2 -c:v phm "$out/image.phm"
ff "${picture[@]}" -f image2 -c:v pfm "$out/image.pfm"
"$convert_cmd" "$out/image.png" xwd:"$out/image-imagemagick.xwd"
"$convert_cmd" "$out/image.png" -compress none "$out/image-plain.ppm"
"$convert_cmd" "$out/image.png" -colorspace gray -compress none "$out/image-plain.pgm"
"$convert_cmd" "$out/image.png" -monochrome -compress none "$out/image-plain.pbm"

# --- continuation chunks of a recording (a MediaRecorder timeslice after the first)
ff "${clip[@]}" "${no_metadata[@]}" -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
  -movflags frag_keyframe+empty_moov -g 3 "$work/fragmented.mp4"
ff "${clip[@]}" "${no_metadata[@]}" -c:v libvpx -b:v 20k -g 3 -cluster_time_limit 100 "$work/clustered.webm"
python3 - "$work" "$out" <<'PY'
import sys
work, out = sys.argv[1], sys.argv[2]

def tail(src, marker, occurrence, dst, back=0):
    """Writes src from the n-th occurrence of marker (minus `back` bytes) to its end."""
    data = open(src, "rb").read()
    at = -1
    for _ in range(occurrence):
        at = data.index(marker, at + 1)
    open(f"{out}/{dst}", "wb").write(data[at - back:])

# An MP4 box starts 4 bytes (its size) before its type.
tail(f"{work}/fragmented.mp4", b"moof", 2, "chunk-fmp4-moof.m4s", back=4)
tail(f"{work}/clustered.webm", b"\x1f\x43\xb6\x75", 2, "chunk-webm-cluster.webm")
tail(f"{out}/audio.ogg", b"OggS", 3, "chunk-ogg-page.ogg")
PY

ls -l "$out"
du -sh "$out"
