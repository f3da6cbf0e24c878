"""What the security reads cost against moto: one Region, 2 clusters x 25
awsvpc services (each cluster's tasks in a shared security group, a few in
their own), task definitions reading 2 of 20 Secrets Manager secrets each,
a GuardDuty detector with 3 findings, and a day of Container Insights
NetworkTxBytes per service (one of them sending 10x its usual now).

- `triage status -o json`, cold (empty cache: task definitions and the egress
  baseline read) and warm (both from the cache), calls by API, beside a floor
  measured in the same run: boto3 making the minimal call sequence for the
  same answer, one call after another.
- The console in tmux (160x48): after a minute for the first reads, every
  call it makes in two minutes, a minute.

Run it with bench/security_calls.sh.
"""

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

import boto3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aws_costs import TRIAGE, calls, client, diff, harness, post  # noqa: E402

REGION = "us-west-2"
CLUSTERS = ["web", "jobs"]
PER_CLUSTER = 25
SECRETS = 20


def seed(endpoint):
    ec2, ecs, sm = (client(s, endpoint, REGION) for s in ("ec2", "ecs", "secretsmanager"))
    cw, gd = client("cloudwatch", endpoint, REGION), client("guardduty", endpoint, REGION)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    arns = [sm.create_secret(Name=f"prod/s{i:02d}", SecretString="x")["ARN"] for i in range(SECRETS)]
    now = datetime.datetime.now(datetime.timezone.utc)
    for c, cluster in enumerate(CLUSTERS):
        ecs.create_cluster(clusterName=cluster)
        shared = ec2.create_security_group(GroupName=f"{cluster}-tasks", Description="x", VpcId=vpc)["GroupId"]
        for i in range(PER_CLUSTER):
            name = f"svc-{i:02d}"
            groups = [shared]
            if i % 5 == 0:
                groups.append(ec2.create_security_group(GroupName=f"{cluster}-{name}", Description="x",
                                                        VpcId=vpc)["GroupId"])
            family = f"{cluster}-{name}"
            ecs.register_task_definition(family=family, networkMode="awsvpc", containerDefinitions=[{
                "name": "app", "image": "app:v1", "memory": 512, "essential": True,
                "secrets": [{"name": "A", "valueFrom": arns[(i + c) % SECRETS]},
                            {"name": "B", "valueFrom": arns[(i + c + 7) % SECRETS]}]}])
            ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=f"{family}:1", desiredCount=0,
                               networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet],
                                                                             "securityGroups": groups}})
            usual = 20_000.0 + 1000 * i
            points = [(now - datetime.timedelta(minutes=m), usual) for m in range(65, 1500, 5)]
            recent = usual * (10 if (c, i) == (0, 3) else 1)
            points += [(now - datetime.timedelta(minutes=m), recent) for m in range(1, 6)]
            for k in range(0, len(points), 500):
                cw.put_metric_data(Namespace="ECS/ContainerInsights", MetricData=[{
                    "MetricName": "NetworkTxBytes", "Timestamp": t, "Value": v, "Unit": "Bytes/Second",
                    "Dimensions": [{"Name": "ClusterName", "Value": cluster}, {"Name": "ServiceName", "Value": name}],
                } for t, v in points[k:k + 500]])
    detector = gd.create_detector(Enable=True)["DetectorId"]
    findings = [{
        "id": f"f{i}", "arn": f"arn:aws:guardduty:{REGION}:123456789012:detector/{detector}/finding/f{i}",
        "type": "Backdoor:Runtime/C&CActivity.B", "title": "t", "description": "d", "severity": 8.0,
        "createdAt": now.isoformat(), "updatedAt": now.isoformat(),
        "resource": {"resourceType": "ECSCluster", "ecsClusterDetails": {
            "name": "web", "arn": f"arn:aws:ecs:{REGION}:123456789012:cluster/web",
            "taskDetails": {"group": f"service:svc-0{i}"}}},
        "service": {"archived": False, "count": 1, "eventFirstSeen": now.isoformat(),
                    "eventLastSeen": now.isoformat()},
    } for i in range(3)]
    post(endpoint, "/_triage/guardduty/findings", {"region": REGION, "detector": detector, "findings": findings})


