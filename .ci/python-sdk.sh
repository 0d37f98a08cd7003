#!/usr/bin/env bash
# Runs the official OCI Python SDK quickstart against the oci-emulator binary.
#
# Creates a venv in .ci-venv (or uses $OCI_SDK_VENV if it names an existing venv with `oci`),
# installs `oci` from PyPI (version $OCI_SDK_VERSION, default 2.189.0, the reference's),
# builds and starts the emulator with a temporary --config-dir, runs
# tests/python/sdk_quickstart.py against it, then tests/python/instance_principal.py (the SDK's
# InstancePrincipalsSecurityTokenSigner with OCI_METADATA_BASE_URL=<endpoint>/opc/v2 and
# federation_endpoint=<endpoint>/v1/x509, and a resource principal v2.2 from a minted RPST),
# and stops it. Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="${OCI_SDK_VENV:-$root/.ci-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import oci" 2>/dev/null; then
    echo "== creating $venv and installing oci"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet "oci==${OCI_SDK_VERSION:-2.189.0}"
fi
"$venv/bin/python" -c "import oci; print('== oci python sdk', oci.__version__)"

echo "== building oci-emulator"
cargo build --quiet -p oci-emulator --bin oci-emulator
target_dir="${CARGO_TARGET_DIR:-$root/target}"
bin="$target_dir/debug/oci-emulator"

work="$(mktemp -d)"
pid=""
cleanup() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" --listen 127.0.0.1:0 --config-dir "$work/config" --data-dir "$work/data" --seed 5 --explain \
    >"$work/emulator.log" 2>&1 &
pid=$!
for _ in $(seq 1 200); do
    [ -s "$work/config/endpoint" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "oci-emulator exited early:"; cat "$work/emulator.log"; exit 1
    fi
    sleep 0.1
done
if [ ! -s "$work/config/endpoint" ]; then
    echo "oci-emulator did not start:"; cat "$work/emulator.log"; exit 1
fi
endpoint="$(cat "$work/config/endpoint")"
echo "== emulator at $endpoint"

status=0
"$venv/bin/python" tests/python/sdk_quickstart.py "$work/config/config" "$endpoint" || status=$?
if [ "$status" -eq 0 ]; then
    echo "== workload identity (instance principal, resource principal v2.2)"
    OCI_METADATA_BASE_URL="$endpoint/opc/v2" \
        "$venv/bin/python" tests/python/instance_principal.py "$endpoint" || status=$?
fi
if [ "$status" -ne 0 ]; then
    echo "== python sdk check failed ($status); emulator log:"
    cat "$work/emulator.log"
    echo "== journal:"
    curl -s "$endpoint/_emulator/journal" || true
    echo
fi
exit "$status"
