"""Ten (account, Region) pairs of 200 services each: five Regions of the
base account and the same five of a second account reached by STS role
assumption (moto keeps a backend per account id).

- `triage status` over the 10 pairs: wall time to the whole answer and calls
  per pair, beside a floor measured in the same run: boto3 making the
  minimal ECS call sequence for the same services, pair after pair, with no
  budget.
- The console over the same 10 pairs, in tmux (160x48): launch to the first
  service row, and to all 2,000 services ranked on one home screen; then,
  after a minute for the first alarms, metrics and diagnosis passes, every
  call it makes in two minutes of steady state, a minute and a pair.

moto is warmed up first (one read of every pair) so neither pays for the
emulator's lazily built backends.

The harness counts calls by Region; each Region holds two pairs of the same
shape, so a pair's calls are its Region's halved.

Run it with bench/pairs_scale.sh.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aws_costs import TRIAGE, calls, diff, harness  # noqa: E402

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
SECOND = "222233334444"
SERVICES = 200
ROLE = f"arn:aws:iam::{SECOND}:role/triage-read"


def session_for(endpoint, region, second):
    base = dict(region_name=region, endpoint_url=endpoint, aws_access_key_id="AKIDTEST", aws_secret_access_key="secret")
    if not second:
        return base
    creds = boto3.client("sts", **base).assume_role(RoleArn=ROLE, RoleSessionName="bench")["Credentials"]
    return dict(region_name=region, endpoint_url=endpoint, aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])


def seed(endpoint):
    for region in REGIONS:
        for second in (False, True):
            ecs = boto3.client("ecs", **session_for(endpoint, region, second))
            cluster = "ops" if second else "web"
            ecs.create_cluster(clusterName=cluster)
            ecs.register_task_definition(family="app", containerDefinitions=[
                {"name": "app", "image": "app:v1", "memory": 512, "essential": True}])
            for i in range(SERVICES):
                ecs.create_service(cluster=cluster, serviceName=f"svc-{i:03d}", taskDefinition="app:1",
                                   desiredCount=i % 3)


def floor(endpoint):
    """The minimal sequence, one call after another: who am I, the clusters,
    their services (paged), described 10 at a time."""
    started = time.monotonic()
    count = 0
    services = 0
    for region in REGIONS:
        for second in (False, True):
            kwargs = session_for(endpoint, region, second)
            boto3.client("sts", **kwargs).get_caller_identity()
            ecs = boto3.client("ecs", **kwargs)
            count += 2
            for cluster in ecs.list_clusters()["clusterArns"]:
                arns, token = [], None
                while True:
                    page = ecs.list_services(cluster=cluster, **({"nextToken": token} if token else {}))
                    count += 1
                    arns += page["serviceArns"]
                    token = page.get("nextToken")
                    if not token:
                        break
                for i in range(0, len(arns), 10):
                    services += len(ecs.describe_services(cluster=cluster, services=arns[i:i + 10])["services"])
                    count += 1
    return time.monotonic() - started, count, services


def main():
    proc, endpoint = harness()
    try:
        seed(endpoint)
        home = tempfile.mkdtemp()
        with open(os.path.join(home, "aws-config"), "w") as f:
            f.write(f"[profile base]\nregion = us-east-1\n\n[profile second]\nrole_arn = {ROLE}\nsource_profile = base\nregion = us-east-1\n")
        with open(os.path.join(home, "aws-credentials"), "w") as f:
            f.write("[base]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n")
        os.makedirs(os.path.join(home, "config/triage"))
        regions = ", ".join(f'"{r}"' for r in REGIONS)
        with open(os.path.join(home, "config/triage/config.toml"), "w") as f:
            f.write(f'[[accounts]]\nname = "prod"\nprofile = "base"\nregions = [{regions}]\n\n'
                    f'[[accounts]]\nname = "shared"\nprofile = "second"\nregions = [{regions}]\n')
        env = dict(PATH=os.environ["PATH"], HOME=home, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=os.path.join(home, "aws-config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "aws-credentials"),
                   AWS_ENDPOINT_URL_STS=endpoint,
                   XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_DATA_HOME=os.path.join(home, "data"),
                   XDG_CACHE_HOME=os.path.join(home, "cache"), XDG_STATE_HOME=os.path.join(home, "state"))

        def status():
            before = {r: calls(endpoint, r) for r in REGIONS}
            started = time.monotonic()
            out = subprocess.run([TRIAGE, "--endpoint-url", endpoint, "status", "-o", "json"],
                                 env=env, capture_output=True, text=True)
            wall = time.monotonic() - started
            if out.returncode not in (0, 1):
                raise SystemExit(f"triage status failed ({out.returncode}): {out.stderr}")
            per_region = {r: diff(calls(endpoint, r), before[r]) for r in REGIONS}
            return wall, json.loads(out.stdout), per_region

        status()  # warm-up
        floor(endpoint)
        runs = []
        for _ in range(3):
            f_wall, f_calls, f_services = floor(endpoint)
            t_wall, doc, per_region = status()
            runs.append((t_wall, f_wall))
        services = len(doc["services"])
        assert services == 10 * SERVICES == f_services, (services, f_services)
        pairs = {(p["account_name"], p["region"]): p["services"] for p in doc["pairs"]}
        assert all(n == SERVICES for n in pairs.values()), pairs
        region = per_region[REGIONS[0]]
        per_pair = {op: n / 2 for op, n in sorted(region.items())}
        ecs_per_pair = sum(n for op, n in per_pair.items() if op in ("ListClusters", "ListServices", "DescribeServices"))
        print(f"services: {services} over {len(pairs)} pairs")
        for t_wall, f_wall in runs:
            print(f"triage status (10 pairs, concurrent): {t_wall:.2f} s   floor (boto3, sequential): {f_wall:.2f} s")
        print(f"floor calls: {f_calls} ({f_calls / 10:.0f} a pair)")
        print("triage calls a pair, one read: " + ", ".join(f"{op} {n:g}" for op, n in per_pair.items()))
        console(endpoint, env)
    finally:
        proc.kill()


def console(endpoint, env):
    """The console over the 10 pairs in tmux: launch to the first row and to
    all 2,000 services; then calls a minute a pair in steady state."""
    socket = f"triage-bench-{os.getpid()}"
    tmux = lambda *args: subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)
    command = " ".join([
        *(f"{k}='{v}'" for k, v in env.items()),
        TRIAGE, "--endpoint-url", endpoint, "--data-dir", os.path.join(env["HOME"], "incidents"),
    ])
    firsts, wholes = [], []
    for run in range(3):
        started = time.monotonic()
        tmux("new-session", "-d", "-s", "b", "-x", "160", "-y", "48", "sh", "-c", command)
        first = whole = None
        while whole is None and time.monotonic() - started < 120:
            screen = tmux("capture-pane", "-p", "-t", "b").stdout
            if first is None and "svc-" in screen:
                first = time.monotonic() - started
            if f"Services ({10 * SERVICES})" in screen:
                whole = time.monotonic() - started
            time.sleep(0.02)
        if whole is None:
            raise SystemExit("the console never showed every service:\n" + screen)
        firsts.append(first)
        wholes.append(whole)
        if run < 2:
            tmux("kill-server")
    print("console, 10 pairs: launch to the first row " + " / ".join(f"{t:.2f}" for t in firsts)
          + " s; to all 2,000 services ranked " + " / ".join(f"{t:.2f}" for t in wholes) + " s")
    # Steady state: the first minute has the first alarms, metrics and
    # diagnosis passes; then two minutes are counted.
    time.sleep(60)
    before = {r: calls(endpoint, r) for r in REGIONS}
    time.sleep(120)
    after = {r: calls(endpoint, r) for r in REGIONS}
    tmux("kill-server")
    region = diff(after[REGIONS[0]], before[REGIONS[0]])
    per_minute_pair = {op: n / 2 / 2 for op, n in sorted(region.items())}
    total = sum(per_minute_pair.values())
    print(f"console steady state: {total:g} calls a minute a pair ("
          + ", ".join(f"{op} {n:g}" for op, n in per_minute_pair.items()) + ")")


if __name__ == "__main__":
    main()
