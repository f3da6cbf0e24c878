"""Where the time went, measured as a person feels it.

Console (the release binary in a pty, 160x48, `--demo=slow`): on
backend-api's screen, its own log lines (Tab), filtered to request lines;
then, per sample,
  j j, Enter on a line     -> the waterfall drawn ("bottleneck" on screen):
                              another request each time, searched anew
  Esc, Enter again         -> drawn again: its lines held, X-Ray only
and, for comparison in the same run, the search alone:
  :logs ID Enter           -> the request's lines ("lines across 3 services")

CLI against moto (the harness), three services' log groups with 300 requests
each (two lines a service, each carrying its X-Ray trace id) and their
segments put with PutTraceSegments: `triage logs ID` (the search alone)
beside `triage trace ID` (the search, then one BatchGetTraces), command to
last line, calls per API; and the floor in the same run: boto3 making the
minimal sequence (one FilterLogEvents per group for the ID, then one
BatchGetTraces) one call after another.

Run it with bench/trace_journey.sh.
"""

import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aws_costs import calls, client, diff, env_for, harness, run_triage  # noqa: E402
from key_to_screen import BINARY, ESC, Pty, breadcrumb, percentile  # noqa: E402

REGION = "eu-west-3"
SERVICES = ["gateway", "orders", "payments"]
REQUESTS = 300
SAMPLES = int(os.environ.get("SAMPLES", "15"))
ID = "req-0150"


def ms(x):
    return f"{x * 1000:.0f}"


def console():
    home = tempfile.mkdtemp(prefix="triage-trace-")
    env = {
        "HOME": home, "PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": f"{home}/config", "XDG_DATA_HOME": f"{home}/data",
        "XDG_CACHE_HOME": f"{home}/cache", "XDG_STATE_HOME": f"{home}/state", "USER": "bench",
    }
    p = Pty([BINARY, "--demo=slow"], env)
    p.wait(lambda p: "waiting on" in p.text() and "chatbot-api model call" in p.text())
    for key in [b"/", b"backend-api", b"\r", b"\r"]:
        os.write(p.master, key)
        time.sleep(0.2)
    p.wait(lambda p: breadcrumb(p).startswith("Services › prod-web/backend-api"))
    os.write(p.master, b"\t")
    p.wait(lambda p: "correlationId" in p.text())
    for key in [b"/", b"traceId", b"\r"]:
        os.write(p.master, key)
        time.sleep(0.2)
    drawn = lambda p: breadcrumb(p).startswith("Waterfall ›") and "bottleneck" in p.text()
    service = lambda p: breadcrumb(p).startswith("Services › prod-web/backend-api")
    cold, warm, search = [], [], []
    for _ in range(SAMPLES):
        # Another request each time (two lines a request): searched anew.
        os.write(p.master, b"jj")
        time.sleep(0.3)
        cold.append(p.press(b"\r", drawn))
        p.press(ESC, service)
        time.sleep(0.3)
        # The same request again: its lines are held, only X-Ray is read.
        warm.append(p.press(b"\r", drawn))
        p.press(ESC, service)
        time.sleep(0.3)
    request = None
    for line in p.text().splitlines():
        if '"correlationId":"' in line:
            request = line.split('"correlationId":"')[1].split('"')[0]
            break
    assert request, p.text()
    lines = lambda p: "lines across 3 services" in p.text()
    for _ in range(SAMPLES):
        os.write(p.master, b":")
        time.sleep(0.1)
        os.write(p.master, f"logs {request}".encode())
        time.sleep(0.1)
        search.append(p.press(b"\r", lines))
        p.press(ESC, service)
        time.sleep(0.3)
    p.close()
    return cold, warm, search


def seed(endpoint):
    logs = client("logs", endpoint, REGION)
    xray = client("xray", endpoint, REGION)
    now = time.time() - 600
    lines = {s: [] for s in SERVICES}
    docs = []
    for n in range(REQUESTS):
        begun = now + n * 1.5
        rid = f"req-{n:04d}"
        trace = f"1-{int(begun):08x}-{n:024x}"
        for i, s in enumerate(SERVICES):
            start, end = begun + 0.01 * i, begun + 0.8 - 0.01 * i
            lines[s].append((int(start * 1000), json.dumps({"correlationId": rid, "traceId": trace, "msg": "received"})))
            lines[s].append((int(end * 1000), json.dumps({"correlationId": rid, "traceId": trace, "msg": "done",
                                                          "duration_ms": int((end - start) * 1000)})))
            doc = {"id": f"{n:04x}{i:012x}", "trace_id": trace, "name": s, "start_time": start, "end_time": end,
                   "subsegments": [{"id": f"{n:04x}{i + 8:012x}", "name": SERVICES[i + 1] if i + 1 < len(SERVICES) else "postgres",
                                    "namespace": "remote", "start_time": start + 0.005, "end_time": end - 0.005}]}
            if i > 0:
                doc["parent_id"] = f"{n:04x}{i + 7:012x}"
            docs.append(json.dumps(doc))
    for s in SERVICES:
        group = f"/ecs/{s}"
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="ecs/app/t1")
        events = [{"timestamp": t, "message": m} for t, m in sorted(lines[s])]
        for k in range(0, len(events), 500):
            logs.put_log_events(logGroupName=group, logStreamName="ecs/app/t1", logEvents=events[k:k + 500])
    for k in range(0, len(docs), 50):
        xray.put_trace_segments(TraceSegmentDocuments=docs[k:k + 50])


