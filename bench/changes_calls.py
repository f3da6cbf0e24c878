"""What `triage changes` costs against the harness's CloudTrail: LookupEvents
calls cold (empty cache) and warm (the same cache, at once), wall time and
throttles, beside a floor measured in the same run: boto3 making the
minimal LookupEvents sequence (ReadOnly=false, 50 a page) one call after
another, with no budget.

World: one cluster of 20 services (moto) and, over the last 6 hours, 340
write events in CloudTrail (the harness's LookupEvents, 2 calls a second
then ThrottlingException): 300 of ECS's network-interface churn, 40 changes
(deploys, security groups, secrets), and 60 read-only calls that must
never be asked for.

Run it with bench/changes_calls.sh.
"""

import json
import os
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aws_costs import calls, client, diff, env_for, harness, post, run_triage  # noqa: E402

REGION = "eu-central-1"
ACCOUNT = "123456789012"


def event(i, name, source, at, role, request, read_only=False):
    identity = {
        "type": "AssumedRole", "principalId": f"AROAEXAMPLE:{role}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{role}-session", "accountId": ACCOUNT,
        "sessionContext": {"sessionIssuer": {"type": "Role", "userName": role,
                                             "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}"}},
    }
    if role == "AWSServiceRoleForECS":
        identity["invokedBy"] = "ecs.amazonaws.com"
    record = {"eventVersion": "1.09", "userIdentity": identity,
              "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
              "eventSource": f"{source}.amazonaws.com", "eventName": name, "awsRegion": REGION,
              "requestParameters": request, "responseElements": None, "eventID": f"ev-{i:04d}",
              "readOnly": read_only, "eventType": "AwsApiCall"}
    return {"EventId": f"ev-{i:04d}", "EventName": name, "ReadOnly": str(read_only).lower(),
            "EventTime": at, "EventSource": f"{source}.amazonaws.com", "Username": f"{role}-session",
            "Resources": [], "CloudTrailEvent": json.dumps(record)}


def seed(endpoint):
    ecs = client("ecs", endpoint, REGION)
    ecs.create_cluster(clusterName="prod")
    for s in range(20):
        ecs.register_task_definition(family=f"svc-{s:02d}", containerDefinitions=[
            {"name": "app", "image": f"svc-{s:02d}:v1", "memory": 512, "essential": True}])
        ecs.create_service(cluster="prod", serviceName=f"svc-{s:02d}", taskDefinition=f"svc-{s:02d}:1",
                           desiredCount=0)
    now = int(time.time())
    events = []
    for i in range(300):  # ECS's churn over 6 hours
        name = "CreateNetworkInterface" if i % 2 == 0 else "DeleteNetworkInterface"
        events.append(event(i, name, "ec2", now - 30 - i * 70, "AWSServiceRoleForECS",
                            {"subnetId": "subnet-0a1b", "groupSet": {"items": [{"groupId": "sg-0app"}]}}))
    for j in range(40):  # the changes
        at = now - 300 - j * 500
        s = f"svc-{j % 20:02d}"
        kind = j % 4
        if kind == 0:
            e = event(300 + j, "UpdateService", "ecs", at, "ci-deploy",
                      {"cluster": "prod", "service": s, "taskDefinition": f"{s}:1"})
        elif kind == 1:
            e = event(300 + j, "RegisterTaskDefinition", "ecs", at, "ci-deploy", {"family": s})
        elif kind == 2:
            e = event(300 + j, "AuthorizeSecurityGroupEgress", "ec2", at, "alice", {"groupId": f"sg-0{j:03d}"})
        else:
            e = event(300 + j, "PutSecretValue", "secretsmanager", at, "rotation", {"secretId": f"prod/{s}"})
        events.append(e)
    for k in range(60):  # read-only calls: never asked for
        events.append(event(400 + k, "DescribeServices", "ecs", now - 100 - k * 300, "alice",
                            {"cluster": "prod"}, read_only=True))
    post(endpoint, "/_triage/cloudtrail/events", {"region": REGION, "events": events})
    return now


def throttled(endpoint):
    with urllib.request.urlopen(endpoint + "/_triage/cloudtrail/throttled") as r:
        return json.loads(r.read()).get(REGION, 0)


def floor(endpoint, since, until):
    # A plain client with boto3's standard retries (10 attempts): with no
    # budget it runs into the quota and waits out its own throttles.
    import boto3
    from botocore.config import Config
    ct = boto3.client("cloudtrail", region_name=REGION, endpoint_url=endpoint,
                      aws_access_key_id="test", aws_secret_access_key="test",
                      config=Config(retries={"max_attempts": 10, "mode": "standard"}))
    before, throttles = calls(endpoint, REGION), throttled(endpoint)
    started = time.monotonic()
    found, token = 0, None
    while True:
        kwargs = {"LookupAttributes": [{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
                  "StartTime": since, "EndTime": until, "MaxResults": 50}
        if token:
            kwargs["NextToken"] = token
        page = ct.lookup_events(**kwargs)
        found += len(page.get("Events", []))
        token = page.get("NextToken")
        if not token:
            break
    return time.monotonic() - started, diff(calls(endpoint, REGION), before), throttled(endpoint) - throttles, found


def main():
    proc, endpoint = harness()
    try:
        now = seed(endpoint)
        home = tempfile.mkdtemp(prefix="triage-changes-")
        env = env_for(home, REGION)
        rows = []
        for label in ["cold", "warm"]:
            t0 = throttled(endpoint)
            wall, used, out = run_triage(["changes", "--since", "6h", "-o", "json"], env, endpoint, REGION)
            doc = json.loads(out.stdout)
            rows.append((f"`triage changes --since 6h`, {label}", wall, used.get("LookupEvents", 0),
                         throttled(endpoint) - t0, doc["coverage"]["events"], doc["coverage"]["noise"],
                         len(doc["changes"])))
            time.sleep(1.1)
        wall, used, throttles, found = floor(endpoint, now - 6 * 3600, time.time())
        rows.append(("floor: boto3, the same LookupEvents pages, cold", wall, used.get("LookupEvents", 0),
                     throttles, found, None, None))
        time.sleep(1.1)
        wall, used, throttles, found = floor(endpoint, now - 15 * 60, time.time())
        rows.append(("floor: boto3, the last 15 minutes (what a warm read asks)", wall,
                     used.get("LookupEvents", 0), throttles, found, None, None))
        print("| run | wall | LookupEvents calls | throttled | write events | of them noise | changes shown |")
        print("|---|---|---|---|---|---|---|")
        for name, wall, n, t, events, noise, shown in rows:
            print(f"| {name} | {wall:.2f} s | {n} | {t} | {events} | {'—' if noise is None else noise} | "
                  f"{'—' if shown is None else shown} |")
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
