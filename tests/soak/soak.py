"""Soak and interruption benchmark for the hwcloud.cce upgrade role (``make soak`` -> ``.ci/soak``).

Not part of ``make test``. Against one simulator with faults injected on a share of API requests:

1. soak: ``--runs`` full role runs (``playbooks/upgrade.yml``), each on a fresh cluster added with
   ``POST /_simulator/clusters``. Every run must succeed.
2. interruption: ``--kills`` runs that are SIGKILLed (``ansible-playbook`` and its workers) after a
   random delay within a typical run, then rerun once without interruption. Every rerun must
   complete.

For every cluster the truth is read back from the API afterwards: exactly one upgrade task, which
succeeded, and no orphaned workflow (every workflow ends Success, none is left open).

Prints a figures table and writes ``soak-results.json`` (git-ignored) in the collection root.
Exit status 0 only when every run succeeded with no duplicate and no orphan.
"""

import argparse
import concurrent.futures
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / "playbooks" / "upgrade.yml"
FAULT_KINDS = [
    {"fault": "throttle", "retry_after": "0.2"},
    {"fault": "error", "status": 500},
    {"fault": "error", "status": 502},
    {"fault": "error", "status": 503},
    {"fault": "reset_before"},
    {"fault": "reset_after"},
    {"fault": "delay", "seconds": 1.5},
    {"fault": "malformed"},
    {"fault": "html", "status": 502},
]
API_PATHS = r"^/(api|autopilot)/"


def fault_spec(rate, seed):
    """Rules over every API path (every method) so that ``rate`` of all requests get a fault.

    The simulator tries the rules in order and the first that fires wins, so each rule gets
    ``1 - (1 - rate) ** (1 / n)``.
    """
    each = 1 - (1 - rate) ** (1.0 / len(FAULT_KINDS))
    return {"seed": seed, "rules": [dict(kind, path=API_PATHS, probability=round(each, 6)) for kind in FAULT_KINDS]}


