#!/usr/bin/env bash
# Diagnosis and search costs against moto, cold and warm, beside the boto3
# floor (see aws_costs.py). Provisions the release build and moto's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/moto-venv/bin/python ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi
exec target/moto-venv/bin/python bench/aws_costs.py
