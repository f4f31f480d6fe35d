#!/usr/bin/env bash
# Builds fleetline_core, its unit tests and fleetline-sim for the host with
# AddressSanitizer and UBSan, then runs the tests. Installs nothing; see
# ../README.md for the Debian packages it needs. Safe to run repeatedly.
set -euo pipefail

host_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="$(dirname "$host_dir")/build-host"

cmake -S "$host_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build_dir" --parallel 2
ctest --test-dir "$build_dir" --output-on-failure --parallel 2

echo "fleetline-sim: $build_dir/fleetline-sim"
