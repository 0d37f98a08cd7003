#!/usr/bin/env bash
# Runs every property ("fuzz") target for N minutes each (default 1) and prints the cases each
# ran. The same targets run for a few seconds each in `cargo test`.
#
#   scripts/fuzz.sh 10            # 10 minutes per target
#   ARBTEST_SEED=0x... cargo test --test fuzz_parsers fuzz_config_file   # replay a failure
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-1}"
export OCI_FUZZ_MS="${OCI_FUZZ_MS:-$(( minutes * 60000 ))}"
report="$(mktemp)"
export OCI_FUZZ_REPORT="$report"

targets=(
  "fuzz_parsers fuzz_config_file"
  "fuzz_parsers fuzz_private_key_pem"
  "fuzz_parsers fuzz_private_key_bytes"
  "fuzz_models fuzz_model_json"
  "fuzz_responses fuzz_error_body_and_headers"
  "fuzz_responses fuzz_responses_through_the_stack"
  "fuzz_wire fuzz_signer_round_trip"
  "fuzz_wire fuzz_tampered_signed_request"
  "fuzz_wire fuzz_emulator_raw_requests"
)
cargo test --test fuzz_parsers --test fuzz_models --test fuzz_responses --test fuzz_wire --no-run -q
log="$(mktemp)"
trap 'rm -f "$report" "$log"' EXIT
failed=0
for t in "${targets[@]}"; do
  set -- $t
  echo "== $2 (${minutes} min)"
  if cargo test -q --test "$1" "$2" -- --exact --nocapture >"$log" 2>&1; then
    grep -E '^(fuzz|secrets) ' "$log" || true
  else
    failed=1
    grep -aiE '^fuzz |panicked|seed|error' "$log" || tail -20 "$log"
  fi
done
echo
echo "cases per target:"
cat "$report"
[ "$failed" = 0 ] || { echo "some target crashed: replay with ARBTEST_SEED=<seed> (printed above)"; exit 1; }
