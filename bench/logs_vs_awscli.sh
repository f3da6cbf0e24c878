#!/usr/bin/env bash
# triage logs vs the AWS CLI on 20 groups x 20,000 events in moto (see
# logs_vs_awscli.py). Provisions what it needs: the release build, moto's venv
# (the one the tests use) and the AWS CLI in its own venv.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
if [ ! -x target/moto-venv/bin/python ]; then
  python3 -m venv target/moto-venv
  target/moto-venv/bin/python -m pip install --quiet --disable-pip-version-check 'moto[server]==5.2.5'
fi
if [ ! -x target/awscli-venv/bin/aws ]; then
  python3 -m venv target/awscli-venv
  target/awscli-venv/bin/python -m pip install --quiet --disable-pip-version-check awscli
fi
exec target/moto-venv/bin/python bench/logs_vs_awscli.py "$PWD/target/awscli-venv/bin/aws"