class Sim:
    """A simulator process started for the soak."""

    def __init__(self, time_scale):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "tests" / "simulator"), env.get("PYTHONPATH", "")])
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cce_simulator", "--host", "127.0.0.1", "--port", "0", "--time-scale", str(time_scale)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError("simulator did not start: %r" % line)
        self.url = line.split("listening on ", 1)[1].strip()
        threading.Thread(target=lambda: [None for _unused in self.proc.stdout], daemon=True).start()

    def control(self, method, name, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.url + "/_simulator/" + name, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 (loopback)
            body = resp.read()
        return json.loads(body) if body else None

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Soak:
    def __init__(self, args):
        self.args = args
        self.sim = Sim(args.time_scale)
        self.creds = self.sim.control("GET", "credentials")
        self.rng = random.Random(args.seed)
        self.tmp = Path(tempfile.mkdtemp(prefix="hwcloud-cce-soak-"))
        self.collections = self.tmp / "collections"
        (self.collections / "ansible_collections" / "hwcloud").mkdir(parents=True)
        (self.collections / "ansible_collections" / "hwcloud" / "cce").symlink_to(ROOT, target_is_directory=True)
        sys.path.insert(0, str(self.collections))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("HW_", "HUAWEICLOUD_SDK_"))}
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections), "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_LOCAL_TEMP": str(self.tmp / "ansible-tmp"), "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "0", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "HW_REGION_NAME": self.creds["region"], "HW_PROJECT_ID": self.creds["project_id"],
            "HW_ACCESS_KEY": self.creds["access_key"], "HW_SECRET_KEY": self.creds["secret_key"],
            "HW_CCE_ENDPOINT": self.sim.url, "HW_IAM_ENDPOINT": self.sim.url,
        })
        self.counter = 0
        self.lock = threading.Lock()
        self.records = []

    # -- clusters and runs ----------------------------------------------------------------------
    def new_cluster(self, prefix):
        with self.lock:
            self.counter += 1
            number = self.counter
        flavor = "autopilot" if number % 5 == 0 else "cce"
        spec = {"name": "%s-%03d" % (prefix, number), "flavor": flavor, "version": "v1.29"}
        item = self.sim.control("POST", "clusters", spec)
        return item["id"], flavor

    def command(self, cid, flavor):
        extra = {"cce_upgrade_cluster_id": cid, "cce_upgrade_target_version": "v1.30",
                 "cce_upgrade_cluster_flavor": flavor, "cce_upgrade_poll_interval": 1}
        bindir = Path(sys.executable).parent
        playbook_bin = bindir / "ansible-playbook"
        return [str(playbook_bin) if playbook_bin.exists() else "ansible-playbook", "-i", "localhost,", "-c", "local",
                str(PLAYBOOK), "-e", json.dumps(extra)]

    def run_playbook(self, cid, flavor, kill_after=None, log=None):
        started = time.monotonic()
        with open(log, "w", encoding="utf-8") as out:
            proc = subprocess.Popen(self.command(cid, flavor), stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                    start_new_session=True)
            try:
                proc.wait(timeout=kill_after if kill_after is not None else self.args.run_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # ansible-playbook and its workers, no cleanup
                proc.wait()
                return "killed", time.monotonic() - started
        return proc.returncode, time.monotonic() - started

    def soak_one(self, index):
        cid, flavor = self.new_cluster("soak")
        log = self.tmp / ("soak-%03d.log" % index)
        rc, seconds = self.run_playbook(cid, flavor, log=log)
        record = {"phase": "soak", "cluster_id": cid, "flavor": flavor, "rc": rc, "seconds": round(seconds, 1),
                  "log": str(log)}
        record.update(self.verify(cid, flavor))
        record["ok"] = rc == 0 and record["tasks"] == 1 and record["orphans"] == 0 and record["task_phase"] == "Success"
        self.report(record)
        return record

    def interrupt_one(self, index, typical):
        cid, flavor = self.new_cluster("kill")
        # Within the first 80 % of a typical run, so that the kill lands while the run is still going.
        delay = self.rng.uniform(1.0, max(1.5, 0.8 * typical))
        first, _rest = self.run_playbook(cid, flavor, kill_after=delay, log=self.tmp / ("kill-%03d.log" % index))
        log = self.tmp / ("rerun-%03d.log" % index)
        rc, seconds = self.run_playbook(cid, flavor, log=log)
        record = {"phase": "interruption", "cluster_id": cid, "flavor": flavor, "kill_after": round(delay, 1),
                  "first": first, "rc": rc, "seconds": round(seconds, 1), "log": str(log)}
        record.update(self.verify(cid, flavor))
        record["ok"] = rc == 0 and record["tasks"] == 1 and record["orphans"] == 0 and record["task_phase"] == "Success"
        self.report(record)
        return record

    def report(self, record):
        with self.lock:
            self.records.append(record)
            done = len(self.records)
        status = "ok" if record["ok"] else "FAILED (log %s)" % record["log"]
        extra = " killed at %ss," % record["kill_after"] if "kill_after" in record else ""
        print("%-12s %3d  %-9s%s rc=%s %5.1fs tasks=%d workflows=%d orphans=%d  %s" % (
            record["phase"], done, record["flavor"], extra, record["rc"], record["seconds"], record["tasks"],
            record["workflows"], record["orphans"], status), flush=True)

    # -- the truth, read back through the collection's own client (robust to the faults) ---------
    def verify(self, cid, flavor):
        from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi
        from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceClient, ConnectionConfig

        config = ConnectionConfig(region=self.creds["region"], project_id=self.creds["project_id"],
                                  access_key=self.creds["access_key"], secret_key=self.creds["secret_key"],
                                  cce_endpoint=self.sim.url, api_retries=20)
        api = CceApi(CceClient(config), flavor)
        tasks = api.list_upgrade_tasks(cid).get("items") or []
        workflows = api.list_workflows(cid).get("items") or []
        phases = [((w.get("status") or {}).get("phase")) for w in workflows]
        return {
            "tasks": len(tasks),
            "task_phase": ((tasks[0].get("status") or {}).get("phase")) if len(tasks) == 1 else None,
            "workflows": len(workflows),
            "workflow_phases": phases,
            "orphans": sum(1 for phase in phases if phase != "Success"),
        }

    # -- figures --------------------------------------------------------------------------------
    def log_figures(self):
        entries = [e for e in self.sim.control("GET", "requests") if not e["path"].startswith("/_simulator")]
        faulted = [e for e in entries if e.get("fault")]
        retries = 0
        by_key = {}
        for entry in entries:
            by_key.setdefault((entry["method"], entry["path"], entry.get("query")), []).append(entry)
        for series in by_key.values():
            for before, after in zip(series, series[1:]):
                if before.get("fault") and after["time"] - before["time"] < 120:
                    retries += 1
        kinds = {}
        for entry in faulted:
            kinds[entry["fault"]] = kinds.get(entry["fault"], 0) + 1
        return {"requests": len(entries), "faults_injected": len(faulted), "fault_kinds": kinds,
                "retries_observed": retries,
                "fault_rate": round(len(faulted) / len(entries), 3) if entries else 0.0}

    def run(self):
        args = self.args
        self.sim.control("POST", "faults", fault_spec(args.fault_rate, args.seed))
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
            soak = list(pool.map(self.soak_one, range(args.runs)))
        soak_seconds = time.monotonic() - t0
        durations = [r["seconds"] for r in soak if r["rc"] == 0] or [60.0]
        typical = statistics.median(durations)
        t1 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.parallel) as pool:
            kills = list(pool.map(lambda i: self.interrupt_one(i, typical), range(args.kills)))
        kill_seconds = time.monotonic() - t1
        figures = self.log_figures()
        self.sim.stop()

        def summary(records, seconds):
            return {"runs": len(records), "successes": sum(1 for r in records if r["ok"]),
                    "duplicates": sum(max(0, r["tasks"] - 1) for r in records),
                    "missing_tasks": sum(1 for r in records if r["tasks"] == 0),
                    "orphans": sum(r["orphans"] for r in records), "wall_seconds": round(seconds, 1),
                    "killed_mid_run": sum(1 for r in records if r.get("first") == "killed"),
                    "median_run_seconds": round(statistics.median([r["seconds"] for r in records]), 1) if records else 0}

        results = {
            "settings": {"runs": args.runs, "kills": args.kills, "fault_rate": args.fault_rate, "seed": args.seed,
                         "parallel": args.parallel, "time_scale": args.time_scale, "fault_kinds": FAULT_KINDS},
            "soak": summary(soak, soak_seconds),
            "interruption": summary(kills, kill_seconds),
            "requests": figures,
            "records": soak + kills,
        }
        out = ROOT / "soak-results.json"
        out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        print_table(results, out)
        ok = all(r["ok"] for r in soak + kills)
        print("SOAK %s: %d passed, %d failed" % ("OK" if ok else "FAILED", sum(r["ok"] for r in soak + kills),
                                                 sum(not r["ok"] for r in soak + kills)))
        return 0 if ok else 1


