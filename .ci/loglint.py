#!/usr/bin/env python3
"""TESTPLAN T39 over the whole suite: checks the logs the test processes captured.

`.ci/run` sets KINDRED_TEST_LOG_DIR for `cargo test`; the integration harness then writes the
service's log there (tests/api/support/mod.rs, `capture_logs`). This script requires:
- every line of every file is one JSON object (so CR/LF or ANSI in input never forged a line,
  and there is no escape character anywhere);
- no planted canary (`cnry`, tests/api/log_hygiene.rs), no email address, no link token and
  no bearer token appears;
- every security event in SEC_LOG (read from tests/api/log_hygiene.rs, one list) appears.

Stdlib only. Usage: .ci/loglint.py DIR
"""

import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FORBIDDEN = {
    "canary": re.compile(r"cnry"),
    "email address": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+\.[A-Za-z0-9.-]*[A-Za-z]"),
    "link token": re.compile(r"token=[A-Za-z0-9_-]{16,}"),
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9._-]{16,}"),
    "escape character": re.compile(r"\x1b"),
}


def sec_log():
    src = open(os.path.join(ROOT, "tests/api/log_hygiene.rs"), encoding="utf-8").read()
    block = re.search(r"pub const SEC_LOG: &\[&str\] = &\[(.*?)\];", src, re.S)
    if not block:
        raise SystemExit("SEC_LOG not found in tests/api/log_hygiene.rs")
    return re.findall(r'"([a-z_]+)"', block.group(1))


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    folder = sys.argv[1]
    files = sorted(f for f in os.listdir(folder) if f.endswith(".log"))
    if not files:
        raise SystemExit(f"FAIL: no captured logs in {folder}")
    problems, events, lines = [], set(), 0
    for name in files:
        with open(os.path.join(folder, name), "rb") as f:
            raw = f.read()
        for no, line in enumerate(raw.split(b"\n"), 1):
            if not line:
                continue
            lines += 1
            where = f"{name}:{no}"
            try:
                text = line.decode("utf-8")
                value = json.loads(text)
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                problems.append(f"{where}: not JSON ({e}): {line[:200]!r}")
                continue
            if not isinstance(value, dict):
                problems.append(f"{where}: not a JSON object")
                continue
            for what, pattern in FORBIDDEN.items():
                if pattern.search(text):
                    problems.append(f"{where}: {what} in the log: {text[:300]}")
            if isinstance(value.get("event"), str):
                events.add(value["event"])
    missing = [e for e in sec_log() if e not in events]
    if missing:
        problems.append(f"security events never logged: {', '.join(missing)}")
    print(f"T39 logs: {len(files)} files, {lines} lines, {len(events)} distinct events")
    for p in problems[:50]:
        print(f"FAIL {p}", file=sys.stderr)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
