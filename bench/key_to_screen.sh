#!/usr/bin/env bash
# Key to changed screen in the release binary, in a pty (see key_to_screen.py).
# Provisions what it needs: the release build and a venv with pyte.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/bench-venv/bin/python ] || ! target/bench-venv/bin/python -c 'import pyte' 2>/dev/null; then
  python3 -m venv target/bench-venv
  target/bench-venv/bin/python -m pip install --quiet --disable-pip-version-check 'pyte>=0.8,<0.9'
fi
exec target/bench-venv/bin/python bench/key_to_screen.py