def floor(endpoint):
    logs = client("logs", endpoint, REGION)
    xray = client("xray", endpoint, REGION)
    before = calls(endpoint, REGION)
    started = time.monotonic()
    trace = None
    for s in SERVICES:
        token = None
        while True:
            kwargs = {"logGroupName": f"/ecs/{s}", "filterPattern": f'"{ID}"',
                      "startTime": int((time.time() - 3600) * 1000), "endTime": int(time.time() * 1000)}
            if token:
                kwargs["nextToken"] = token
            page = logs.filter_log_events(**kwargs)
            for e in page.get("events", []):
                trace = trace or json.loads(e["message"]).get("traceId")
            token = page.get("nextToken")
            if not token:
                break
    xray.batch_get_traces(TraceIds=[trace])
    return time.monotonic() - started, diff(calls(endpoint, REGION), before)


def cli(endpoint):
    seed(endpoint)
    home = tempfile.mkdtemp(prefix="triage-trace-cli-")
    env = env_for(home, REGION)
    groups = [a for s in SERVICES for a in ("--log-group", f"/ecs/{s}")]
    rows = []
    for label, args in [("`triage logs ID` (the search alone)", ["logs", ID, "--since", "1h", *groups, "-o", "json"]),
                        ("`triage trace ID` (search + X-Ray)", ["trace", ID, "--since", "1h", *groups, "-o", "json"])]:
        walls, used = [], {}
        for _ in range(5):
            wall, used, out = run_triage(args, env, endpoint, REGION)
            walls.append(wall)
        if args[0] == "trace":
            doc = json.loads(out.stdout)
            assert doc["source"] == "xray" and len(doc["spans"]) == 6, doc
        rows.append((label, statistics.median(walls), used))
    walls, used = [], {}
    for _ in range(5):
        wall, used = floor(endpoint)
        walls.append(wall)
    rows.append(("floor: boto3, FilterLogEvents per group then BatchGetTraces", statistics.median(walls), used))
    return rows


def console_on_moto(endpoint):
    """`:trace ID` and `:logs ID` in the console against moto, a new request
    each sample (nothing held): Enter to the drawn waterfall, to the lines."""
    home = tempfile.mkdtemp(prefix="triage-trace-moto-")
    env = env_for(home, REGION)
    env.update({"TERM": "xterm-256color", "USER": "bench"})
    os.makedirs(os.path.join(home, "config", "triage"), exist_ok=True)
    with open(os.path.join(home, "config", "triage", "config.toml"), "w") as f:
        groups = ", ".join(f'"/ecs/{s}"' for s in SERVICES)
        f.write(f"[logs]\ngroups = [{groups}]\n")
    p = Pty([BINARY, "--endpoint-url", endpoint, "--region", REGION], env)
    p.wait(lambda p: breadcrumb(p).startswith("Services ("))
    home_screen = lambda p: breadcrumb(p).startswith("Services (")

    def journey(command, predicate, n):
        os.write(p.master, b":")
        time.sleep(0.1)
        os.write(p.master, command.encode())
        time.sleep(0.1)
        took = p.press(b"\r", predicate)
        p.press(ESC, home_screen)
        time.sleep(0.2)
        return took

    drawn = lambda p: breadcrumb(p).startswith("Waterfall ›") and "bottleneck" in p.text()
    lines = lambda p: "lines across 3 services" in p.text()
    trace = [journey(f"trace req-{100 + n:04d}", drawn, n) for n in range(SAMPLES)]
    search = [journey(f"logs req-{200 + n:04d}", lines, n) for n in range(SAMPLES)]
    p.close()
    return trace, search


def main():
    cold, warm, search = console()
    print(f"console, --demo=slow at 160x48, {SAMPLES} samples each:")
    print(f"  {'journey':<52} {'p50 ms':>7} {'p99 ms':>7}")
    print(f"  {'Enter on a log line -> waterfall drawn (search + X-Ray)':<52} "
          f"{ms(percentile(cold, 50)):>7} {ms(percentile(cold, 99)):>7}")
    print(f"  {'Enter on it again -> drawn (lines held, X-Ray only)':<52} "
          f"{ms(percentile(warm, 50)):>7} {ms(percentile(warm, 99)):>7}")
    print(f"  {':logs ID Enter -> its lines (the search alone)':<52} "
          f"{ms(percentile(search, 50)):>7} {ms(percentile(search, 99)):>7}")
    proc, endpoint = harness()
    try:
        rows = cli(endpoint)
        on_moto = console_on_moto(endpoint)
    finally:
        proc.kill()
    trace, alone = on_moto
    print(f"\nconsole against moto (the same world, a new request each sample), {SAMPLES} samples each:")
    print(f"  {':trace ID Enter -> waterfall drawn (search + X-Ray)':<52} "
          f"{ms(percentile(trace, 50)):>7} {ms(percentile(trace, 99)):>7}")
    print(f"  {':logs ID Enter -> its lines (the search alone)':<52} "
          f"{ms(percentile(alone, 50)):>7} {ms(percentile(alone, 99)):>7}")
    print(f"\nCLI against moto, {len(SERVICES)} log groups x {REQUESTS * 2} lines, median of 5:")
    print("| run | command to last line | calls |")
    print("|---|---|---|")
    for label, wall, used in rows:
        shown = ", ".join(f"{k} {v}" for k, v in sorted(used.items()))
        print(f"| {label} | {wall * 1000:.0f} ms | {shown} |")


if __name__ == "__main__":
    main()
