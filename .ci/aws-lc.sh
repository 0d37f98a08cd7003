#!/usr/bin/env bash
# Signing conformance with the aws-lc-rs backend (oci-core feature `aws-lc-signer`).
#
# aws-lc-sys compiles AWS-LC from C source with the `cc` crate: it needs a C compiler. On
# platforms where that build is not supported it switches to cmake; this script then installs
# cmake (apt-get, as root) and tries again. It checks that clippy is clean with the feature on and
# that the 52 signing vectors are byte-equal to the Python SDK's with this backend. Exits
# non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CARGO_TERM_COLOR=never

can_apt() { command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; }
apt_install() {
    echo "== installing $* for aws-lc-sys"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! command -v cc >/dev/null 2>&1; then
    if can_apt; then apt_install build-essential; else echo "== no C compiler (cc): aws-lc-sys will not build"; fi
fi

echo "== build oci-core --features aws-lc-signer"
if ! cargo build -q -p oci-core --features aws-lc-signer; then
    if ! command -v cmake >/dev/null 2>&1 && can_apt; then
        apt_install cmake
        cargo build -q -p oci-core --features aws-lc-signer
    else
        exit 1
    fi
fi

echo "== clippy, oci-core --features aws-lc-signer"
cargo clippy -q -p oci-core --all-targets --features aws-lc-signer -- -D warnings

echo "== signing conformance, oci-core --features aws-lc-signer"
cargo test -q -p oci-core --features aws-lc-signer --test signing_conformance
