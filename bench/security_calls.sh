#!/usr/bin/env bash
# The security reads (egress baseline, groups, secrets, GuardDuty) against moto:
# `triage status` cold and warm beside the boto3 floor, then the console's calls
# see security_calls.py. Provisions the release build and moto's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/moto-venv/bin/python ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5' 'cbor2>=5,<6'
fi
exec target/moto-venv/bin/python bench/security_calls.py
