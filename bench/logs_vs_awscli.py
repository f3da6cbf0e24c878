"""triage logs against the AWS CLI, on the same data in one run.

Seeds moto (through the project's test harness) with 20 log groups x 20,000
events over the last hour: the correlation ID in 5 groups, near-miss IDs
(`corr-7f3a9c1`, `xcorr-7f3a9c`) in others, the rest noise. Then, on that
data:

  1. `triage logs corr-7f3a9c --engine filter --log-group ...` (release build;
     it also lists the ECS clusters, for the watched services' own groups)
  2. the AWS CLI as a user would loop it:
     for g in groups: aws logs filter-log-events --log-group-name g
                        --filter-pattern '"corr-7f3a9c"' --start-time ... --end-time ...

and reports wall time, time to the first hit on screen, requests sent (the
harness counts every call) and lines found. Run it with:

  bench/logs_vs_awscli.sh
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GROUPS = 20
EVENTS = 20_000
ID = "corr-7f3a9c"
WITH_ID = 5
HITS_PER_GROUP = 4
REGION = "us-east-1"


def harness():
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests/it/support/moto_harness.py"), "--parent-pid", str(os.getpid())],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    return proc, f"http://127.0.0.1:{int(line.split()[1])}"


def calls(endpoint, reset=False):
    req = urllib.request.Request(endpoint + "/_triage/calls", method="DELETE" if reset else "GET")
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def seed(endpoint, now_ms):
    logs = boto3.client(
        "logs", region_name=REGION, endpoint_url=endpoint,
        aws_access_key_id="test", aws_secret_access_key="test",
    )
    groups = [f"/ecs/bench/svc-{i:02d}" for i in range(GROUPS)]
    start = now_ms - 3_600_000
    for g, group in enumerate(groups):
        logs.create_log_group(logGroupName=group)
        streams = [f"app/api/task{s}" for s in range(4)]
        for s in streams:
            logs.create_log_stream(logGroupName=group, logStreamName=s)
        per_stream = EVENTS // len(streams)
        for s_index, stream in enumerate(streams):
            events = []
            for i in range(per_stream):
                ts = start + (i * 3_600_000) // per_stream + s_index
                rid = f"req-{g:02d}{s_index}{i:06d}"
                msg = json.dumps({"level": "info", "service": f"svc-{g:02d}", "msg": "GET /api 200", "correlationId": rid})
                events.append({"timestamp": ts, "message": msg})
            if s_index == 0:
                for h in range(HITS_PER_GROUP):
                    at = (h + 1) * per_stream // (HITS_PER_GROUP + 1)
                    cid = ID if g < WITH_ID else (f"{ID}1" if g % 2 else f"x{ID}")
                    events[at]["message"] = json.dumps(
                        {"level": "info", "service": f"svc-{g:02d}", "msg": f"hop {h}", "correlationId": cid}
                    )
            for b in range(0, len(events), 5_000):
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events[b:b + 5_000])
    return groups


def timed(cmd, env):
    """Run `cmd`; return (seconds, seconds to the first non-empty stdout line, stdout)."""
    started = time.monotonic()
    first = None
    out = []
    with subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as p:
        for line in p.stdout:
            if first is None and line.strip():
                first = time.monotonic() - started
            out.append(line)
        p.wait()
    return time.monotonic() - started, first, "".join(out)


def main():
    awscli = sys.argv[1]
    triage = os.path.join(ROOT, "target/release/triage")
    proc, endpoint = harness()
    now_ms = int(time.time() * 1000)
    t = time.monotonic()
    groups = seed(endpoint, now_ms)
    print(f"seeded {GROUPS} groups x {EVENTS} events in {time.monotonic() - t:.1f}s", file=sys.stderr)
    home = tempfile.mkdtemp()
    env = dict(os.environ, HOME=home, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
               AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
               XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_DATA_HOME=os.path.join(home, "data"))

    # Warm moto up (its first FilterLogEvents imports and indexes), so neither
    # tool pays for that.
    warm = boto3.client("logs", region_name=REGION, endpoint_url=endpoint,
                        aws_access_key_id="test", aws_secret_access_key="test")
    for g in groups:
        warm.filter_log_events(logGroupName=g, filterPattern='"warm-up"', limit=1)
    # triage also lists the ECS clusters (for the services' own groups); moto
    # builds its ECS backend on the first such call.
    boto3.client("ecs", region_name=REGION, endpoint_url=endpoint,
                 aws_access_key_id="test", aws_secret_access_key="test").list_clusters()

    calls(endpoint, reset=True)
    cmd = [triage, "--endpoint-url", endpoint, "--region", REGION, "logs", ID, "--engine", "filter",
           "--since", "2h", "-o", "json"]
    for g in groups:
        cmd += ["--log-group", g]
    t_wall, t_first, out = timed(cmd, env)
    t_calls = calls(endpoint)
    t_lines = len([l for l in out.splitlines() if l.strip()])

    calls(endpoint, reset=True)
    started = time.monotonic()
    first = None
    c_lines = 0
    for g in groups:
        _, _, out = timed([awscli, "logs", "filter-log-events", "--endpoint-url", endpoint, "--region", REGION,
                           "--log-group-name", g, "--filter-pattern", f'"{ID}"',
                           "--start-time", str(now_ms - 7_200_000), "--end-time", str(now_ms + 60_000),
                           "--output", "json"], env)
        found = len(json.loads(out).get("events", []))
        if found and first is None:
            first = time.monotonic() - started
        c_lines += found
    c_wall = time.monotonic() - started
    c_calls = calls(endpoint)

    def total(c):
        return sum(n for k, n in c.items() if k.endswith("FilterLogEvents")), sum(c.values())

    rows = [
        ("triage logs --engine filter", t_wall, t_first, total(t_calls), t_lines),
        ("aws logs filter-log-events loop", c_wall, first, total(c_calls), c_lines),
    ]
    print(f"{'':34} {'wall':>8} {'first hit':>10} {'FilterLogEvents':>16} {'all calls':>10} {'lines':>6}")
    for name, wall, first_hit, (fle, all_calls), lines in rows:
        fh = f"{first_hit:.2f}s" if first_hit is not None else "-"
        print(f"{name:34} {wall:>7.2f}s {fh:>10} {fle:>16} {all_calls:>10} {lines:>6}")
    print(f"speed-up: {c_wall / t_wall:.1f}x; expected lines with the ID: {WITH_ID * HITS_PER_GROUP} "
          f"(the CLI's quoted term also returns the near misses)")
    proc.terminate()


if __name__ == "__main__":
    main()
