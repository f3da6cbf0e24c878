#!/usr/bin/env bash
# Ten (account, Region) pairs of 200 services: `triage status` beside the boto3
# floor, then the console in tmux (first row, whole screen, steady-state calls);
# see pairs_scale.py. Provisions the release build and moto's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/moto-venv/bin/python ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5' 'cbor2>=5,<6'
fi
exec target/moto-venv/bin/python bench/pairs_scale.py
