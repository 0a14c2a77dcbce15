#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 300), seeded with the docs example and the
# Statuspage captures in ../shared. Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on stable Rust
# through RUSTC_BOOTSTRAP, since libFuzzer's sanitizer flags are nightly-only.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-300}
fixtures=$(cd ../../shared/fixtures/statuspage && pwd)
export RUSTC_BOOTSTRAP=1
for target in read_v1 read_statuspage read_any accept sse bundle; do
  mkdir -p "corpus/$target"
  seeds=()
  case $target in
    read_v1) seeds=(seeds/read_v1) ;;
    read_statuspage) seeds=("$fixtures") ;;
    read_any|accept) seeds=(seeds/read_v1 "$fixtures") ;;
    sse | bundle) seeds=() ;;
  esac
  echo "== $target for ${secs}s"
  cargo fuzz run "$target" "corpus/$target" "${seeds[@]}" -- -max_total_time="$secs" -max_len=131072 2>&1 \
    | grep -E '^(#[0-9]+ +DONE|Done|==|SUMMARY|.*panicked)' || true
  if ls artifacts/"$target"/crash-* >/dev/null 2>&1; then
    echo "CRASH in $target: see fuzz/artifacts/$target" >&2
    exit 1
  fi
done
