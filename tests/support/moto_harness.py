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
and makes ECS list calls page like AWS does (moto returns one page): at most
PAGE_CAP items a page, with a nextToken, honouring maxResults.

It exits when its parent process (the test binary) is gone.
"""

import argparse
import base64
import io
import json
import os
import re
import sys
import threading
import time

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


def region_of(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    m = re.search(r"Credential=[^/]+/\d+/([^/]+)/", auth)
    return m.group(1) if m else "us-east-1"


def operation_of(environ):
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.split(".")[-1]
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


class Harness:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_triage/"):
            return self.route(path, environ, start_response)

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
                        if not environ.get("HTTP_X_AMZ_TARGET"):
                            return query_error(start_response, fault)
                        return json_response(
                            start_response,
                            f'{fault.get("status", 400)} Error',
                            {"__type": fault["code"], "message": fault.get("message", fault["code"])},
                            "application/x-amz-json-1.1",
                        )
        if op in PAGED:
            return self.paged(op, body, environ, start_response)
        return self.app(environ, start_response)

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
        if path == "/_triage/ecs/stop-task" and method == "POST":
            body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
            return stop_task(body, start_response)
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
