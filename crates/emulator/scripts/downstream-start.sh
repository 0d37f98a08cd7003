#!/usr/bin/env bash
# Measures how long the emulator takes to start in a downstream crate's debug test: a crate
# outside this workspace (so none of its [profile] overrides apply) with a path dependency on
# oci-emulator. Prints `EMULATOR_START first=... second=...` per run.
#
#   crates/emulator/scripts/downstream-start.sh [runs=3] [fresh_key=false]
set -euo pipefail
runs=${1:-3}
fresh=${2:-false}
root=$(cd "$(dirname "$0")/../../.." && pwd)
dir=$(mktemp -d /tmp/oci-emulator-downstream.XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/src" "$dir/tests"
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "downstream"
version = "0.1.0"
edition = "2021"

[dev-dependencies]
oci-emulator = { path = "$root/crates/emulator" }
tokio = { version = "1", features = ["full"] }
TOML
: > "$dir/src/lib.rs"
cat > "$dir/tests/start.rs" <<RS
#[tokio::test]
async fn emulator_start_time() {
    let t = std::time::Instant::now();
    let emu = oci_emulator::Emulator::builder().fresh_key($fresh).start().await.expect("starts");
    let first = t.elapsed();
    let t = std::time::Instant::now();
    let again = oci_emulator::Emulator::builder().fresh_key($fresh).start().await.expect("starts");
    let second = t.elapsed();
    println!("EMULATOR_START first={first:?} second={second:?}");
    emu.shutdown().await;
    again.shutdown().await;
}
RS
cp "$root/Cargo.lock" "$dir/Cargo.lock"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cd "$dir"
cargo test --offline --test start --no-run -q 2>/dev/null || cargo test --test start --no-run -q
for _ in $(seq "$runs"); do
  cargo test --offline -q --test start -- --nocapture 2>/dev/null | grep EMULATOR_START
done
