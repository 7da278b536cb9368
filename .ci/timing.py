#!/usr/bin/env python3
"""TESTPLAN T07: register, login and password reset must not tell whether an account exists.

Starts the built binary on a fresh SQLite file with a real (in-script) SMTP sink, creates
accounts through the API, then runs interleaved trials for each route: an existing account
against an unknown email. Per route it requires identical status, headers (minus Date and the
request id) and body bytes, medians within 5 ms, and a two-sided Mann-Whitney U test (normal
approximation with tie correction) with p > 0.01.

Stdlib only. Usage: .ci/timing.py [--binary PATH] [--trials N]   (default 200 per route)
Rate limits are per client address and per email: the harness names itself a trusted proxy
(KINDRED_TRUSTED_PROXIES=127.0.0.1) and sends a fresh X-Forwarded-For per request, and every
trial uses an email no earlier trial used, so no limit is ever reached.
"""

import argparse
import http.client
import json
import math
import multiprocessing
import os
import random
import shutil
import socket
import socketserver
import statistics
import string
import subprocess
import sys
import tempfile
import time

IGNORED_HEADERS = {"date", "x-request-id"}
PASSWORD = "a calm river at dawn, timing"
MAX_MEDIAN_GAP_MS = 5.0
MIN_P = 0.01


# --- statistics -----------------------------------------------------------------------------


def mann_whitney_u(a, b):
    """Two-sided Mann-Whitney U: returns (U of a, p), normal approximation, tie-corrected."""
    n1, n2 = len(a), len(b)
    pooled = sorted([(v, 0) for v in a] + [(v, 1) for v in b])
    ranks = [0.0] * len(pooled)
    ties = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        avg = (i + j) / 2 + 1  # ranks are 1-based
        for k in range(i, j + 1):
            ranks[k] = avg
        t = j - i + 1
        ties += t**3 - t
        i = j + 1
    r1 = sum(r for r, (_, g) in zip(ranks, pooled) if g == 0)
    u1 = r1 - n1 * (n1 + 1) / 2
    n = n1 + n2
    mu = n1 * n2 / 2
    var = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0:
        return u1, 1.0
    z = (abs(u1 - mu) - 0.5) / math.sqrt(var)  # continuity correction
    z = max(z, 0.0)
    p = math.erfc(z / math.sqrt(2))
    return u1, min(1.0, p)


def self_test():
    # Identical samples: no difference. Shifted samples: a clear one. Known value: for
    # a=[1,2,3], b=[4,5,6] U=0; with ties a=[1,2,2], b=[2,3,4] U=1 (ties count a half).
    assert mann_whitney_u([1, 2, 3], [4, 5, 6])[0] == 0
    assert mann_whitney_u([1, 2, 2], [2, 3, 4])[0] == 1
    rnd = random.Random(7)
    same = [rnd.gauss(0, 1) for _ in range(200)]
    assert mann_whitney_u(same, list(same))[1] > 0.9
    shifted = [x + 1 for x in same]
    assert mann_whitney_u(same, shifted)[1] < 1e-6
    assert mann_whitney_u([5] * 20, [5] * 20)[1] == 1.0


# --- a tiny SMTP sink -----------------------------------------------------------------------


class Mailbox:
    def __init__(self, counter):
        self.counter = counter  # a multiprocessing.Value shared with the harness


class SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        box = self.server.mailbox
        self.wfile.write(b"220 timing-sink ESMTP\r\n")
        while True:
            line = self.rfile.readline(1 << 20)
            if not line:
                return
            verb = line.strip().split(b" ")[0].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-timing-sink\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                while True:
                    body = self.rfile.readline(1 << 20)
                    if not body or body == b".\r\n":
                        break
                with box.counter.get_lock():
                    box.counter.value += 1
                self.wfile.write(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


class SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve_smtp(counter, port_pipe):
    server = SmtpServer(("127.0.0.1", 0), SmtpHandler)
    server.mailbox = Mailbox(counter)
    port_pipe.send(server.server_address[1])
    server.serve_forever()


class SmtpSink:
    """The sink runs in a process of its own: in this one, its thread would compete with the
    timed requests for the interpreter lock exactly when the service sends mail, which is
    itself a difference between the two sides."""

    def __init__(self):
        self.counter = multiprocessing.Value("i", 0)
        here, there = multiprocessing.Pipe()
        self.proc = multiprocessing.Process(target=serve_smtp, args=(self.counter, there),
                                            daemon=True)
        self.proc.start()
        self.port = here.recv()

    @property
    def count(self):
        return self.counter.value

    def shutdown(self):
        self.proc.terminate()
        self.proc.join(5)


# --- the service ----------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    def __init__(self, binary, smtp_port):
        self.dir = tempfile.mkdtemp(prefix="kindred-timing-")
        self.port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": self.dir,
            "KINDRED_BIND": f"127.0.0.1:{self.port}",
            "DATABASE_URL": f"sqlite://{self.dir}/kindred.db",
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
            "KINDRED_TRUSTED_PROXIES": "127.0.0.1",
            "KINDRED_JWT_SECRET": "timing-harness-secret-" + "x" * 32,
            "RUST_LOG": "warn",
        }
        self.log = open(os.path.join(self.dir, "kindred.log"), "wb")
        self.proc = subprocess.Popen(
            [binary], cwd=self.dir, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.conn = None
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"kindred exited early:\n{self.tail()}")
            try:
                self.connect()
                status, _, _, _ = self.request("GET", "/healthz", None, "10.0.0.1")
                if status < 500:
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"kindred did not come up:\n{self.tail()}")

    def tail(self):
        self.log.flush()
        with open(os.path.join(self.dir, "kindred.log"), "rb") as f:
            return f.read()[-4000:].decode(errors="replace")

    def connect(self):
        if self.conn:
            self.conn.close()
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, body, client_ip):
        """One request on the kept-alive connection; returns (status, headers, body, ms)."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"X-Forwarded-For": client_ip, "Connection": "keep-alive"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            try:
                start = time.perf_counter()
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                ms = (time.perf_counter() - start) * 1000
                hdrs = sorted(
                    (k.lower(), v) for k, v in resp.getheaders() if k.lower() not in IGNORED_HEADERS
                )
                return resp.status, hdrs, payload, ms
            except (http.client.HTTPException, OSError):
                if attempt:
                    raise
                self.connect()

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


# --- trials ---------------------------------------------------------------------------------


class Names:
    """Fresh emails, display names and client addresses, never repeated in a run."""

    def __init__(self):
        self.n = 0
        self.tag = "".join(random.choice(string.ascii_lowercase) for _ in range(6))

    def next(self):
        self.n += 1
        return self.n

    def email(self, kind):
        return f"{kind}-{self.tag}-{self.next()}@timing.example.org"

    def display_name(self):
        n, letters = self.next(), []
        while True:
            n, r = divmod(n, 26)
            letters.append(string.ascii_lowercase[r])
            if n == 0:
                break
        return "Timing " + "".join(letters).capitalize()

    def ip(self):
        n = self.next()
        return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def run_route(svc, names, route, make_known, make_unknown, trials):
    """Interleaved trials (order shuffled per pair); returns the route's verdict and figures."""
    known, unknown, shapes = [], [], {}
    for i in range(trials):
        pair = [("known", make_known(i)), ("unknown", make_unknown(i))]
        random.shuffle(pair)
        for kind, body in pair:
            status, hdrs, payload, ms = svc.request("POST", route, body, names.ip())
            (known if kind == "known" else unknown).append(ms)
            shapes.setdefault(kind, set()).add((status, tuple(hdrs), payload))
    problems = []
    for kind in ("known", "unknown"):
        if len(shapes[kind]) != 1:
            problems.append(f"{kind} answers vary: {sorted(shapes[kind])[:3]}")
    if shapes["known"] != shapes["unknown"]:
        problems.append(f"answers differ: known {shapes['known']} unknown {shapes['unknown']}")
    mk, mu = statistics.median(known), statistics.median(unknown)
    _, p = mann_whitney_u(known, unknown)
    if abs(mk - mu) >= MAX_MEDIAN_GAP_MS:
        problems.append(f"medians differ by {abs(mk - mu):.2f} ms (limit {MAX_MEDIAN_GAP_MS})")
    if p <= MIN_P:
        problems.append(f"Mann-Whitney U p = {p:.2g} (must be > {MIN_P})")
    status = next(iter(shapes["known"]))[0] if shapes["known"] else None
    print(
        f"  {route}: status {status}, median known {mk:.3f} ms, unknown {mu:.3f} ms, "
        f"gap {mk - mu:+.3f} ms, U-test p = {p:.3g}, n = {trials}+{trials}"
        + ("" if not problems else "  FAIL"),
        flush=True,
    )
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=None)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    self_test()
    if args.seed is not None:
        random.seed(args.seed)
    binary = args.binary
    if binary is None:
        target = os.environ.get("CARGO_TARGET_DIR", "target")
        for profile in ("release", "debug"):
            candidate = os.path.join(target, profile, "kindred")
            if os.path.exists(candidate) and (
                binary is None or os.path.getmtime(candidate) > os.path.getmtime(binary)
            ):
                binary = candidate
    if binary is None:
        raise SystemExit("no kindred binary: run cargo build first or pass --binary")
    binary = os.path.abspath(binary)
    print(f"T07 timing: {binary}, {args.trials} interleaved trials per route", flush=True)

    started = time.time()
    sink = SmtpSink()
    svc = Service(binary, sink.port)
    names = Names()
    problems = {}
    try:
        owner = names.email("owner")
        reg = {"email": owner, "password": PASSWORD, "display_name": names.display_name()}
        status, _, body, _ = svc.request("POST", "/api/v1/auth/register", reg, names.ip())
        if status >= 300:
            raise SystemExit(f"could not register the owner: {status} {body!r}")
        # Warm-up, so first-request costs (connection pools, caches) land in neither sample.
        for _ in range(5):
            svc.request("POST", "/api/v1/auth/login",
                        {"email": names.email("warm"), "password": PASSWORD}, names.ip())
            svc.request("POST", "/api/v1/auth/password-reset",
                        {"email": names.email("warm")}, names.ip())

        # Register: the owner's email again against a fresh one (which creates an account
        # that the login and reset trials then use as their "existing" side, one per trial).
        created = []

        def reg_unknown(_):
            e = names.email("new")
            created.append(e)
            return {"email": e, "password": PASSWORD, "display_name": names.display_name()}

        problems["register"] = run_route(
            svc, names, "/api/v1/auth/register",
            lambda _: {"email": owner, "password": PASSWORD, "display_name": names.display_name()},
            reg_unknown, args.trials,
        )
        # Login with a wrong password: one fresh existing account per trial, so the
        # per-account failure limit never applies.
        problems["login"] = run_route(
            svc, names, "/api/v1/auth/login",
            lambda i: {"email": created[i], "password": "not the password at all"},
            lambda _: {"email": names.email("nobody"), "password": "not the password at all"},
            args.trials,
        )
        problems["password-reset"] = run_route(
            svc, names, "/api/v1/auth/password-reset",
            lambda i: {"email": created[i]},
            lambda _: {"email": names.email("nobody")},
            args.trials,
        )
        # The side effects do happen, asynchronously: owner + register trials + resets.
        expected = 1 + 2 * args.trials + args.trials
        deadline = time.time() + 60
        while sink.count < expected and time.time() < deadline:
            time.sleep(0.2)
        print(f"  mail delivered to the sink: {sink.count} of {expected} expected")
        if sink.count < expected:
            problems["mail"] = [f"only {sink.count} of {expected} emails arrived"]
    finally:
        svc.stop()
        sink.shutdown()
    print(f"T07 timing took {time.time() - started:.1f} s")
    failed = {k: v for k, v in problems.items() if v}
    for route, ps in failed.items():
        for p in ps:
            print(f"FAIL {route}: {p}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
