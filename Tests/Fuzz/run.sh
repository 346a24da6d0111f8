#!/usr/bin/env bash
# Builds the fuzz harness (Tests/Fuzz/FuzzHarness.swift and FuzzTargets.swift over the Protocol
# and Realtime sources) under libFuzzer and AddressSanitizer, then fuzzes one target or each in
# turn (not part of `swift test`, which only replays the corpora; see docs/SECURITY.md):
#   Tests/Fuzz/run.sh [SECONDS [TARGET...]]   (from the repository root; default 300 s, every target)
# Targets: frames http json token api-bodies log-segment log-payload.
# New interesting inputs go to $out/corpus/<target> (the checked-in corpus is read, never
# written); crashes are left as $out/<target>-crash-* (see Tests/Fuzz/crashes/README.md). To
# reduce a run's finds to the inputs that add edges before checking some in (docs/SECURITY.md):
#   PARTYHUB_FUZZ_TARGET=<target> $out/fuzz -set_cover_merge=1 -use_counters=0 NEW Tests/Fuzz/corpus/<target> $out/corpus/<target>
set -euo pipefail
seconds=${1:-300}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=(frames http json token api-bodies log-segment log-payload); fi
out=${PARTYHUB_FUZZ_DIR:-/tmp/partyhub-fuzz}
build="$out/build"
mkdir -p "$build"
# PARTYHUB_FUZZ_NO_BUILD=1 reuses $out/fuzz (the build takes minutes).
if [ -z "${PARTYHUB_FUZZ_NO_BUILD:-}" ] || [ ! -x "$out/fuzz" ]; then
flags=(-sanitize=fuzzer,address -O -parse-as-library -g)
# The C helpers Realtime imports, with a module map like the one SwiftPM generates.
clang -fsanitize=fuzzer-no-link,address -O1 -c Sources/CPartyHubSystem/system.c -I Sources/CPartyHubSystem/include -o "$build/system.o"
clang -fsanitize=fuzzer-no-link,address -O1 -c Sources/CPartyHubSystem/crc32c.c -I Sources/CPartyHubSystem/include -o "$build/crc32c.o"
cat > "$build/module.modulemap" <<MAP
module CPartyHubSystem {
    umbrella header "$PWD/Sources/CPartyHubSystem/include/CPartyHubSystem.h"
    export *
}
MAP
openssl=(-Xcc -fmodule-map-file=Sources/COpenSSL/module.modulemap -I Sources/COpenSSL)
# -enable-testing: the targets reach internal decoders (HubInput(decodingPayload:)) through
# `@testable import`, as the tests do.
swiftc "${flags[@]}" -enable-testing -module-name Protocol -emit-module -emit-module-path "$build/Protocol.swiftmodule" \
  -emit-object -wmo -o "$build/Protocol.o" "${openssl[@]}" $(find Sources/Protocol -name '*.swift')
swiftc "${flags[@]}" -enable-testing -module-name Realtime -emit-module -emit-module-path "$build/Realtime.swiftmodule" \
  -emit-object -wmo -o "$build/Realtime.o" -I "$build" "${openssl[@]}" -Xcc -fmodule-map-file="$build/module.modulemap" \
  $(find Sources/Realtime -name '*.swift')
swiftc "${flags[@]}" -module-name FuzzHarness -I "$build" "${openssl[@]}" -Xcc -fmodule-map-file="$build/module.modulemap" \
  Tests/Fuzz/FuzzHarness.swift Tests/Fuzz/FuzzTargets.swift "$build/Protocol.o" "$build/Realtime.o" \
  "$build/system.o" "$build/crc32c.o" -lssl -lcrypto -o "$out/fuzz"
fi
for target in "${targets[@]}"; do
  mkdir -p "$out/corpus/$target"
  echo "== $target: ${seconds}s"
  # The first directory is where libFuzzer writes; the checked-in ones are only read.
  dirs=("$out/corpus/$target")
  for dir in "Tests/Fuzz/corpus/$target" "Tests/Fuzz/crashes/$target"; do [ -d "$dir" ] && dirs+=("$dir"); done
  PARTYHUB_FUZZ_TARGET=$target "$out/fuzz" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$out/$target-" "${dirs[@]}" 2>&1 | tail -n 25
done
