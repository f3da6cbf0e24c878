"""moto, wrapped for triage's tests.

Started by the Rust test support code (tests/support/mod.rs), never by hand.
Adds test-only routes under /_triage/ to what moto serves:

  GET    /_triage/calls            calls seen, as {"<region> <Operation>": n}
  DELETE /_triage/calls            forget them
  POST   /_triage/faults           {"region", "operation", "code", "message",
                                   "status", "count"}: the next `count` calls of
                                   that operation in that region fail with that
                                   AWS error code
  POST   /_triage/ecs/stop-task    {"region", "task", "stopCode", "stoppedReason",
                                   "stoppedAt", "containers": [{"exitCode",
                                   "reason"}]}: make a task STOPPED the way ECS
                                   reports it (moto's own stopped tasks have no
                                   stop code, exit code 0 and no reason)
  GET    /_triage/ecs/exec-requests  every ExecuteCommand request seen
  POST   /_triage/ecs/exec-agent   {"region", "task", "status"}: the task's
                                   ExecuteCommandAgent reports that lastStatus
  POST   /_triage/guardduty/findings  {"region", "detector", "findings": [...]}:
                                   store GuardDuty finding documents (shaped
                                   like GetFindings' answer) for a detector
  POST   /_triage/cloudtrail/events  {"region", "events": [...]}: store
                                   CloudTrail events shaped like LookupEvents'
                                   answer (EventTime in epoch seconds)
  GET    /_triage/cloudtrail/throttled  LookupEvents calls refused for the rate
and makes ECS list calls page like AWS does (moto returns one page): at most
PAGE_CAP items a page, with a nextToken, honouring maxResults.

GuardDuty: moto has detectors but no findings. ListFindings (restJson1
`POST /detector/{id}/findings`: `service.archived` criterion, sort by
`updatedAt`, `maxResults` 1-50, `nextToken`) and GetFindings (`POST
/detector/{id}/findings/get`, at most 50 ids) are answered here from the
documents stored, the way GuardDuty answers them.

ECS Exec: moto keeps no `enableExecuteCommand` and has no ExecuteCommand. The
harness remembers the flag from CreateService/UpdateService/RunTask requests,
adds it (with a runtimeId and an ExecuteCommandAgent per container, as ECS
does) to DescribeServices/DescribeTasks answers, and answers ExecuteCommand
the way AWS does: a session object, or AWS's InvalidParameterException when
the task was not run with exec enabled. A running task's containers are
reported RUNNING (moto leaves them PENDING).

CloudWatch: the SDK (aws-sdk-cloudwatch >= 1.100) speaks Smithy RPC v2 CBOR,
which moto does not serve (getmoto/moto#9195); moto serves CloudWatch's JSON
protocol. Requests to /service/<Service>/operation/<Operation> are translated
CBOR -> JSON (timestamps as epoch seconds) for moto, and moto's answer JSON ->
CBOR (timestamps as CBOR tag 1, doubles as floats) back: the same shapes on
both sides, moto's real alarm and metric state behind them.

CloudTrail: moto has no LookupEvents. It is answered here (awsJson1.1
`CloudTrail_20131101.LookupEvents`) from the stored events the way CloudTrail
answers: at most one LookupAttributes entry (more is
InvalidLookupAttributesException), StartTime/EndTime, MaxResults 1-50,
newest first, NextToken; and at most 2 calls a second per Region
(ThrottlingException beyond, counted at /_triage/cloudtrail/throttled).

X-Ray: moto stores segments and answers BatchGetTraces faithfully, but
answers any GetTraceSummaries FilterExpression with InternalFailure. A
GetTraceSummaries that carries one is answered here over moto's stored
segments: `service("NAME")` (a segment of that name) and `responsetime >= S`
(the trace's span), joined by AND; anything else is InvalidRequestException.

It exits when its parent process (the test binary) is gone.
"""

