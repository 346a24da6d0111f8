#!/usr/bin/env bash
# Builds the churn bot offline (Go standard library only: a module with no requirements, no
# downloads) into ${PARTYHUB_BENCH_CACHE:-/tmp/partyhub-bench}/churn/churn and prints that path.
# Rebuilds only when the sources (the non-test .go files and go.mod) changed since the last build.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
cache=${PARTYHUB_BENCH_CACHE:-/tmp/partyhub-bench}
dir="$cache/churn"
out="$dir/churn"
if ! command -v go >/dev/null; then
  echo "churn/build.sh: installing golang (Debian package)" >&2
  apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y golang >&2
fi
mkdir -p "$dir" "$cache/gocache"
sources=$(cd "$here" && ls go.mod *.go | grep -v '_test\.go$' | sort)
stamp=$( (cd "$here" && cat $sources; go version) | sha256sum | cut -d' ' -f1)
if [[ ! -x "$out" || ! -f "$out.stamp" || $(cat "$out.stamp") != "$stamp" ]]; then
  (cd "$here" && GO111MODULE=on GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOCACHE="$cache/gocache" \
     go build -trimpath -o "$out.tmp" .) >&2
  mv -f "$out.tmp" "$out"
  echo "$stamp" >"$out.stamp"
  echo "churn/build.sh: built $out" >&2
fi
echo "$out"
