#!/usr/bin/env bash
# Fuzzes the DICOM ECG decoder with libFuzzer (clang, ASan + UBSan) for a while.
#   scripts/fuzz.sh [--seconds N]     (default 60)
# Configures build-fuzz/ with clang and -DORTHANC_ECG_FUZZ=ON, builds the fuzzer and its seed
# generator, writes the seeds, and runs the fuzzer N seconds on build-fuzz/corpus (kept between
# runs). Exits non-zero when the fuzzer finds a crash, a leak, undefined behaviour, more than
# 2 GB resident or a single allocation over 4.2 GB; the reproducer is left in build-fuzz/
# (crash-*, oom-*, leak-*). The malloc limit is above 4 GB on purpose: on the DCMTK fallback path
# (files that are not Explicit VR Little Endian Part-10), DCMTK reserves an element's declared
# 32-bit length before it notices the bytes are missing; that reservation is virtual, fails
# cleanly and is refused as Corruption (see docs/fuzzing.md). The native path never does this.
set -euo pipefail
seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds N]" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-fuzz"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$build"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DORTHANC_ECG_FUZZ=ON -DCMAKE_CXX_FLAGS="$flags" \
  > "$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" --target decoder_fuzzer decoder_fuzz_seeds -j2
mkdir -p "$build/seeds" "$build/corpus"
"$build/tests/fuzz/decoder_fuzz_seeds" "$build/seeds"
cd "$build"
./tests/fuzz/decoder_fuzzer -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=4200 \
  -timeout=10 -print_final_stats=1 corpus seeds
