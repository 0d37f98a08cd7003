#!/usr/bin/env bash
# Builds every example in examples/ and runs each one with no arguments and no configuration,
# under a timeout; fails if any example fails to build, exits non-zero, or times out.
#
#   .ci/examples.sh                    # every example
#   .ci/examples.sh quickstart retry_faults
#   EXAMPLE_TIMEOUT=120 .ci/examples.sh
#
# Each example must finish on its own in a few seconds in a debug build (they start the
# in-process emulator; none needs a network or an OCI account). Set CARGO_PROFILE=release to
# run release builds instead.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

timeout_secs="${EXAMPLE_TIMEOUT:-60}"
profile="${CARGO_PROFILE:-dev}"

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in examples/*.rs examples/*/main.rs; do
        [ -e "$f" ] || continue
        case "$f" in
            */main.rs) n="$(basename "$(dirname "$f")")" ;;
            *) n="$(basename "$f" .rs)" ;;
        esac
        names+=("$n")
    done
fi
if [ "${#names[@]}" -eq 0 ]; then
    echo "no examples found in examples/"
    exit 1
fi

# The services the data-plane examples use (their `required-features`).
features="${EXAMPLE_FEATURES:-secrets,vault,keymanagement,queue,streaming}"
build_args=(--profile "$profile" --features "$features")
for n in "${names[@]}"; do
    build_args+=(--example "$n")
done
echo "== building ${#names[@]} examples (${profile})"
cargo build "${build_args[@]}"

target_dir="${CARGO_TARGET_DIR:-}"
if [ -z "$target_dir" ]; then
    target_dir="$(cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
fi
case "$profile" in
    dev) out="$target_dir/debug/examples" ;;
    *) out="$target_dir/$profile/examples" ;;
esac

failed=()
for n in "${names[@]}"; do
    bin="$out/$n"
    echo
    echo "== example $n (timeout ${timeout_secs}s)"
    start=$(date +%s.%N)
    status=0
    timeout --kill-after=5 "$timeout_secs" "$bin" </dev/null || status=$?
    took=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
    if [ "$status" -eq 0 ]; then
        echo "== example $n: ok in ${took}s"
    elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "== example $n: TIMED OUT after ${took}s"
        failed+=("$n (timeout)")
    else
        echo "== example $n: FAILED with exit status $status after ${took}s"
        failed+=("$n (exit $status)")
    fi
done

echo
if [ "${#failed[@]}" -gt 0 ]; then
    echo "== ${#failed[@]} of ${#names[@]} examples failed: ${failed[*]}"
    exit 1
fi
echo "== all ${#names[@]} examples passed"
