#!/usr/bin/env bash
# Runs a matrix of OCI CLI commands against the oci-emulator binary, with and without
# --data-dir, and checks the data that comes back: buckets, put/get/head/list/delete,
# bulk-upload/bulk-download/bulk-delete, sync, copy (a work request), rename, a pre-authenticated
# request fetched with curl, object versions, a retention rule (409), archive + restore, and a
# compartment deleted with --wait-for-state;
# then the Python SDK's tests/python/os_semantics.py (UploadManager with CRC32C and more).
#
# Installs the CLI (oci-cli, version $OCI_CLI_VERSION or the newest) into .ci-venv (or uses
# $OCI_CLI_VENV). Exits non-zero on the first failure, with the emulator's log and journal.
set -Eeuo pipefail
export SUPPRESS_LABEL_WARNING=True OCI_CLI_SUPPRESS_FILE_PERMISSIONS_WARNING=True

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)

venv="${OCI_CLI_VENV:-$root/.ci-venv}"
if [ ! -x "$venv/bin/oci" ]; then
    echo "== installing oci-cli into $venv"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "oci-cli${OCI_CLI_VERSION:+==$OCI_CLI_VERSION}"
fi
echo "== $("$venv/bin/oci" --version | head -1 | sed 's/^/oci-cli /')"

echo "== building oci-emulator"
cargo build --quiet -p oci-emulator --bin oci-emulator
bin="${CARGO_TARGET_DIR:-$root/target}/debug/oci-emulator"

work="$(mktemp -d)"
pid=""
stop() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        pid=""
    fi
}
endpoint=""
log=/dev/null
fail() {
    exec 1>&2
    echo "FAIL: $*"
    [ -f "$log" ] && { echo "== emulator log"; tail -50 "$log"; }
    [ -n "$endpoint" ] && { echo "== journal (last)"; curl -s "$endpoint/_emulator/journal" | tail -c 3000; echo; }
    exit 1
}
trap 'stop' EXIT
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

