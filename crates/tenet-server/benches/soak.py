#!/usr/bin/env python3
"""Soak of `tenet serve` with concurrent reloads.

Starts the real server on a loopback port with a decision log (rotated
small, so rotation happens under load) over a copy of the policy
directory, then for --seconds runs --clients threads of one-teacher
requests while a reloader rewrites a policy file every --reload-every
seconds (the `annual_hours` param alternates 90 h / 30 h, and a counter
comment makes every text a new version) and, every other time, also calls
`POST /v1/admin/reload`. The server's RSS is sampled every 0.5 s.

Afterwards, from the responses the clients received and every decision
log file:
  - every answered request has its decisions in the log exactly once: the
    log's (rule, subject, window) lines of its request id are the results
    of the response, none missing, none repeated;
  - every line names the policy version that answered (the response's
    body and header);
  - requests answered by the same version for the same teacher got the
    same results, and the two texts give different results (so the
    version really is the one that decided);
  - no log line belongs to a request no client saw answered;
  - the peak RSS stays under --rss-mib.
Exits 1 when any of these fails. Python standard library only.

    python3 crates/tenet-server/benches/soak.py --tenet target/release/tenet --seconds 180
"""

import argparse
import glob
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
TEACHERS = ["lv-t%02d" % i for i in range(1, 26)]
AS_OF = ["2023-06-30", "2024-01-01"]


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def key_of(result):
    window = result.get("window")
    start = window.get("start") if isinstance(window, dict) else window
    return (result["rule"], result["subject"]["id"], json.dumps(start))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tenet", default=os.path.join(ROOT, "target/release/tenet"))
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--reload-every", type=float, default=3)
    ap.add_argument("--rss-mib", type=float, default=96, help="bound on the server's peak RSS")
    ap.add_argument("--log-max-mib", default="4")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="tenet-soak-")
    policies = os.path.join(work, "policies")
    os.mkdir(policies)
    for p in glob.glob(os.path.join(ROOT, "policies", "*.policy")):
        shutil.copy(p, policies)
    target = os.path.join(policies, "lvyuan.policy")
    original = open(target, encoding="utf-8").read()
    assert "param annual_hours = 90 h" in original
    log_dir = os.path.join(work, "log")
    server = subprocess.Popen(
        [args.tenet, "serve", "--policies", policies, "--data", os.path.join(ROOT, "examples/lvyuan"),
         "--addr", "127.0.0.1:0", "--log", log_dir, "--log-max-mib", args.log_max_mib,
         "--poll-ms", "200"],
        stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        m = re.search(r"http://([0-9.:]+)", line)
        if not m:
            print("soak: the server did not start: " + line + server.stderr.read(), file=sys.stderr)
            return 1
        host, port = m.group(1).rsplit(":", 1)
        errors_seen = []
        threading.Thread(target=lambda: errors_seen.extend(server.stderr), daemon=True).start()
        return soak(args, server, host, int(port), target, original, log_dir, errors_seen)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def soak(args, server, host, port, target, original, log_dir, stderr_lines):
    stop = threading.Event()
    answered = {}  # request id -> (version, teacher, as_of, [result keys], statuses)
    failures = []
    lock = threading.Lock()
    rss = []
    reloads = {"written": 0, "admin": 0, "admin_failed": 0}

    def client(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        done = {}
        while not stop.is_set():
            teacher = rng.choice(TEACHERS)
            as_of = rng.choice(AS_OF)
            body = json.dumps({"as_of": as_of})
            try:
                conn.request("POST", "/v1/subjects/person/%s/evaluate" % teacher, body,
                             {"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as e:
                failures.append("client %d: %s" % (n, e))
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                continue
            if r.status != 200:
                failures.append("HTTP %d: %s" % (r.status, data[:200]))
                continue
            doc = json.loads(data)
            if r.getheader("tenet-policy-version") != doc["policy_version"]:
                failures.append("%s: header %s, body %s" % (doc["request_id"], r.getheader("tenet-policy-version"), doc["policy_version"]))
            keys = [key_of(x) for x in doc["results"]]
            statuses = [(key_of(x), x["status"]) for x in doc["results"]]
            done[doc["request_id"]] = (doc["policy_version"], teacher, as_of, keys, tuple(sorted(statuses)))
        conn.close()
        with lock:
            answered.update(done)

    def reloader():
        i = 0
        while not stop.wait(args.reload_every):
            i += 1
            hours = "30" if i % 2 else "90"
            text = original.replace("param annual_hours = 90 h", "param annual_hours = %s h" % hours)
            tmp = target + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text + "\n// soak reload %d\n" % i)
            os.replace(tmp, target)  # the watcher never sees half a file
            reloads["written"] += 1
            if i % 2 == 0:
                try:
                    c = http.client.HTTPConnection(host, port, timeout=30)
                    c.request("POST", "/v1/admin/reload", "", {"Content-Type": "application/json"})
                    r = c.getresponse()
                    r.read()
                    c.close()
                    reloads["admin" if r.status == 200 else "admin_failed"] += 1
                except (OSError, http.client.HTTPException):
                    reloads["admin_failed"] += 1

    def sampler():
        while not stop.wait(0.5):
            v = rss_kib(server.pid)
            if v:
                rss.append(v)

    rss_start = rss_kib(server.pid)
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    threads += [threading.Thread(target=reloader), threading.Thread(target=sampler)]
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    rss_end = rss_kib(server.pid)

    # Every line of every log file, rotated ones included.
    logged = {}
    lines = 0
    files = sorted(glob.glob(os.path.join(log_dir, "*.jsonl")))
    for path in files:
        with open(path, encoding="utf-8") as f:
            for raw in f:
                lines += 1
                d = json.loads(raw)
                logged.setdefault(d["request_id"], []).append(d)

    problems = list(failures[:20])
    missing = duplicated = wrong_version = mismatched = 0
    decisions = 0
    for rid, (version, _teacher, _as_of, keys, _st) in answered.items():
        got = logged.pop(rid, [])
        decisions += len(keys)
        got_keys = [key_of(d) for d in got]
        if len(set(got_keys)) != len(got_keys):
            duplicated += 1
        if sorted(got_keys) != sorted(keys):
            if len(got_keys) < len(keys):
                missing += 1
            else:
                mismatched += 1
            if len(problems) < 20:
                problems.append("%s: logged %s, answered %s" % (rid, sorted(got_keys), sorted(keys)))
        if any(d["policy_version"] != version for d in got):
            wrong_version += 1
    orphans = len(logged)
    # Same version, teacher and date: same results.
    by_version = {}
    inconsistent = 0
    for version, teacher, as_of, _keys, statuses in answered.values():
        seen = by_version.setdefault((version, teacher, as_of), statuses)
        if seen != statuses:
            inconsistent += 1
    versions = {v for (v, _, _) in by_version}
    # The two texts must decide differently for someone, or the check above proves nothing.
    texts_differ = len({st for st in by_version.values()}) > len({(t, a) for (_, t, a) in by_version})
    peak = max(rss) if rss else 0
    refused = [l for l in stderr_lines if "refused" in l]

    print("soak: %.0f s, %d clients, reload every %.1f s" % (elapsed, args.clients, args.reload_every))
    print("soak: %d requests answered (%.0f/s), %d decisions, %d log lines in %d file(s)"
          % (len(answered), len(answered) / elapsed, decisions, lines, len(files)))
    print("soak: %d policy texts written, %d admin reloads (%d failed), %d versions answered"
          % (reloads["written"], reloads["admin"], reloads["admin_failed"], len(versions)))
    print("soak: missing %d, duplicated %d, mismatched %d, wrong version %d, orphan lines %d, "
          "inconsistent within a version %d, texts decide differently: %s"
          % (missing, duplicated, mismatched, wrong_version, orphans, inconsistent, texts_differ))
    print("soak: RSS start %.1f MiB, peak %.1f MiB, end %.1f MiB (bound %.0f MiB)"
          % ((rss_start or 0) / 1024, peak / 1024, (rss_end or 0) / 1024, args.rss_mib))
    ok = (not failures and missing == 0 and duplicated == 0 and mismatched == 0 and wrong_version == 0
          and orphans == 0 and inconsistent == 0 and texts_differ and len(versions) >= 2
          and reloads["admin_failed"] == 0 and not refused and peak / 1024 < args.rss_mib)
    for p in problems:
        print("soak: " + p, file=sys.stderr)
    for l in refused[:5]:
        print("soak: server: " + l.rstrip(), file=sys.stderr)
    print("soak: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