import argparse
import base64
import datetime
import gzip
import io
import json
import os
import re
import sys
import threading
import time

import cbor2
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

PAGE_CAP = 10
PAGED = {
    "ListServices": "serviceArns",
    "ListClusters": "clusterArns",
    "ListTasks": "taskArns",
}

lock = threading.Lock()
calls = {}
faults = []
# ECS Exec state moto does not keep: (region, cluster, service) -> bool,
# (region, task arn) -> bool, (region, task arn) -> agent lastStatus.
exec_services = {}
exec_tasks = {}
exec_agents = {}
exec_requests = []
# CloudTrail events: region -> [event]; LookupEvents call times and refusals by region.
trail_events = {}
trail_calls = {}
trail_throttled = {}
TRAIL_KEYS = {"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName",
              "EventSource", "AccessKeyId"}
# GuardDuty finding documents: (region, detector id) -> [finding]
guardduty_findings = {}
GUARDDUTY = re.compile(r"^/detector/([^/]+)/findings(/get)?$")
EXEC_OPS = {"CreateService", "UpdateService", "RunTask", "DescribeServices", "DescribeTasks", "ExecuteCommand"}


def region_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=[^/]+/\d+/([^/]+)/", auth)
    return m.group(1) if m else "us-east-1"


# X-Ray is restJson1: its operations are named by their paths.
XRAY_PATHS = {"/Traces": "BatchGetTraces", "/TraceSummaries": "GetTraceSummaries",
              "/TraceSegments": "PutTraceSegments"}


def operation_of(environ):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.split(".")[-1]
    if environ.get("REQUEST_METHOD") == "POST":
        return XRAY_PATHS.get(environ.get("PATH_INFO", ""))
    return None


def json_response(start_response, status, body, content_type="application/json"):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def query_error(start_response, fault):
    """An error in the awsQuery protocol (STS, EC2 style XML)."""
    xml = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{fault['code']}</Code><Message>{fault.get('message', fault['code'])}</Message>"
        "</Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()
    start_response(
        f'{fault.get("status", 400)} Error',
        [("Content-Type", "text/xml"), ("Content-Length", str(len(xml)))],
    )
    return [xml]


RPC_V2 = re.compile(r"^/service/([A-Za-z0-9]+)/operation/([A-Za-z0-9]+)$")
# Fields the CloudWatch shapes type as timestamps, and as doubles.
TIMESTAMP_KEYS = {"StateUpdatedTimestamp", "StateTransitionedTimestamp",
                  "AlarmConfigurationUpdatedTimestamp", "Timestamps", "Timestamp",
                  "StartTime", "EndTime", "StartDate", "EndDate"}
DOUBLE_KEYS = {"Threshold", "Values", "Value"}


