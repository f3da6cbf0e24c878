"""What diagnosis and search cost against moto: calls by API and wall time,
cold (empty cache) and warm (the same cache again), each beside a floor
measured in the same run: boto3 making the minimal call sequence one call
after another.

Worlds (seeded through the project's moto harness, which counts every call
and pages ECS list calls by 10 where AWS pages by 100):

  diagnosis, small   2 clusters, 26 services, 18 stopped tasks (OOM-killed)
  diagnosis, large   2 clusters, 500 services, 300 stopped tasks
  search             26 log groups x 4,000 events in us-east-1, the ID in
                     12 lines (near-miss IDs elsewhere)

Run it with bench/aws_costs.sh.
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
TRIAGE = os.path.join(ROOT, "target/release/triage")
ID = "corr-5e1d2a"


def harness():
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tests/it/support/moto_harness.py"), "--parent-pid", str(os.getpid())],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    line = proc.stdout.readline()
    assert line.startswith("PORT "), line
    endpoint = f"http://127.0.0.1:{int(line.split()[1])}"
    body = json.dumps({"model_name": "ecs::task", "transition": {"progression": "manual", "times": 1000000}}).encode()
    urllib.request.urlopen(urllib.request.Request(endpoint + "/moto-api/state-manager/set-transition", data=body, method="POST"))
    return proc, endpoint


def post(endpoint, path, body):
    req = urllib.request.Request(endpoint + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def calls(endpoint, region):
    with urllib.request.urlopen(endpoint + "/_triage/calls") as r:
        counts = json.loads(r.read())
    return {k.split(" ", 1)[1]: v for k, v in counts.items() if k.startswith(region + " ")}


def diff(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0) > 0}


def client(service, endpoint, region):
    return boto3.client(service, region_name=region, endpoint_url=endpoint,
                        aws_access_key_id="test", aws_secret_access_key="test")


def seed_services(endpoint, region, clusters, per_cluster, stopped_per_cluster):
    """Each service has a task definition and log group of its own; the first
    `stopped_per_cluster` services of a cluster each have one task stopped
    (OOM-killed) whose log stream holds its last lines."""
    ecs, logs = client("ecs", endpoint, region), client("logs", endpoint, region)
    now = int(time.time())
    for cluster in clusters:
        ecs.create_cluster(clusterName=cluster)
        for i in range(per_cluster):
            name = f"svc-{i:03d}"
            family = f"{cluster}-{name}"
            group = f"/ecs/{cluster}/{name}"
            logs.create_log_group(logGroupName=group)
            ecs.register_task_definition(family=family, containerDefinitions=[{
                "name": "app", "image": f"{family}:v1", "memory": 512, "essential": True,
                "logConfiguration": {"logDriver": "awslogs", "options": {
                    "awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": "ecs"}},
            }])
            ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=f"{family}:1", desiredCount=1)
            if i < stopped_per_cluster:
                task = ecs.run_task(cluster=cluster, taskDefinition=f"{family}:1", group=f"service:{name}",
                                    launchType="FARGATE")["tasks"][0]
                arn = task["taskArn"]
                post(endpoint, "/_triage/ecs/stop-task", {
                    "region": region, "task": arn, "stopCode": "EssentialContainerExited",
                    "stoppedReason": "Essential container in task exited", "stoppedAt": now - 120,
                    "containers": [{"exitCode": 137, "reason": "OutOfMemoryError: Container killed due to memory usage"}],
                })
                stream = f"ecs/app/{arn.rsplit('/', 1)[1]}"
                logs.create_log_stream(logGroupName=group, logStreamName=stream)
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
                    {"timestamp": (now - 180 + s) * 1000, "message": json.dumps({"level": "warn", "msg": f"heap {400 + s} MiB"})}
                    for s in range(50)
                ])


def run_triage(args, env, endpoint, region):
    before = calls(endpoint, region)
    started = time.monotonic()
    out = subprocess.run([TRIAGE, "--endpoint-url", endpoint, "--region", region, *args],
                         env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    if out.returncode not in (0, 1):
        raise SystemExit(f"triage {' '.join(args)} failed ({out.returncode}): {out.stderr}")
    return wall, diff(calls(endpoint, region), before), out


def env_for(home, region):
    return dict(os.environ, HOME=home, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                AWS_REGION=region, AWS_EC2_METADATA_DISABLED="true",
                XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_DATA_HOME=os.path.join(home, "data"),
                XDG_CACHE_HOME=os.path.join(home, "cache"), XDG_STATE_HOME=os.path.join(home, "state"))


def pages(client_call, key, **kwargs):
    out, token = [], None
    while True:
        page = client_call(**kwargs, **({"nextToken": token} if token else {}))
        out.extend(page.get(key, []))
        token = page.get("nextToken")
        if not token:
            return out


def diagnosis_floor(endpoint, region, cold):
    """The fewest calls a diagnosis needs, one after another (boto3)."""
    ecs, logs = client("ecs", endpoint, region), client("logs", endpoint, region)
    before = calls(endpoint, region)
    started = time.monotonic()
    clusters = pages(ecs.list_clusters, "clusterArns")
    tasks = []
    for cluster in clusters:
        arns = pages(ecs.list_tasks, "taskArns", cluster=cluster, desiredStatus="STOPPED")
        for b in range(0, len(arns), 100):
            tasks += ecs.describe_tasks(cluster=cluster, tasks=arns[b:b + 100])["tasks"]
    by_cluster = {}
    for t in tasks:
        if (t.get("group") or "").startswith("service:"):
            by_cluster.setdefault(t["clusterArn"], set()).add(t["group"][8:])
    for cluster, names in by_cluster.items():
        names = sorted(names)
        for b in range(0, len(names), 10):
            ecs.describe_services(cluster=cluster, services=names[b:b + 10])
    tasks.sort(key=lambda t: t.get("stoppedAt", 0), reverse=True)
    if cold:
        # Single-container tasks need no task definition to be decoded; the
        # newest 20 need theirs for the log configuration of their tails.
        for td in sorted({t["taskDefinitionArn"] for t in tasks[:20]}):
            ecs.describe_task_definition(taskDefinition=td)
    for t in tasks[:20]:
        family = t["taskDefinitionArn"].rsplit("/", 1)[1].split(":")[0]
        group = "/ecs/" + family.replace("-svc-", "/svc-", 1)
        logs.get_log_events(logGroupName=group, logStreamName=f"ecs/app/{t['taskArn'].rsplit('/', 1)[1]}",
                            limit=50, startFromHead=False)
    return time.monotonic() - started, diff(calls(endpoint, region), before)


def seed_search(endpoint, region, groups=26, events=4000):
    logs = client("logs", endpoint, region)
    now = int(time.time() * 1000)
    start = now - 3_600_000
    hits = 0
    names = []
    for g in range(groups):
        group = f"/ecs/search/svc-{g:02d}"
        names.append(group)
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="ecs/app/t0")
        batch = []
        for i in range(events):
            cid = f"req-{g:02d}{i:05d}"
            if i % 1000 == 500 and g % 8 == 0 and hits < 12:
                cid, hits = ID, hits + 1
            elif i % 1000 == 700:
                cid = f"{ID}0"  # a near miss
            batch.append({"timestamp": start + i * 900, "message": json.dumps({"msg": "GET /api 200", "correlationId": cid})})
        logs.put_log_events(logGroupName=group, logStreamName="ecs/app/t0", logEvents=batch)
    return names, now


def search_floor(endpoint, region, groups, now):
    logs = client("logs", endpoint, region)
    before = calls(endpoint, region)
    started = time.monotonic()
    found = 0
    for g in groups:
        token = None
        while True:
            page = logs.filter_log_events(logGroupName=g, filterPattern=f'"{ID}"', startTime=now - 7_200_000,
                                          endTime=now + 60_000, **({"nextToken": token} if token else {}))
            found += len(page.get("events", []))
            token = page.get("nextToken")
            if not token:
                break
    return time.monotonic() - started, diff(calls(endpoint, region), before), found


def fmt(c):
    return ", ".join(f"{k} {v}" for k, v in sorted(c.items())) + f" = {sum(c.values())}"


def main():
    proc, endpoint = harness()
    print("| run | wall | calls |\n|---|---|---|")
    # Diagnosis, two worlds, each in a Region of its own.
    for label, region, clusters, per_cluster, stopped in [
        ("26 services / 18 stopped", "eu-west-1", ["web", "data"], 13, 9),
        ("500 services / 300 stopped", "eu-west-2", ["web", "data"], 250, 150),
    ]:
        t = time.monotonic()
        seed_services(endpoint, region, clusters, per_cluster, stopped)
        print(f"seeded {label} in {time.monotonic() - t:.0f} s", file=sys.stderr)
        client("ecs", endpoint, region).list_clusters()  # moto builds its ECS backend lazily
        home = tempfile.mkdtemp(prefix="triage-bench-")
        env = env_for(home, region)
        args = ["diagnose", "--since", "2h", "-o", "json"]
        for temp in ["cold", "warm"]:
            wall, c, out = run_triage(args, env, endpoint, region)
            findings = len(json.loads(out.stdout)["findings"])
            print(f"| diagnose, {label}, {temp} ({findings} findings) | {wall:.2f} s | {fmt(c)} |")
            floor_wall, floor_calls = diagnosis_floor(endpoint, region, temp == "cold")
            print(f"| floor: boto3 minimal sequence, {temp} | {floor_wall:.2f} s | {fmt(floor_calls)} |")
    # Search: 26 groups in us-east-1, known to triage through the services' task definitions.
    region = "us-east-1"
    groups, now = seed_search(endpoint, region)
    ecs = client("ecs", endpoint, region)
    ecs.create_cluster(clusterName="search")
    for g in groups:
        name = g.rsplit("/", 1)[1]
        ecs.register_task_definition(family=name, containerDefinitions=[{
            "name": "app", "image": f"{name}:v1", "memory": 512, "essential": True,
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": g, "awslogs-stream-prefix": "ecs"}},
        }])
        ecs.create_service(cluster="search", serviceName=name, taskDefinition=f"{name}:1", desiredCount=1)
    logs = client("logs", endpoint, region)
    for g in groups:  # moto indexes a group on its first filter; neither side pays for that
        logs.filter_log_events(logGroupName=g, filterPattern='"warm-up"', limit=1)
    home = tempfile.mkdtemp(prefix="triage-bench-")
    env = env_for(home, region)
    for temp in ["cold", "warm"]:
        wall, c, out = run_triage(["logs", ID, "--since", "2h", "-o", "json"], env, endpoint, region)
        lines = len([l for l in out.stdout.splitlines() if l.strip()])
        floor_wall, floor_calls, found = search_floor(endpoint, region, groups, now)
        print(f"| logs, 26 groups, {temp} ({lines} lines) | {wall:.2f} s | {fmt(c)} |")
        print(f"| floor: boto3 FilterLogEvents loop ({found} lines, near misses included) | {floor_wall:.2f} s | {fmt(floor_calls)} |")
        print(f"| ratio {temp}: triage / floor | {wall / floor_wall:.1f}x | |")
    # The warm search's time is triage's own Logs budget (half the quota,
    # burst included): the same search with a budget that lets every group's
    # first page go at once shows it.
    config = os.path.join(home, "config", "triage")
    os.makedirs(config, exist_ok=True)
    with open(os.path.join(config, "config.toml"), "w") as f:
        f.write("[aws]\nlogs_reads_per_second = 12.5\nlogs_burst = 30\n")
    wall, c, out = run_triage(["logs", ID, "--since", "2h", "-o", "json"], env, endpoint, region)
    print(f"| logs, 26 groups, warm, with `logs_burst = 30` (over half the quota) | {wall:.2f} s | {fmt(c)} |")
    proc.terminate()


if __name__ == "__main__":
    main()
