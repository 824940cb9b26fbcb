#!/usr/bin/env bash
# Sets up what is missing, builds everything into build/ and runs the whole test suite.
# Exits non-zero when any step or test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
cmake -S . -B build
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2
