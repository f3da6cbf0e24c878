"""Key to changed screen, as a person feels it.

Drives the release binary in a pseudo-terminal (160x48), keeps a terminal
emulator (pyte) of what it draws, and for each interaction measures the time
from writing the key to the pty until the emulated screen shows the change:

  open help (?)        -> "j k PgUp PgDn" (its keys line) on screen
  close it (Esc)       -> gone
  open a service       -> breadcrumb "Services > cluster/service"
  back (Esc)           -> breadcrumb "Services (N)"
  timeline (t)         -> breadcrumb "Services > Timeline"
  back (Esc)
  diagnosis (d)        -> breadcrumb "Services > Diagnosis"
  back (Esc)

on the demo (9 services) and on a demo scenario of 2,000 services, from its
first full screen on and again once its first reads are done (10 s). The
harness's own floor is measured the same way against a minimal raw-mode
program that redraws the whole screen per key. Reports p50 and p99 per interaction.

Run it with bench/key_to_screen.sh.
"""

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

import pyte

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.environ.get("TRIAGE_BIN", os.path.join(ROOT, "target/release/triage"))
COLS, ROWS = 160, 48
SAMPLES = int(os.environ.get("SAMPLES", "25"))
ESC = b"\x1b"


class Pty:
    def __init__(self, argv, env):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

        def controlling_tty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env,
            preexec_fn=controlling_tty, close_fds=True,
        )
        os.close(slave)
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    def pump(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except OSError:
            return False
        self.stream.feed(data)
        return True

    def line(self, n):
        return self.screen.display[n]

    def text(self):
        return "\n".join(self.screen.display)

    def wait(self, predicate, timeout=20.0):
        """Seconds until predicate(self) holds."""
        start = time.perf_counter()
        while not predicate(self):
            if time.perf_counter() - start > timeout:
                raise TimeoutError(self.text())
            self.pump(0.05)
        return time.perf_counter() - start

    def press(self, key, predicate, timeout=10.0):
        # Take what is already waiting so the clock starts on a quiet pty.
        while self.pump(0):
            pass
        start = time.perf_counter()
        os.write(self.master, key)
        while not predicate(self):
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"{key!r}: {self.text()}")
            self.pump(0.5)
        return time.perf_counter() - start

    def close(self):
        try:
            os.write(self.master, b"q")
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def breadcrumb(p):
    return p.line(1)


def interactions():
    help_on = lambda p: "j k PgUp PgDn" in p.text()
    home = lambda p: breadcrumb(p).startswith("Services (")
    return [
        ("open help (?)", b"?", help_on),
        ("close help (Esc)", ESC, lambda p: not help_on(p)),
        ("open a service (Enter)", b"\r", lambda p: breadcrumb(p).startswith("Services › prod-")),
        ("back (Esc)", ESC, home),
        ("timeline (t)", b"t", lambda p: breadcrumb(p).startswith("Services › Timeline")),
        ("back from timeline (Esc)", ESC, home),
        ("diagnosis (d)", b"d", lambda p: breadcrumb(p).startswith("Services › Diagnosis")),
        ("back from diagnosis (Esc)", ESC, home),
    ]


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def measure_console(scenario, label, settle=0.0):
    home = tempfile.mkdtemp(prefix="triage-k2s-")
    env = {
        "HOME": home, "PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color",
        "XDG_CONFIG_HOME": f"{home}/config", "XDG_DATA_HOME": f"{home}/data",
        "XDG_CACHE_HOME": f"{home}/cache", "XDG_STATE_HOME": f"{home}/state", "USER": "bench",
    }
    p = Pty([BINARY, f"--demo={scenario}"], env)
    started = p.wait(lambda p: breadcrumb(p).startswith("Services (") and "updated" in p.line(0))
    # Optionally let the first reads (metrics, the 24 h egress baseline) finish first.
    end = time.perf_counter() + settle
    while time.perf_counter() < end:
        p.pump(0.05)
    samples = {name: [] for name, _, _ in interactions()}
    for _ in range(SAMPLES):
        for name, key, predicate in interactions():
            samples[name].append(p.press(key, predicate))
    services = breadcrumb(p).split("(")[1].split(")")[0]
    p.close()
    return label, services, started, samples


# Redraws the whole 160x48 screen per key, as a screen change in the console
# does, so the floor includes the emulator's cost of reading a full frame.
FLOOR_APP = r"""
import os, sys, tty
tty.setraw(0)
def frame(state):
    rows = [b"\x1b[1;1H header line " + b"." * 140]
    rows.append(b"\x1b[2;1Hfloor " + state + b" " * 150)
    for r in range(3, 49):
        rows.append(b"\x1b[%d;1H" % r + (state * 159))
    os.write(1, b"".join(rows))
os.write(1, b"\x1b[2J")
frame(b"A")
state = 0
while True:
    key = os.read(0, 16)
    if key == b"q":
        break
    state ^= 1
    frame(b"B" if state else b"A")
"""


def measure_floor():
    env = {"PATH": os.environ.get("PATH", ""), "TERM": "xterm-256color"}
    p = Pty([sys.executable, "-c", FLOOR_APP], env)
    p.wait(lambda p: p.line(1).startswith("floor A"))
    values = []
    state = "A"
    for _ in range(SAMPLES * 8):
        state = "B" if state == "A" else "A"
        values.append(p.press(b"x", lambda p, s=state: p.line(1).startswith(f"floor {s}")))
    p.close()
    return values


def big_scenario(path, services):
    base = open(os.path.join(ROOT, "src/demo/scenarios/saas.toml")).read()
    extra = []
    for i in range(services - 9):
        cluster = "prod-web" if i % 2 == 0 else "prod-data"
        extra.append(
            f'\n[[services]]\ncluster = "{cluster}"\nname = "svc-{i:04d}"\ndesired = 2\ncpu = "256"\n'
            f'memory = "512"\ncontainer = "app"\nimage = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc-{i:04d}"\n'
            f'revisions = [ {{ tag = "v1.{i % 7}.0", deployed_minutes_ago = {3000 + i} }} ]\n'
        )
    with open(path, "w") as f:
        f.write(base.replace('name = "saas"', 'name = "saas-2000"', 1) + "".join(extra))


def ms(x):
    return f"{x * 1000:.1f}"


def main():
    floor = measure_floor()
    scenario = os.path.join(tempfile.mkdtemp(prefix="triage-k2s-"), "saas-2000.toml")
    big_scenario(scenario, 2000)
    runs = [
        measure_console("saas", "demo"),
        measure_console(scenario, "2,000 services"),
        measure_console(scenario, "2,000 services, 10 s after start", settle=10.0),
    ]
    print(f"harness floor (raw-mode program redrawing the whole screen per key, {len(floor)} samples): "
          f"p50 {ms(percentile(floor, 50))} ms, p99 {ms(percentile(floor, 99))} ms")
    for label, services, started, samples in runs:
        print(f"\n{label} ({services} services; first full screen {started:.2f} s after start), {SAMPLES} samples each:")
        print(f"  {'interaction':<28} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        worst = 0.0
        for name, values in samples.items():
            p99 = percentile(values, 99)
            worst = max(worst, p99)
            print(f"  {name:<28} {ms(percentile(values, 50)):>8} {ms(p99):>8} {ms(max(values)):>8}")
        target = 0.016 + percentile(floor, 99)
        verdict = "within" if worst <= target else "OVER"
        print(f"  worst p99 {ms(worst)} ms: {verdict} one frame (16 ms) + the floor's p99 = {ms(target)} ms")


if __name__ == "__main__":
    main()
