#!/usr/bin/env bash
# What `triage changes` costs against the harness's CloudTrail, cold and
# warm, beside the boto3 floor (see changes_calls.py). Provisions the release
# build and moto's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/moto-venv/bin/python ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi
exec target/moto-venv/bin/python bench/changes_calls.py