def floor(endpoint):
    """The minimal sequence for status's answer, one call after another."""
    started = time.monotonic()
    count = 0
    ecs = client("ecs", endpoint, REGION)
    boto3.client("sts", region_name=REGION, endpoint_url=endpoint, aws_access_key_id="t",
                 aws_secret_access_key="t").get_caller_identity()
    count += 2
    groups, defs = set(), set()
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
            for s in ecs.describe_services(cluster=cluster, services=arns[i:i + 10])["services"]:
                groups.update(s["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"])
                defs.add(s["taskDefinition"])
            count += 1
    for d in defs:
        ecs.describe_task_definition(taskDefinition=d)
        count += 1
    # Some service is unhealthy (the egress anomaly, the findings): status says
    # why its tasks stopped, as the console does — one stopped-task listing a cluster.
    for cluster in ecs.list_clusters()["clusterArns"]:
        ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED")
        count += 1
    count += 1
    client("ec2", endpoint, REGION).describe_security_groups(GroupIds=sorted(groups))
    # The same metric reads as triage's: the last hour (CPU, memory, egress;
    # no load balancers here) and the egress baseline, one call each.
    cw = client("cloudwatch", endpoint, REGION)
    now = datetime.datetime.now(datetime.timezone.utc)
    services = [(c, f"svc-{i:02d}") for c in CLUSTERS for i in range(PER_CLUSTER)]

    def queries(specs, period):
        return [{"Id": f"q{n}", "MetricStat": {"Metric": {
            "Namespace": ns, "MetricName": metric,
            "Dimensions": [{"Name": "ClusterName", "Value": c}, {"Name": "ServiceName", "Value": s}]},
            "Period": period, "Stat": stat}}
            for n, ((c, s), (ns, metric, stat)) in enumerate((svc, spec) for svc in services for spec in specs)]
    minute = [("AWS/ECS", "CPUUtilization", "Average"), ("AWS/ECS", "CPUUtilization", "Maximum"),
              ("AWS/ECS", "MemoryUtilization", "Average"), ("AWS/ECS", "MemoryUtilization", "Maximum")] + [
        ("ECS/ContainerInsights", m, st) for m in ("NetworkTxBytes", "NetworkRxBytes") for st in ("Average", "Maximum")]
    cw.get_metric_data(MetricDataQueries=queries(minute, 60), StartTime=now - datetime.timedelta(hours=1), EndTime=now)
    baseline = [("ECS/ContainerInsights", m, "Average") for m in ("NetworkTxBytes", "NetworkRxBytes")]
    cw.get_metric_data(MetricDataQueries=queries(baseline, 300), StartTime=now - datetime.timedelta(hours=25),
                       EndTime=now - datetime.timedelta(hours=1))
    count += 2
    gd = client("guardduty", endpoint, REGION)
    detector = gd.list_detectors()["DetectorIds"][0]
    ids = gd.list_findings(DetectorId=detector)["FindingIds"]
    gd.get_findings(DetectorId=detector, FindingIds=ids)
    count += 4
    return time.monotonic() - started, count


def main():
    proc, endpoint = harness()
    try:
        seed(endpoint)
        home = tempfile.mkdtemp()
        env = dict(PATH=os.environ["PATH"], HOME=home, AWS_EC2_METADATA_DISABLED="true",
                   AWS_ACCESS_KEY_ID="AKIDTEST", AWS_SECRET_ACCESS_KEY="secret",
                   XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_DATA_HOME=os.path.join(home, "data"),
                   XDG_CACHE_HOME=os.path.join(home, "cache"), XDG_STATE_HOME=os.path.join(home, "state"))

        # moto answers a day of 5-minute points for 100 queries in ~25 s (AWS
        # in about one): triage's 20 s call timeout would cut the baseline off.
        os.makedirs(os.path.join(home, "config", "triage"))
        with open(os.path.join(home, "config", "triage", "config.toml"), "w") as f:
            f.write("[aws]\ntimeout_seconds = 120\n")

        def status():
            before = calls(endpoint, REGION)
            started = time.monotonic()
            out = subprocess.run([TRIAGE, "--region", REGION, "--endpoint-url", endpoint, "status", "-o", "json"],
                                 env=env, capture_output=True, text=True)
            wall = time.monotonic() - started
            if out.returncode not in (0, 1):
                raise SystemExit(f"triage status failed ({out.returncode}): {out.stderr}")
            for line in out.stderr.splitlines():
                print(f"  stderr: {line}")
            return wall, json.loads(out.stdout), diff(calls(endpoint, REGION), before)

        f_wall, f_calls = floor(endpoint)
        cold_wall, doc, cold = status()
        warm_wall, doc, warm = status()
        f2_wall, _ = floor(endpoint)
        flagged = [s["service"] for s in doc["services"] if "egress" in s["reason"]]
        found = len(doc["security_findings"])
        print(f"services: {len(doc['services'])}; egress anomalies: {flagged}; GuardDuty findings: {found}")
        print(f"status cold: {cold_wall:.2f} s, {sum(cold.values())} calls: "
              + ", ".join(f"{op} {n}" for op, n in sorted(cold.items())))
        print(f"status warm: {warm_wall:.2f} s, {sum(warm.values())} calls: "
              + ", ".join(f"{op} {n}" for op, n in sorted(warm.items())))
        print(f"floor (boto3, sequential): {f_wall:.2f} s / {f2_wall:.2f} s, {f_calls} calls")
        console(endpoint, env)
    finally:
        proc.kill()


def console(endpoint, env):
    socket = f"triage-bench-{os.getpid()}"
    tmux = lambda *args: subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)
    command = " ".join([*(f"{k}='{v}'" for k, v in env.items()), TRIAGE, "--region", REGION,
                        "--endpoint-url", endpoint, "--data-dir", os.path.join(env["HOME"], "incidents")])
    tmux("new-session", "-d", "-s", "b", "-x", "160", "-y", "48", "sh", "-c", command)
    time.sleep(60)
    screen = tmux("capture-pane", "-p", "-t", "b").stdout
    before = calls(endpoint, REGION)
    time.sleep(120)
    after = calls(endpoint, REGION)
    tmux("kill-server")
    per_minute = {op: n / 2 for op, n in sorted(diff(after, before).items())}
    row = next((l for l in screen.splitlines() if " svc-03 " in l and " web " in l), "")
    print("console row: " + row.strip())
    print(f"console steady state: {sum(per_minute.values()):g} calls a minute ("
          + ", ".join(f"{op} {n:g}" for op, n in per_minute.items()) + ")")


if __name__ == "__main__":
    main()