def print_table(results, out):
    soak, kills, req = results["soak"], results["interruption"], results["requests"]
    rows = [
        ("", "soak", "interruption"),
        ("runs", soak["runs"], kills["runs"]),
        ("killed mid-run", "-", kills["killed_mid_run"]),
        ("successes", soak["successes"], kills["successes"]),
        ("duplicate tasks", soak["duplicates"], kills["duplicates"]),
        ("clusters without task", soak["missing_tasks"], kills["missing_tasks"]),
        ("orphaned workflows", soak["orphans"], kills["orphans"]),
        ("median run (s)", soak["median_run_seconds"], kills["median_run_seconds"]),
        ("wall time (s)", soak["wall_seconds"], kills["wall_seconds"]),
    ]
    print()
    for name, a, b in rows:
        print("  %-24s %12s %14s" % (name, a, b))
    print("  %-24s %12s" % ("API requests", req["requests"]))
    print("  %-24s %12s  (rate %.3f; %s)" % ("faults injected", req["faults_injected"], req["fault_rate"],
                                             ", ".join("%s %d" % kv for kv in sorted(req["fault_kinds"].items()))))
    print("  %-24s %12s" % ("retries observed", req["retries_observed"]))
    print("  results: %s" % out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--time-scale", type=float, default=0.01)
    parser.add_argument("--run-timeout", type=float, default=900)
    args = parser.parse_args(argv)
    return Soak(args).run()


if __name__ == "__main__":
    sys.exit(main())