jqpy() { "$venv/bin/python" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

run_matrix() {
    local mode="$1"; shift
    local dir="$work/$mode"
    mkdir -p "$dir"
    log="$dir/emulator.log"
    start_emulator "$dir" "$@"
    local cfg="$dir/config/config"
    oci() { "$venv/bin/oci" --config-file "$cfg" --endpoint "$endpoint" "$@"; }
    local tenancy
    tenancy="$(sed -n 's/^tenancy *= *//p' "$cfg")"
    check() { [ "$1" = "$2" ] || fail "[$mode] $3: got '$1', want '$2'"; }
    matrix
    if [ "$mode" = memory ]; then
        # The official Python SDK (installed with the CLI): UploadManager with CRC32C, copy,
        # rename, versions, a PAR.
        "$venv/bin/python" tests/python/os_semantics.py "$cfg" "$endpoint" || fail "[$mode] python sdk"
    fi
    if [ "$mode" = data-dir ]; then
        oci os bucket create --name keep --compartment-id "$tenancy" >/dev/null
        oci os object put --bucket-name keep --file "$dir/a.txt" --name kept.txt >/dev/null
        stop
        start_emulator "$dir" "$@"
        oci os object get --bucket-name keep --name kept.txt --file "$dir/kept.out" >/dev/null
        cmp "$dir/a.txt" "$dir/kept.out" || fail "[$mode] the object did not survive a restart"
        echo "== [$mode] a restart keeps what was written"
    fi
    stop
    echo "== [$mode] ok"
}

start_emulator() {
    local dir="$1"; shift
    rm -f "$dir/config/endpoint"
    "$bin" --listen 127.0.0.1:0 --config-dir "$dir/config" --seed 9 "$@" >>"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 200); do
        [ -s "$dir/config/endpoint" ] && break
        kill -0 "$pid" 2>/dev/null || fail "the emulator exited early"
        sleep 0.05
    done
    endpoint="$(cat "$dir/config/endpoint")"
    echo "== [$mode] emulator at $endpoint"
}

# The matrix, against the running emulator (uses mode, dir, oci, check, tenancy).
matrix() {

    local ns
    ns="$(oci os ns get | jqpy 'd["data"]')"
    check "${#ns}" 12 "namespace"
    oci os bucket create --name data --compartment-id "$tenancy" >/dev/null

    # put / get / head / list / delete, with metadata.
    printf 'hello from the CLI\n' >"$dir/a.txt"
    oci os object put --bucket-name data --file "$dir/a.txt" --name a.txt --metadata '{"k":"v"}' >/dev/null
    oci os object get --bucket-name data --name a.txt --file "$dir/a.out" >/dev/null
    cmp "$dir/a.txt" "$dir/a.out" || fail "[$mode] get returned other bytes"
    check "$(oci os object head --bucket-name data --name a.txt | jqpy 'd["opc-meta-k"]')" v "head metadata"
    check "$(oci os object list --bucket-name data | jqpy '",".join(o["name"] for o in d["data"])')" a.txt "list"

    # bulk-upload / bulk-download / sync / bulk-delete.
    mkdir -p "$dir/src/sub" "$dir/down"
    for i in 1 2 3 4 5; do head -c $((i * 1000)) /dev/urandom >"$dir/src/f$i.bin"; done
    head -c 2000000 /dev/urandom >"$dir/src/sub/big.bin"
    oci os object bulk-upload --bucket-name data --src-dir "$dir/src" --prefix up/ >/dev/null
    oci os object bulk-download --bucket-name data --prefix up/ --dest-dir "$dir/down" >/dev/null
    diff -r "$dir/src" "$dir/down/up" || fail "[$mode] bulk-download differs from bulk-upload"
    echo "changed" >"$dir/src/f1.bin"
    rm "$dir/src/f2.bin"
    oci os object sync --bucket-name data --src-dir "$dir/src" --prefix up/ --delete >/dev/null
    check "$(oci os object list --bucket-name data --prefix up/ | jqpy 'len(d["data"])')" 5 "sync count"
    oci os object get --bucket-name data --name up/f1.bin --file "$dir/f1.out" >/dev/null
    cmp "$dir/src/f1.bin" "$dir/f1.out" || fail "[$mode] sync did not update f1"

    # copy (a work request the CLI waits for) and rename.
    oci os object copy --bucket-name data --source-object-name a.txt --destination-bucket data \
        --destination-object-name copied.txt --wait-for-state COMPLETED >/dev/null
    oci os object get --bucket-name data --name copied.txt --file "$dir/c.out" >/dev/null
    cmp "$dir/a.txt" "$dir/c.out" || fail "[$mode] copy"
    oci os object rename --bucket-name data --source-name copied.txt --new-name renamed.txt >/dev/null
    oci os object head --bucket-name data --name copied.txt >/dev/null 2>&1 && fail "[$mode] rename kept the source"
    oci os object get --bucket-name data --name renamed.txt --file "$dir/r.out" >/dev/null
    cmp "$dir/a.txt" "$dir/r.out" || fail "[$mode] rename"

    # A pre-authenticated request, fetched with curl (no signature).
    local uri
    uri="$(oci os preauth-request create --bucket-name data --name share --access-type ObjectRead \
        --object-name renamed.txt --time-expires 2099-01-01T00:00:00Z | jqpy 'd["data"]["access-uri"]')"
    curl -sf "$endpoint$uri" -o "$dir/p.out" || fail "[$mode] PAR fetch"
    cmp "$dir/a.txt" "$dir/p.out" || fail "[$mode] PAR bytes"
    check "$(curl -s -o /dev/null -w '%{http_code}' -X PUT --data x "$endpoint$uri")" 404 "PAR write refused"
    check "$(oci os preauth-request list --bucket-name data | jqpy 'len(d["data"])')" 1 "PAR list"

    # Versions.
    oci os bucket create --name vers --compartment-id "$tenancy" --versioning Enabled >/dev/null
    echo one >"$dir/v1"; echo two >"$dir/v2"
    oci os object put --bucket-name vers --file "$dir/v1" --name k >/dev/null
    oci os object put --bucket-name vers --file "$dir/v2" --name k --force >/dev/null
    local first
    first="$(oci os object list-object-versions --bucket-name vers | jqpy '[v["version-id"] for v in d["data"]][-1]')"
    oci os object get --bucket-name vers --name k --version-id "$first" --file "$dir/v.out" >/dev/null
    cmp "$dir/v1" "$dir/v.out" || fail "[$mode] get by version id"
    oci os object delete --bucket-name vers --name k --force >/dev/null
    check "$(oci os object list-object-versions --bucket-name vers | jqpy 'sum(1 for v in d["data"] if v["is-delete-marker"])')" 1 "delete marker"

    # bulk-delete, then both buckets go.
    oci os object bulk-delete --bucket-name data --force >/dev/null
    check "$(oci os object list --bucket-name data | jqpy 'len(d.get("data", []))')" 0 "bulk-delete"
    oci os bucket delete --bucket-name data --force >/dev/null
    for v in $(oci os object list-object-versions --bucket-name vers | jqpy '" ".join(v["version-id"] for v in d["data"])'); do
        oci os object delete --bucket-name vers --name k --version-id "$v" --force >/dev/null
    done
    oci os bucket delete --bucket-name vers --force >/dev/null

    # A retention rule blocks the delete (409); an archived object is 409 until restored.
    oci os bucket create --name rules --compartment-id "$tenancy" >/dev/null
    oci os object put --bucket-name rules --file "$dir/a.txt" --name kept >/dev/null
    oci os object put --bucket-name rules --file "$dir/a.txt" --name cold --storage-tier Archive >/dev/null
    local rid
    rid="$(oci os retention-rule create --bucket-name rules --time-amount 1 --time-unit DAYS | jqpy 'd["data"]["id"]')"
    if oci os object delete --bucket-name rules --name kept --force >/dev/null 2>"$dir/ret.err"; then
        fail "[$mode] a retained object was deleted"
    fi
    grep -q '"status": 409' "$dir/ret.err" || fail "[$mode] retention: $(cat "$dir/ret.err")"
    if oci os object get --bucket-name rules --name cold --file "$dir/cold.out" >/dev/null 2>"$dir/cold.err"; then
        fail "[$mode] an archived object was read"
    fi
    grep -q '"status": 409' "$dir/cold.err" || fail "[$mode] archive: $(cat "$dir/cold.err")"
    oci os object restore --bucket-name rules --name cold --hours 1 >/dev/null
    check "$(oci os object head --bucket-name rules --name cold | jqpy 'd["archival-state"]')" Restoring "restore"
    oci os retention-rule delete --bucket-name rules --retention-rule-id "$rid" --force >/dev/null
    oci os object delete --bucket-name rules --name kept --force >/dev/null

    # A compartment deleted with --wait-for-state (a work request).
    local comp
    comp="$(oci iam compartment create --compartment-id "$tenancy" --name c1 --description d | jqpy 'd["data"]["id"]')"
    oci iam compartment delete --compartment-id "$comp" --force --wait-for-state SUCCEEDED >/dev/null
}

# Both modes at once (the CLI's start-up dominates), each in its own subshell.
run_matrix memory >"$work/memory.out" 2>&1 &
m=$!
run_matrix data-dir --data-dir "$work/data" >"$work/data-dir.out" 2>&1 &
d=$!
status=0
wait "$m" || status=1
wait "$d" || status=1
grep -v '^Uploading\|^Downloading\|^Deleted object\|^Action completed' "$work/memory.out" "$work/data-dir.out" || true
rm -rf "$work"
[ "$status" -eq 0 ] || { echo "== OCI CLI matrix FAILED"; exit 1; }
echo "== OCI CLI matrix passed in $(( $(date +%s) - started ))s"
