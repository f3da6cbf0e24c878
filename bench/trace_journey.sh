#!/usr/bin/env bash
# Where the time went, measured as a person feels it: the console's Enter on
# a log line to the drawn waterfall (demo), and `triage trace` beside `triage
# logs` and a boto3 floor against moto (see trace_journey.py). Provisions the
# release build and moto's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/moto-venv/bin/python ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi
target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'pyte>=0.8,<0.9'
exec target/moto-venv/bin/python bench/trace_journey.py
