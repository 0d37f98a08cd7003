#!/usr/bin/env bash
# The C toolchain the default build needs, then signing conformance on every backend.
#
# oci-core's default crypto is aws-lc-rs (feature `aws-lc`): aws-lc-sys compiles AWS-LC from C
# source with the `cc` crate, so a default build needs a C compiler. On platforms where that build
# is not supported it switches to cmake. `.ci/aws-lc.sh toolchain` installs what a fresh Debian
# machine lacks (build-essential; cmake only if the build asks for it; apt-get, as root) and
# builds oci-core's default. `.ci/aws-lc.sh backends` checks that the 52 signing vectors are
# byte-equal to the Python SDK's with each backend (aws-lc-rs, ring, rsa), that each run really
# used the backend it names, that ring and rsa-signer builds stay clippy-clean, and that a ring
# build of the facade compiles without AWS-LC. Exits non-zero on any
# failure.
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

toolchain() {
    if ! command -v cc >/dev/null 2>&1; then
        if can_apt; then apt_install build-essential; else echo "== no C compiler (cc): aws-lc-sys will not build"; fi
    fi
    echo "== build oci-core (default features: aws-lc)"
    if ! cargo build -q -p oci-core; then
        if ! command -v cmake >/dev/null 2>&1 && can_apt; then
            apt_install cmake
            cargo build -q -p oci-core
        else
            exit 1
        fi
    fi
}

backends() {
    echo "== signing conformance, oci-core default (aws-lc-rs)"
    OCI_EXPECT_SIGNING_BACKEND=aws-lc-rs cargo test -q -p oci-core --test signing_conformance
    echo "== signing conformance, oci-core --no-default-features --features ring"
    OCI_EXPECT_SIGNING_BACKEND=ring cargo test -q -p oci-core --no-default-features --features ring --test signing_conformance
    echo "== clippy, oci-core --no-default-features --features ring"
    cargo clippy -q -p oci-core --all-targets --no-default-features --features ring -- -D warnings
    echo "== the ring build of the facade and service crates compiles no AWS-LC"
    ring_facade=(-p oci-tower --no-default-features --features ring,webpki-roots,identity,objectstorage,delegateaccesscontrol)
    cargo check -q "${ring_facade[@]}"
    if cargo tree -e normal "${ring_facade[@]}" | grep -q aws-lc; then
        echo "aws-lc in the dependency tree of a ring build"; exit 1
    fi
    echo "== signing conformance, oci-core --features rsa-signer (pure Rust)"
    OCI_EXPECT_SIGNING_BACKEND=rsa cargo test -q -p oci-core --features rsa-signer --test signing_conformance
    echo "== clippy, oci-core --features rsa-signer"
    cargo clippy -q -p oci-core --all-targets --features rsa-signer -- -D warnings
    echo "== oci-core without any crypto feature refuses to build, naming the features"
    if out="$(cargo check -q -p oci-core --no-default-features 2>&1)"; then
        echo "expected a compile error without aws-lc or ring"; exit 1
    fi
    grep -q "enable its \`aws-lc\` feature" <<<"$out"
}

case "${1:-all}" in
    toolchain) toolchain ;;
    backends) backends ;;
    all) toolchain; backends ;;
    *) echo "usage: $0 [toolchain|backends|all]"; exit 2 ;;
esac
