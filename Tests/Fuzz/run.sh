#!/usr/bin/env bash
# Builds the Protocol sources with this harness under libFuzzer and AddressSanitizer and fuzzes
# them for a while (not part of `swift test`; a run is minutes):
#   Tests/Fuzz/run.sh [SECONDS]        (from the repository root; default 300)
set -euo pipefail
seconds=${1:-300}
out=${PARTYHUB_FUZZ_DIR:-/tmp/partyhub-fuzz}
mkdir -p "$out/corpus"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name FuzzProtocol \
  -Xcc -fmodule-map-file=Sources/COpenSSL/module.modulemap -I Sources/COpenSSL \
  $(find Sources/Protocol -name '*.swift') Tests/Fuzz/FuzzProtocol.swift -o "$out/fuzz-protocol" -lssl -lcrypto
"$out/fuzz-protocol" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 "$out/corpus"
