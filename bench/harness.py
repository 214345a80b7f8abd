"""The bench's moving parts: a logged-in HTTP client, bounded measuring loops, gunicorn and
its workers' CPU and memory (used by bench/run.py, bench/presence.py and the two-machine
search test)."""
import http.client
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# ---------------------------------------------------------------- HTTP client

class Browser:
    """One logged-in user: a keep-alive connection, the session cookie, the CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self.agent = True

    def request(self, method: str, path: str, form: dict | None = None,
                htmx: bool = False) -> tuple[int, str, float]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf})
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            self.conn.close()  # gunicorn closed the keep-alive socket: reconnect once
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        self.location = response.getheader("Location", "").replace(
            f"http://127.0.0.1:{self.port}", "")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        match = CSRF.search(text)
        if match:
            self.csrf = match.group(1)
        return response.status, text, elapsed

    def get_following(self, path: str) -> tuple[int, str, float]:
        """GET, following one redirect as a browser does (the time is the sum of both)."""
        status, text, elapsed = self.request("GET", path)
        if status in (301, 302, 303) and self.location:
            status, text, more = self.request("GET", self.location)
            elapsed += more
        return status, text, elapsed

    def login(self, name: str, password: str, agent: bool = True) -> float:
        self.agent = agent
        self.request("GET", "/login")
        status, _, elapsed = self.request(
            "POST", "/login", {"csrf_token": self.csrf, "name": name, "password": password})
        if status != 302:
            raise SystemExit(f"login of {name} failed (HTTP {status}): was the data generated "
                             f"with this password?")
        # A fresh CSRF token from a logged-in page.
        self.request("GET", "/accueil" if self.agent else "/demandes/")
        return elapsed


# ---------------------------------------------------------------- measuring

def summarise(name: str, timings: list[float], errors: int, wall: float) -> dict:
    ordered = sorted(timings)
    if not ordered:
        return {"name": name, "n": 0, "errors": errors}
    p95_index = max(0, int(round(0.95 * len(ordered))) - 1)
    return {"name": name, "n": len(ordered), "errors": errors,
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[p95_index], 1), "max_ms": round(ordered[-1], 1),
            "req_per_s": round(len(ordered) / wall, 1) if wall else None}


ONLY: list[str] = []  # from --only


def wanted(name: str) -> bool:
    return not ONLY or any(word in name for word in ONLY)


def measure(name: str, calls, limit: int, max_seconds: float, expect=(200,)) -> dict | None:
    """Run up to `limit` of the calls (each returns (status, body, ms)) within max_seconds."""
    if not wanted(name):
        return None
    timings, errors = [], 0
    started = time.monotonic()
    for index, call in enumerate(calls):
        if index >= limit or time.monotonic() - started > max_seconds:
            break
        status, _, elapsed = call()
        if status in expect:
            timings.append(elapsed)
        else:
            errors += 1
    result = summarise(name, timings, errors, time.monotonic() - started)
    print(f"  {name:<28} n={result['n']:<4} p50={result.get('p50_ms', '-')} ms "
          f"p95={result.get('p95_ms', '-')} ms errors={errors}", file=sys.stderr, flush=True)
    return result


def throughput(port: int, login, path: str, clients: int, total: int,
               max_seconds: float) -> dict:
    """Ticket pages per second with several clients at once (gunicorn's workers all busy)."""
    browsers = [Browser(port) for _ in range(clients)]
    for browser in browsers:
        login(browser)
    timings, errors, lock = [], [0], threading.Lock()
    remaining = [total]
    deadline = time.monotonic() + max_seconds

    def work(browser):
        while time.monotonic() < deadline:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            status, _, elapsed = browser.request("GET", path)
            with lock:
                (timings.append(elapsed) if status == 200 else errors.__setitem__(0, errors[0] + 1))

    started, client_cpu = time.monotonic(), time.process_time()
    threads = [threading.Thread(target=work, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    result = summarise(f"ticket pages, {clients} clients", timings, errors[0], wall)
    # The load generator shares the 2 cores with the server: say how much it took.
    result["client_cpu_share"] = round((time.process_time() - client_cpu) / wall, 2)
    print(f"  {result['name']:<28} {result.get('req_per_s')} req/s (client used "
          f"{result['client_cpu_share']:.0%} of a core)", file=sys.stderr)
    return result


# ---------------------------------------------------------------- the server

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, workers: int, env: dict,
                   app: str = "app:create_app()") -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app], cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def workers_cpu_seconds(server: subprocess.Popen | None) -> float:
    """User + system CPU seconds of the gunicorn workers so far (all their threads)."""
    if server is None:
        return 0.0
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return 0.0
    ticks = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_memory_mb(server: subprocess.Popen) -> list[float]:
    """Resident memory of each gunicorn worker (children of the master), in MB."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    import sqlite3
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(int(memory) / 1024 ** 2, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "system": platform.platform()}