def to_json_value(value):
    """CBOR-decoded request values as the JSON protocol writes them."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def as_time(value):
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def to_cbor_value(value, key=None):
    """moto's JSON answer with CloudWatch's CBOR types."""
    if isinstance(value, dict):
        return {k: to_cbor_value(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cbor_value(v, key) for v in value]
    if key in TIMESTAMP_KEYS:
        return as_time(value)
    if key in DOUBLE_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def cbor_response(start_response, status, body, error_type=None):
    data = cbor2.dumps(body, timezone=datetime.timezone.utc, datetime_as_timestamp=True)
    headers = [
        ("Content-Type", "application/cbor"),
        ("Content-Length", str(len(data))),
        ("Smithy-Protocol", "rpc-v2-cbor"),
    ]
    if error_type:
        headers.append(("x-amzn-query-error", f"{error_type};Sender"))
    start_response(status, headers)
    return [data]


class Harness:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_triage/"):
            return self.route(path, environ, start_response)
        gd = GUARDDUTY.match(path)
        if gd and environ["REQUEST_METHOD"] == "POST":
            return self.guardduty(gd.group(1), bool(gd.group(2)), environ, start_response)
        rpc = RPC_V2.match(path)
        if rpc and environ.get("HTTP_SMITHY_PROTOCOL") == "rpc-v2-cbor":
            return self.cbor(rpc.group(1), rpc.group(2), environ, start_response)

        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        op = operation_of(environ)
        if op is None and body:
            m = re.search(rb"Action=([A-Za-z]+)", body)
            op = m.group(1).decode() if m else None
        region = region_of(environ)
        if op:
            with lock:
                key = f"{region} {op}"
                calls[key] = calls.get(key, 0) + 1
                for fault in faults:
                    if fault["count"] > 0 and fault["operation"] == op and fault.get("region", region) == region:
                        fault["count"] -= 1
                        if not environ.get("HTTP_X_AMZ_TARGET") and op not in XRAY_PATHS.values():
                            return query_error(start_response, fault)
                        return json_response(
                            start_response,
                            f'{fault.get("status", 400)} Error',
                            {"__type": fault["code"], "message": fault.get("message", fault["code"])},
                            "application/x-amz-json-1.1",
                        )
        if op == "LookupEvents":
            return self.lookup_events(region, body, start_response)
        if path == "/TraceSummaries" and environ["REQUEST_METHOD"] == "POST" and b"FilterExpression" in body:
            return self.trace_summaries(region, body, start_response)
        if op in PAGED:
            return self.paged(op, body, environ, start_response)
        if op in EXEC_OPS and environ.get("HTTP_X_AMZ_TARGET", "").startswith("AmazonEC2ContainerServiceV"):
            return self.ecs_exec(op, region, body, environ, start_response)
        return self.app(environ, start_response)

    def guardduty(self, detector, get, environ, start_response):
        """ListFindings and GetFindings over the stored documents."""
        region = region_of(environ)
        request = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
        op = "GetFindings" if get else "ListFindings"
        with lock:
            key = f"{region} {op}"
            calls[key] = calls.get(key, 0) + 1
            for fault in faults:
                if fault["count"] > 0 and fault["operation"] == op and fault.get("region", region) == region:
                    fault["count"] -= 1
                    return json_response(start_response, f'{fault.get("status", 403)} Error',
                                         {"__type": fault["code"], "message": fault.get("message", fault["code"])})
            stored = list(guardduty_findings.get((region, detector), []))
        if get:
            ids = request.get("findingIds", [])
            if len(ids) > 50:
                return json_response(start_response, "400 Bad Request",
                                     {"__type": "BadRequestException", "message": "at most 50 finding ids"})
            return json_response(start_response, "200 OK", {"findings": [f for f in stored if f["id"] in ids]})
        criteria = (request.get("findingCriteria") or {}).get("criterion") or {}
        archived = criteria.get("service.archived")
        if archived is not None:
            wanted = (archived.get("equals") or archived.get("eq") or ["false"])[0] == "true"
            stored = [f for f in stored if bool(f.get("service", {}).get("archived", False)) == wanted]
        sort = request.get("sortCriteria") or {}
        if sort.get("attributeName") == "updatedAt":
            stored.sort(key=lambda f: f.get("updatedAt", ""), reverse=sort.get("orderBy") == "DESC")
        size = max(1, min(int(request.get("maxResults", 50) or 50), 50))
        token = request.get("nextToken")
        start = int(base64.b64decode(token).decode()) if token else 0
        page = stored[start:start + size]
        answer = {"findingIds": [f["id"] for f in page]}
        if start + size < len(stored):
            answer["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
        return json_response(start_response, "200 OK", answer)

    def lookup_events(self, region, body, start_response):
        """CloudTrail LookupEvents over the stored events, with its quota."""
        def error(code, message, status="400 Bad Request"):
            return json_response(start_response, status, {"__type": code, "message": message},
                                 "application/x-amz-json-1.1")
        now = time.monotonic()
        with lock:
            recent = [t for t in trail_calls.get(region, []) if now - t < 1.0]
            if len(recent) >= 2:
                trail_throttled[region] = trail_throttled.get(region, 0) + 1
                return error("ThrottlingException", "Rate exceeded")
            recent.append(now)
            trail_calls[region] = recent
            stored = list(trail_events.get(region, []))
        request = json.loads(body or b"{}")
        attributes = request.get("LookupAttributes") or []
        if len(attributes) > 1:
            return error("InvalidLookupAttributesException",
                         "You cannot specify more than one lookup attribute.")
        size = int(request.get("MaxResults") or 50)
        if size < 1 or size > 50:
            return error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
        for attribute in attributes:
            key, value = attribute.get("AttributeKey"), attribute.get("AttributeValue")
            if key not in TRAIL_KEYS:
                return error("InvalidLookupAttributesException", f"Unknown lookup attribute {key}.")
            if key in ("ResourceType", "ResourceName"):
                field = key
                stored = [e for e in stored if any(r.get(field) == value for r in e.get("Resources", []))]
            else:
                stored = [e for e in stored if str(e.get(key)) == value]
        start, end = request.get("StartTime"), request.get("EndTime")
        if start is not None:
            stored = [e for e in stored if e["EventTime"] >= float(start)]
        if end is not None:
            stored = [e for e in stored if e["EventTime"] <= float(end)]
        stored.sort(key=lambda e: (e["EventTime"], e["EventId"]), reverse=True)
        token = request.get("NextToken")
        offset = int(base64.b64decode(token).decode()) if token else 0
        page = stored[offset:offset + size]
        answer = {"Events": page}
        if offset + size < len(stored):
            answer["NextToken"] = base64.b64encode(str(offset + size).encode()).decode()
        return json_response(start_response, "200 OK", answer, "application/x-amz-json-1.1")

    def trace_summaries(self, region, body, start_response):
        """GetTraceSummaries with a FilterExpression (moto answers any with
        InternalFailure): `service("NAME")` and `responsetime >= S` (or >),
        joined by AND, over the segments moto stores."""
        from moto.xray.models import xray_backends

        request = json.loads(body or b"{}")
        expression = request.get("FilterExpression", "")
        service = re.search(r'service\("([^"]*)"\)', expression)
        slower = re.search(r"responsetime\s*(>=|>)\s*([0-9.]+)", expression)
        rest = re.sub(r'service\("[^"]*"\)|responsetime\s*(>=|>)\s*[0-9.]+|\bAND\b|\s', "", expression)
        if rest:
            return json_response(
                start_response,
                "400 Bad Request",
                {"__type": "InvalidRequestException", "message": f"unsupported filter: {expression}"},
            )
        start, end = float(request["StartTime"]), float(request["EndTime"])
        summaries = []
        for accounts in [xray_backends[a] for a in list(xray_backends.keys())]:
            if region not in accounts:
                continue
            for tid, trace in list(accounts[region]._segment_collection._traces.items()):
                segments = trace["segments"]
                if not trace.get("finished") or not segments:
                    continue
                first = min(s.start_time for s in segments)
                last = max(s.end_time or s.start_time for s in segments)
                if first < start or first > end:
                    continue
                if service and not any(s.name == service.group(1) for s in segments):
                    continue
                took = last - first
                if slower:
                    limit = float(slower.group(2))
                    if took < limit or (slower.group(1) == ">" and took == limit):
                        continue
                docs = [json.loads(s.raw) if isinstance(s.raw, str) else s.raw for s in segments]
                summaries.append({
                    "Id": tid,
                    "Duration": took,
                    "ResponseTime": took,
                    "HasError": any(d.get("error") for d in docs),
                    "HasFault": any(d.get("fault") for d in docs),
                    "HasThrottle": any(d.get("throttle") for d in docs),
                    "IsPartial": False,
                })
        return json_response(
            start_response,
            "200 OK",
            {"TraceSummaries": summaries, "TracesProcessedCount": len(summaries), "ApproximateTime": end},
        )

    def ecs_exec(self, op, region, body, environ, start_response):
        """ECS calls that carry ECS Exec state moto does not keep."""
        request = json.loads(body or b"{}")
        if op == "ExecuteCommand":
            return execute_command(region, request, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers

        raw = b"".join(self.app(environ, capture))
        if not captured["status"].startswith("200"):
            start_response(captured["status"], captured["headers"])
            return [raw]
        payload = json.loads(raw)
        cluster = short(request.get("cluster", "default"))
        with lock:
            if op in ("CreateService", "UpdateService") and "enableExecuteCommand" in request:
                name = short(request.get("serviceName") or request.get("service"))
                exec_services[(region, cluster, name)] = bool(request["enableExecuteCommand"])
            if op == "RunTask":
                for task in payload.get("tasks", []):
                    exec_tasks[(region, task["taskArn"])] = bool(request.get("enableExecuteCommand", False))
            for service in payload.get("services", []) + ([payload["service"]] if "service" in payload else []):
                key = (region, short(service.get("clusterArn", cluster)), service.get("serviceName"))
                service["enableExecuteCommand"] = exec_services.get(key, False)
            for task in payload.get("tasks", []):
                enabled = exec_tasks.get((region, task["taskArn"]), False)
                task["enableExecuteCommand"] = enabled
                task_id = task["taskArn"].rsplit("/", 1)[-1]
                for i, container in enumerate(task.get("containers", [])):
                    container.setdefault("runtimeId", f"{task_id}-{2531612879 + i}")
                    # moto leaves a running task's containers PENDING; ECS says RUNNING.
                    if task.get("lastStatus") == "RUNNING" and container.get("lastStatus") == "PENDING":
                        container["lastStatus"] = "RUNNING"
                    if enabled:
                        container["managedAgents"] = [{
                            "name": "ExecuteCommandAgent",
                            "lastStatus": exec_agents.get((region, task["taskArn"]), "RUNNING"),
                        }]
        return json_response(start_response, "200 OK", payload, "application/x-amz-json-1.1")

    def cbor(self, service, op, environ, start_response):
        """One RPC v2 CBOR call, answered by moto's JSON protocol."""
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        # The SDK gzips big PutMetricData bodies (request compression, >10 KB).
        if "gzip" in environ.get("HTTP_CONTENT_ENCODING", ""):
            raw = gzip.decompress(raw)
            environ.pop("HTTP_CONTENT_ENCODING", None)
        request = to_json_value(cbor2.loads(raw)) if raw else {}
        # moto answers DescribeAlarms in one page; AWS pages (MaxRecords,
        # at most 100, default 50): paged here the way AWS does.
        page = None
        if op == "DescribeAlarms":
            size = min(int(request.pop("MaxRecords", 50) or 50), 100)
            token = request.pop("NextToken", None)
            page = (int(base64.b64decode(token).decode()) if token else 0, size)
        body = json.dumps(request).encode()
        environ["PATH_INFO"] = "/"
        environ["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        environ["HTTP_X_AMZ_TARGET"] = f"{service}.{op}"
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status

        answer = b"".join(self(environ, capture))
        status = captured.get("status", "500 Error")
        payload = json.loads(answer) if answer.strip() else {}
        if not status.startswith("200"):
            kind = str(payload.get("__type", "InternalFailure")).split("#")[-1]
            message = payload.get("message") or payload.get("Message") or kind
            return cbor_response(start_response, status, {"__type": kind, "message": message}, kind)
        if page:
            start, size = page
            items = [("MetricAlarms", a) for a in payload.get("MetricAlarms", [])]
            items += [("CompositeAlarms", a) for a in payload.get("CompositeAlarms", [])]
            payload["MetricAlarms"] = [a for k, a in items[start : start + size] if k == "MetricAlarms"]
            payload["CompositeAlarms"] = [a for k, a in items[start : start + size] if k == "CompositeAlarms"]
            payload.pop("NextToken", None)
            if start + size < len(items):
                payload["NextToken"] = base64.b64encode(str(start + size).encode()).decode()
        return cbor_response(start_response, status, to_cbor_value(payload))

    def paged(self, op, body, environ, start_response):
        request = json.loads(body or b"{}")
        max_results = int(request.pop("maxResults", 100) or 100)
        token = request.pop("nextToken", None)
        start = int(base64.b64decode(token).decode()) if token else 0
        new_body = json.dumps(request).encode()
        environ["wsgi.input"] = io.BytesIO(new_body)
        environ["CONTENT_LENGTH"] = str(len(new_body))
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers

        chunks = self.app(environ, capture)
        raw = b"".join(chunks)
        if not captured["status"].startswith("200"):
            start_response(captured["status"], captured["headers"])
            return [raw]
        payload = json.loads(raw)
        key = PAGED[op]
        items = payload.get(key, [])
        size = min(max_results, PAGE_CAP)
        payload[key] = items[start : start + size]
        if start + size < len(items):
            payload["nextToken"] = base64.b64encode(str(start + size).encode()).decode()
        else:
            payload.pop("nextToken", None)
        return json_response(start_response, "200 OK", payload, "application/x-amz-json-1.1")

    def route(self, path, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if path == "/_triage/calls":
            with lock:
                if method == "DELETE":
                    calls.clear()
                return json_response(start_response, "200 OK", dict(calls))
        if path == "/_triage/faults" and method == "POST":
            fault = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            fault.setdefault("count", 1)
            with lock:
                faults.append(fault)
            return json_response(start_response, "200 OK", {"ok": True})
        if path == "/_triage/guardduty/findings" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            with lock:
                guardduty_findings.setdefault((body["region"], body["detector"]), []).extend(body["findings"])
            return json_response(start_response, "200 OK", {"ok": True})
        if path == "/_triage/cloudtrail/events" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            with lock:
                trail_events.setdefault(body["region"], []).extend(body["events"])
            return json_response(start_response, "200 OK", {"ok": True})
        if path == "/_triage/cloudtrail/throttled":
            with lock:
                return json_response(start_response, "200 OK", dict(trail_throttled))
        if path == "/_triage/ecs/exec-requests":
            with lock:
                return json_response(start_response, "200 OK", list(exec_requests))
        if path == "/_triage/ecs/exec-agent" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            with lock:
                for (region, arn) in list(exec_tasks):
                    if region == body["region"] and (arn == body["task"] or arn.endswith("/" + body["task"])):
                        exec_agents[(region, arn)] = body["status"]
            return json_response(start_response, "200 OK", {"ok": True})
        if path == "/_triage/ecs/stop-task" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            return stop_task(body, start_response)
        if path == "/_triage/ecs/settle" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            return settle(body, start_response)
        return json_response(start_response, "404 Not Found", {"error": f"no route {method} {path}"})


def stop_task(body, start_response):
    from datetime import datetime, timezone

    from moto.ecs.models import ecs_backends

    backend = ecs_backends[body.get("account", "123456789012")][body["region"]]
    wanted = body["task"]
    for cluster_tasks in backend.tasks.values():
        for arn, task in cluster_tasks.items():
            if wanted not in (arn, task.task_arn) and not arn.endswith("/" + wanted):
                continue
            stopped = datetime.fromtimestamp(body.get("stoppedAt", datetime.now(timezone.utc).timestamp()), timezone.utc)
            task.desired_status = "STOPPED"
            task.last_status = "STOPPED"
            if body.get("stopCode"):
                task.stop_code = body["stopCode"]
            task.stopped_reason = body.get("stoppedReason", "")
            task.created_at = datetime.fromtimestamp(stopped.timestamp() - 300, timezone.utc)
            if body.get("started", True):
                task.started_at = datetime.fromtimestamp(stopped.timestamp() - 240, timezone.utc)
            task.stopping_at = stopped
            task.execution_stopped_at = stopped
            task.stopped_at = stopped
            for container, spec in zip(task.containers, body.get("containers", [])):
                container.last_status = "STOPPED"
                if "exitCode" in spec:
                    if spec["exitCode"] is None:
                        del container.exitCode
                    else:
                        container.exitCode = spec["exitCode"]
                if spec.get("reason"):
                    container.reason = spec["reason"]
            return json_response(start_response, "200 OK", {"ok": True, "task": task.task_arn})
    return json_response(start_response, "404 Not Found", {"error": f"no task {wanted}"})


def settle(body, start_response):
    """Let a service's deployment finish as ECS would: moto keeps the
    deployment it made IN_PROGRESS with 0 running even once the service's
    counts are met."""
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[body.get("account", "123456789012")][body["region"]]
    key = f"{body['cluster']}:{body['service']}"
    service = backend.services.get(key)
    if service is None:
        return json_response(start_response, "404 Not Found", {"error": f"no service {key}"})
    service.running_count = service.desired_count
    service.pending_count = 0
    for deployment in service.deployments:
        deployment["runningCount"] = service.desired_count
        deployment["pendingCount"] = 0
        deployment["desiredCount"] = service.desired_count
        deployment["rolloutState"] = "COMPLETED"
    return json_response(start_response, "200 OK", {"ok": True})


def short(name):
    return (name or "").rsplit("/", 1)[-1]


def ecs_error(start_response, code, message, status="400 Bad Request"):
    return json_response(start_response, status, {"__type": code, "message": message}, "application/x-amz-json-1.1")


def execute_command(region, request, start_response):
    """ExecuteCommand as AWS answers it: a Session Manager session for an
    exec-enabled running task, else AWS's own refusal."""
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[request.get("account", "123456789012")][region]
    cluster = short(request.get("cluster", "default"))
    wanted = request.get("task", "")
    if cluster not in backend.clusters:
        return ecs_error(start_response, "ClusterNotFoundException", "Cluster not found.")
    found = None
    for arn, task in backend.tasks.get(cluster, {}).items():
        if wanted in (arn, task.task_arn) or arn.endswith("/" + wanted):
            found = task
    if found is None:
        return ecs_error(start_response, "InvalidParameterException", "The specified task was not found.")
    with lock:
        enabled = exec_tasks.get((region, found.task_arn), False)
        agent = exec_agents.get((region, found.task_arn), "RUNNING")
        exec_requests.append({"region": region, **request})
    if not enabled or agent != "RUNNING" or found.last_status != "RUNNING":
        return ecs_error(
            start_response,
            "InvalidParameterException",
            "The execute command failed because execute command was not enabled when the task was run "
            "or the execute command agent isn't running. Wait and try the request again or run a new task "
            "with execute command enabled and try again.",
        )
    if not request.get("interactive"):
        return ecs_error(start_response, "InvalidParameterException", "Interactive is the only mode supported currently.")
    task_id = found.task_arn.rsplit("/", 1)[-1]
    session_id = f"ecs-execute-command-{task_id[:17]}"
    return json_response(start_response, "200 OK", {
        "clusterArn": found.cluster_arn if hasattr(found, "cluster_arn") else cluster,
        "containerArn": f"arn:aws:ecs:{region}:123456789012:container/{cluster}/{task_id}/{request.get('container')}",
        "containerName": request.get("container"),
        "interactive": True,
        "session": {
            "sessionId": session_id,
            "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{session_id}?role=publish_subscribe&cell-number=AAEAAQ",
            "tokenValue": "AAEAAHarnessTokenValueNotASecret0123456789",
        },
        "taskArn": found.task_arn,
    }, "application/x-amz-json-1.1")


def parent_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent-pid", type=int, required=True)
    args = parser.parse_args()

    app = Harness(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", args.port, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    while parent_alive(args.parent_pid):
        time.sleep(0.5)
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
