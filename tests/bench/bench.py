#!/usr/bin/env python
"""Performance benchmark of hwcloud.cce against the CCE simulator (``make bench``).

Every figure is a ratio or a count measured in this run; nothing is compared with a stored
baseline. Prints a table and writes ``bench-results.json`` (git-ignored) in the repository root.

  1. ad-hoc module call vs ``ansible.builtin.ping`` (median wall time of N runs each)
  2. API requests of one ``playbooks/upgrade.yml`` run, by role step; polls vs requests
  3. detection latency: the simulator finishing the upgrade task -> the poll that saw Success
  2b. one ``playbooks/upgrade.yml`` run across several versions (ancient-a, v1.23.8-r0 -> v1.31):
     hops, and per hop its wall time, API requests and controller CPU
  4. fleets of 1, 10 and 50 clusters (forks = clusters, one batch): wall-time ratio, CPU per cluster
  5. import time of our module_utils vs ``huaweicloudsdkcce.v3`` (fresh interpreters, median)
  6. simulator throughput: 200 clusters, many concurrent signed clients

Usage: python tests/bench/bench.py [--quick] [--runs N] [--fleet-sizes 1,10,50] [--fleet-time-scale X]
"""

import argparse
import datetime
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SIMULATOR_DIR = REPO_ROOT / "tests" / "simulator"
UPGRADE_PLAYBOOK = REPO_ROOT / "playbooks" / "upgrade.yml"
FLEET_PLAYBOOK = REPO_ROOT / "playbooks" / "fleet_upgrade.yml"
RESULTS = REPO_ROOT / "bench-results.json"
CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"
SIMULATED_UPGRADE_SECONDS = 600  # the default scenario's upgrade task at --time-scale 1
BIN_DIR = Path(sys.executable).parent
SECTIONS = ("adhoc", "upgrade", "hops", "load", "imports", "fleets")


def log(message):
    print("[bench %s] %s" % (time.strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Simulator


class Simulator:
    """A ``python -m cce_simulator`` process and its control API."""

    def __init__(self, time_scale, scenario=None):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(SIMULATOR_DIR), env.get("PYTHONPATH", "")])
        cmd = [sys.executable, "-m", "cce_simulator", "--host", "127.0.0.1", "--port", "0", "--time-scale", str(time_scale)]
        if scenario:
            cmd += ["--scenario", str(scenario)]
        self.time_scale = time_scale
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.url = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("listening on "):
                self.url = line.split("listening on ", 1)[1].strip()
                break
            if not line and self.process.poll() is not None:
                break
        if not self.url:
            self.process.kill()
            raise RuntimeError("the simulator did not start")
        threading.Thread(target=self.process.stdout.read, daemon=True).start()
        self.credentials = self.control("GET", "credentials")

    def control(self, method, name, payload=None, query=""):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.url + "/_simulator/" + name + query, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 (loopback only)
            body = resp.read()
        return json.loads(body) if body else None

    def reset(self):
        self.control("POST", "reset", {})

    def clusters(self):
        return self.control("GET", "clusters")

    def requests(self, cluster_id=None):
        query = "?cluster_id=" + cluster_id if cluster_id else ""
        return [r for r in self.control("GET", "requests", query=query) if not r["path"].startswith("/_simulator")]

    def wall_time_of(self, sim_epoch):
        """Wall-clock epoch at which the simulated clock showed ``sim_epoch``."""
        before = time.time()
        clock = self.control("GET", "clock")
        wall = (before + time.time()) / 2
        return wall - (clock["sim_time"] - sim_epoch) * clock["time_scale"]

    def cpu_seconds(self):
        """CPU time (user + system) the simulator process has used so far."""
        with open("/proc/%d/stat" % self.process.pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def fleet_scenario(directory, count):
    path = Path(directory) / "fleet-scenario.json"
    path.write_text(json.dumps({"clusters": [],
                                "cluster_sets": [{"prefix": "fleet-", "count": count, "flavor": "cce", "version": "v1.29"}]}))
    return path


def go_timestamp_epoch(text):
    """``2023-11-25 06:32:34.923248 +0000 UTC`` -> epoch seconds."""
    moment = datetime.datetime.strptime(text.replace(" +0000 UTC", ""), "%Y-%m-%d %H:%M:%S.%f")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


# ---------------------------------------------------------------------------------------------
# Ansible


class Ansible:
    """Runs ansible commands against a simulator, credentials in the environment (as AWX injects them)."""

    def __init__(self, sim, workdir):
        self.workdir = Path(workdir)
        collections = self.workdir / "collections"
        namespace = collections / "ansible_collections" / "hwcloud"
        namespace.mkdir(parents=True, exist_ok=True)
        link = namespace / "cce"
        if not link.exists():
            link.symlink_to(REPO_ROOT, target_is_directory=True)
        self.collections = collections
        self.env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("HW_", "HUAWEICLOUD_SDK_", "ANSIBLE_")))
        self.point_at(sim)

    def point_at(self, sim):
        creds = sim.credentials
        self.env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": str(self.workdir / "ansible-tmp"),
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "HW_REGION_NAME": creds["region"],
            "HW_PROJECT_ID": creds["project_id"],
            "HW_ACCESS_KEY": creds["access_key"],
            "HW_SECRET_KEY": creds["secret_key"],
            "HW_CCE_ENDPOINT": sim.url,
            "HW_IAM_ENDPOINT": sim.url,
        })

    @staticmethod
    def command(name):
        candidate = BIN_DIR / name
        return str(candidate) if candidate.exists() else name

    def run(self, cmd, env=None, timeout=3600):
        run_env = dict(self.env)
        run_env.update(env or {})
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=run_env, timeout=timeout, check=False)
        wall = time.monotonic() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return proc, wall, cpu

    def adhoc(self, module, args=None):
        cmd = [self.command("ansible"), "localhost", "-c", "local", "-m", module]
        if args:
            cmd += ["-a", args]
        return self.run(cmd)

    def playbook(self, playbook, extra_vars, inventory="localhost,", extra_args=(), timeline=None):
        cmd = [self.command("ansible-playbook"), "-i", inventory, "-c", "local", str(playbook),
               "-e", json.dumps(extra_vars)] + list(extra_args)
        env = None
        if timeline:
            env = {"ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR), "ANSIBLE_CALLBACKS_ENABLED": "bench_timeline",
                   "CCE_BENCH_TIMELINE": str(timeline)}
        return self.run(cmd, env=env)


def check(proc, what):
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError("%s failed (rc %s):\n%s" % (what, proc.returncode, tail))


def cluster_by_name(sim, name):
    for item in sim.clusters():
        if item["name"] == name:
            return item
    raise KeyError(name)


# ---------------------------------------------------------------------------------------------
# 1. ad-hoc module vs ping


def bench_adhoc(sim, ansible, runs):
    cluster = cluster_by_name(sim, "fleet-001")
    module_times, ping_times = [], []
    for index in range(runs + 1):  # the first pair warms the caches and is not counted
        proc, wall_module, _cpu = ansible.adhoc("hwcloud.cce.cce_cluster_upgrade_info", "cluster_id=%s" % cluster["id"])
        check(proc, "ad-hoc cce_cluster_upgrade_info")
        proc, wall_ping, _cpu = ansible.adhoc("ansible.builtin.ping")
        check(proc, "ad-hoc ping")
        if index:
            module_times.append(wall_module)
            ping_times.append(wall_ping)
    module_median = statistics.median(module_times)
    ping_median = statistics.median(ping_times)
    requests = len(sim.requests(cluster["id"])) / (runs + 1)
    return {
        "runs": runs,
        "module_median_s": round(module_median, 3),
        "ping_median_s": round(ping_median, 3),
        "ratio": round(module_median / ping_median, 2),
        "requests_per_call": round(requests, 2),
        "goal_ratio_max": 1.3,
    }


# ---------------------------------------------------------------------------------------------
# 2. + 3. requests by step and detection latency of one upgrade


STEP_TASK = re.compile(r"Start step (\w+)$")


def task_windows(timeline):
    """[(start epoch, step name)] from the bench_timeline callback: a step starts at its 'Start step X' task."""
    windows = []
    for line in Path(timeline).read_text().splitlines():
        entry = json.loads(line)
        match = STEP_TASK.search(entry["name"])
        if match:
            windows.append((entry["time"], match.group(1)))
    return sorted(windows)


def resource_of(path):
    """A short name for the API resource of a request path."""
    tail = re.sub(r"^/(api|autopilot)/v3(\.1)?/projects/[^/]+/clusters/[^/]+", "", path)
    tail = re.sub(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "/{id}", tail)
    return tail or "/ (cluster)"


def bench_single_upgrade(sim, ansible, poll_interval):
    sim.reset()
    cluster = cluster_by_name(sim, "fleet-002")
    extra_vars = {"cce_upgrade_cluster_id": cluster["id"], "cce_upgrade_target_version": "v1.30",
                  "cce_upgrade_poll_interval": poll_interval}
    timeline = ansible.workdir / "timeline.jsonl"
    proc, wall, cpu = ansible.playbook(UPGRADE_PLAYBOOK, extra_vars, timeline=timeline)
    check(proc, "playbooks/upgrade.yml")
    windows = task_windows(timeline)
    requests = sim.requests(cluster["id"])
    steps = {}
    order = []
    for request in requests:
        step = "setup"
        for start, name in windows:
            if request["time"] >= start:
                step = name
        if step not in steps:
            steps[step] = {"reads": 0, "writes": 0, "requests": {}}
            order.append(step)
        entry = steps[step]
        entry["reads" if request["method"] == "GET" else "writes"] += 1
        key = "%s %s" % (request["method"], resource_of(request["path"]))
        entry["requests"][key] = entry["requests"].get(key, 0) + 1

    task_polls = [r for r in requests if r["method"] == "GET" and re.search(r"/operation/upgrade/tasks/[^/]+$", r["path"])]
    wait = steps.get("wait", {"reads": 0, "writes": 0, "requests": {}})
    wait_requests = wait["reads"] + wait["writes"]
    wait_polls = wait["requests"].get("GET /operation/upgrade/tasks/{id}", 0)

    # 3. detection latency: the task's completion (simulated clock -> wall clock) to the poll that saw it
    from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi
    from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceClient, ConnectionConfig
    creds = sim.credentials
    client = CceClient(ConnectionConfig(region=creds["region"], project_id=creds["project_id"], access_key=creds["access_key"],
                                        secret_key=creds["secret_key"], cce_endpoint=sim.url))
    tasks = CceApi(client).list_upgrade_tasks(cluster["id"]).get("items") or []
    completion = None
    for task in tasks:
        status = task.get("status") or {}
        if status.get("phase") == "Success" and status.get("completionTime"):
            completion = sim.wall_time_of(go_timestamp_epoch(status["completionTime"]))
    latency = None
    if completion is not None:
        after = [r["time"] for r in task_polls if r["time"] >= completion]
        latency = round(min(after) - completion, 2) if after else None
    return {
        "cluster": cluster["name"],
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "poll_interval_s": poll_interval,
        "total_requests": len(requests),
        "reads": sum(s["reads"] for s in steps.values()),
        "writes": sum(s["writes"] for s in steps.values()),
        "steps": [dict(step=name, **steps[name]) for name in order],
        "upgrade_task_polls": wait_polls,
        "wait_step_requests": wait_requests,
        "requests_per_poll": round(wait_requests / wait_polls, 2) if wait_polls else None,
    }, {
        "poll_interval_s": poll_interval,
        "latency_s": latency,
        "goal_max_s": poll_interval + 1,
    }


# ---------------------------------------------------------------------------------------------
# 2b. one run across several versions, hop by hop

HOP_TASK = re.compile(r"Start hop\b")


def bench_multi_hop(sim, ansible, poll_interval, target="v1.31"):
    sim.reset()
    sim.control("POST", "clusters", {"name": "ancient-a", "flavor": "cce", "version": "v1.23.8-r0"})
    cluster = cluster_by_name(sim, "ancient-a")
    extra_vars = {"cce_upgrade_cluster_id": cluster["id"], "cce_upgrade_target_version": target,
                  "cce_upgrade_poll_interval": poll_interval}
    timeline = ansible.workdir / "timeline-hops.jsonl"
    if timeline.exists():
        timeline.unlink()
    proc, wall, cpu = ansible.playbook(UPGRADE_PLAYBOOK, extra_vars, timeline=timeline)
    check(proc, "playbooks/upgrade.yml to %s (several hops)" % target)
    entries = [json.loads(line) for line in Path(timeline).read_text().splitlines()]
    # one "Start hop N" task per hop (numbered here: the name may reach the callback untemplated)
    starts = [(e["time"], e["cpu"], number + 1)
              for number, e in enumerate(entry for entry in entries if HOP_TASK.search(entry["name"]))]
    end = (entries[-1]["time"], entries[-1]["cpu"]) if entries else (None, None)
    requests = sim.requests(cluster["id"])
    hops = []
    for index, (start, cpu_start, number) in enumerate(starts):
        stop, cpu_stop = (starts[index + 1][0], starts[index + 1][1]) if index + 1 < len(starts) else end
        inside = [r for r in requests if start <= r["time"] < stop]
        hops.append({"hop": number, "wall_s": round(stop - start, 1), "cpu_s": round(cpu_stop - cpu_start, 1),
                     "requests": len(inside), "writes": len([r for r in inside if r["method"] != "GET"])})
    before_first = [r for r in requests if starts and r["time"] < starts[0][0]]
    return {
        "cluster": cluster["name"],
        "from": cluster["version"],
        "to": cluster_by_name(sim, "ancient-a")["version"],
        "hops": len(hops),
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cpu_s_per_hop": round(cpu / len(hops), 2) if hops else None,
        "total_requests": len(requests),
        "guard_requests": len(before_first),
        "per_hop": hops,
    }


# ---------------------------------------------------------------------------------------------
# 4. fleets


def bench_fleets(ansible, sizes, time_scale, poll_interval, progress_interval, workdir):
    sim = Simulator(time_scale, fleet_scenario(workdir, max(200, sum(sizes))))
    try:
        ansible.point_at(sim)
        inventory = Path(workdir) / "bench.cce_clusters.yml"
        inventory.write_text(json.dumps({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url,
                                         "flavors": ["cce"], "versions": ["v1.29"]}))
        results = []
        for size in sizes:
            # the clusters still at v1.29: each fleet takes the next `size` of them
            report = Path(workdir) / ("fleet-%d.json" % size)
            extra_vars = {"cce_fleet_hosts": "cce_version_v1_29[0:%d]" % (size - 1), "cce_fleet_target_version": "v1.30",
                          "cce_fleet_serial": ["100%"], "cce_upgrade_poll_interval": poll_interval,
                          "cce_fleet_progress_interval": progress_interval, "cce_fleet_report_path": str(report)}
            log("fleet of %d clusters (forks %d) ..." % (size, size))
            sim_cpu_before = sim.cpu_seconds()
            proc, wall, cpu = ansible.playbook(FLEET_PLAYBOOK, extra_vars, inventory=str(inventory),
                                               extra_args=["-f", str(size)])
            if not report.exists():
                check(proc, "fleet of %d" % size)
            # a failed cluster is a result, not a crash of the benchmark: keep its message
            rows = json.loads(report.read_text())["clusters"]
            outcomes = {}
            for row in rows:
                outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + 1
            results.append({
                "clusters": size,
                "upgraded": outcomes.get("upgraded", 0),
                "outcomes": outcomes,
                "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1),
                "cpu_s_per_cluster": round(cpu / size, 2),
                "simulator_cpu_s": round(sim.cpu_seconds() - sim_cpu_before, 1),
                "max_cluster_duration_s": max(row["duration"] for row in rows),
                "failures": sorted(set(row["message"][:300] for row in rows if row["outcome"] in ("failed", "not_run"))),
            })
            log("  %.1f s wall, %.1f CPU s" % (wall, cpu))
        return results, sim.url
    finally:
        sim.stop()


# ---------------------------------------------------------------------------------------------
# 5. import time


IMPORT_PROBE = (
    "import sys, time\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "start = time.perf_counter()\n"
    "for name in sys.argv[2:]:\n"
    "    __import__(name)\n"
    "print(time.perf_counter() - start)\n"
)
OUR_MODULE_UTILS = ["ansible_collections.hwcloud.cce.plugins.module_utils.%s" % name
                    for name in ("transport", "api", "waiter", "validation")]
OUR_MODULE = ["ansible_collections.hwcloud.cce.plugins.module_utils.module"]
SDK = ["huaweicloudsdkcce.v3"]
# What the worker process of every task that calls a hwcloud.cce filter does: Ansible's Jinja2 plugin
# loader imports each filter file of the collection (through the collection loader, which compiles
# module_utils from source every time) before it picks the filter.
FILTER_PROBE = (
    "import glob, os, sys, time\n"
    "from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder\n"
    "import ansible.errors, ansible.module_utils.common.text.converters, ansible.utils.display, jinja2, yaml\n"
    "_AnsibleCollectionFinder(paths=[sys.argv[1]])._install()\n"
    "files = sorted(glob.glob(os.path.join(sys.argv[1], 'ansible_collections/hwcloud/cce/plugins/filter/*.py')))\n"
    "start = time.perf_counter()\n"
    "for path in files:\n"
    "    __import__('ansible_collections.hwcloud.cce.plugins.filter.' + os.path.basename(path)[:-3])\n"
    "took = time.perf_counter() - start\n"
    "print(took, len(files), int(any(name.endswith('module_utils.transport') for name in sys.modules)))\n"
)


def import_seconds(collections, modules, runs):
    times = []
    for _run in range(runs):
        proc = subprocess.run([sys.executable, "-c", IMPORT_PROBE, str(collections)] + modules,
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError("import of %s failed: %s" % (modules, proc.stderr[-2000:]))
        times.append(float(proc.stdout.strip()))
    return statistics.median(times)


def filter_file_imports(collections, runs):
    """Median seconds to import every filter file in a fresh interpreter, the file count, and whether
    that pulled in the HTTP transport (it should not: only modules speak to CCE)."""
    times, files, transport = [], 0, 0
    for _run in range(runs):
        proc = subprocess.run([sys.executable, "-c", FILTER_PROBE, str(collections)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError("import of the filter files failed: %s" % proc.stderr[-2000:])
        took, files, loaded = proc.stdout.split()
        times.append(float(took))
        transport = max(transport, int(loaded))
    return statistics.median(times), int(files), bool(transport)


def bench_imports(collections, runs):
    filters, filter_files, filters_load_transport = filter_file_imports(collections, runs)
    ours = import_seconds(collections, OUR_MODULE_UTILS, runs)
    ours_with_module = import_seconds(collections, OUR_MODULE, runs)
    sdk = import_seconds(collections, SDK, runs)
    return {
        "runs": runs,
        "module_utils_ms": round(ours * 1000, 1),
        "module_utils_with_ansiblemodule_ms": round(ours_with_module * 1000, 1),
        "sdk_ms": round(sdk * 1000, 1),
        "ratio": round(ours / sdk, 3),
        "filter_files": filter_files,
        "filter_files_ms": round(filters * 1000, 1),
        "filter_files_load_transport": filters_load_transport,
    }


# ---------------------------------------------------------------------------------------------
# 6. simulator throughput


def _load_worker(args):
    url, creds, cluster_ids, threads, duration, start_at = args
    from ansible_collections.hwcloud.cce.plugins.module_utils.api import CceApi
    from ansible_collections.hwcloud.cce.plugins.module_utils.transport import CceApiError, CceClient, ConnectionConfig

    results = []

    def client_loop(seed):
        rng = random.Random(seed)
        client = CceClient(ConnectionConfig(region=creds["region"], project_id=creds["project_id"],
                                            access_key=creds["access_key"], secret_key=creds["secret_key"],
                                            cce_endpoint=url, api_retries=0))
        api = CceApi(client)
        ok = errors = 0
        latencies = []
        while time.time() < start_at:
            time.sleep(0.01)
        deadline = start_at + duration
        while time.time() < deadline:
            cluster_id = rng.choice(cluster_ids)
            operation = rng.random()
            begin = time.perf_counter()
            try:
                if operation < 0.45:
                    api.get_cluster(cluster_id)
                elif operation < 0.9:
                    api.get_upgrade_info(cluster_id)
                else:
                    api.list_workflows(cluster_id)
                ok += 1
            except CceApiError:
                errors += 1
            latencies.append(time.perf_counter() - begin)
        results.append((ok, errors, latencies))

    workers = [threading.Thread(target=client_loop, args=(os.getpid() * 1000 + n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = [x for r in results for x in r[2]]
    return ok, errors, latencies


def bench_simulator_load(workdir, processes, threads, duration):
    sim = Simulator(1.0, fleet_scenario(workdir, 200))
    try:
        cluster_ids = [c["id"] for c in sim.clusters()]
        start_at = time.time() + 3.0
        sim_cpu_before = sim.cpu_seconds()
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(processes) as pool:
            outputs = pool.map(_load_worker, [(sim.url, sim.credentials, cluster_ids, threads, duration, start_at)] * processes)
        sim_cpu = sim.cpu_seconds() - sim_cpu_before
        ok = sum(o[0] for o in outputs)
        errors = sum(o[1] for o in outputs)
        latencies = sorted(x for o in outputs for x in o[2])
        logged = len(sim.requests())
        rate = ok / duration
        return {
            "clusters": len(cluster_ids),
            "concurrent_clients": processes * threads,
            "duration_s": duration,
            "requests_ok": ok,
            "errors": errors,
            "requests_per_s": round(rate, 1),
            "logged_by_simulator": logged,
            "latency_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1) if latencies else None,
            "latency_p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 1) if latencies else None,
            "simulator_cpu_s": round(sim_cpu, 2),
            "simulator_cpu_ms_per_request": round(sim_cpu * 1000 / max(ok + errors, 1), 2),
            "simulator_cpu_share": round(sim_cpu / duration, 2),
            "goal_requests_per_s_min": 300,
        }
    finally:
        sim.stop()


# ---------------------------------------------------------------------------------------------
# Report


def verdict(ok):
    return "ok" if ok else "MISSED"


def print_table(results):
    rows = []
    if "adhoc" in results:
        rows.extend(adhoc_rows(results))
    if "single_upgrade" in results:
        rows.extend(upgrade_rows(results))
    if "multi_hop" in results:
        rows.extend(multi_hop_rows(results))
    if "fleets" in results:
        rows.extend(fleet_rows(results))
    if "imports" in results:
        imports = results["imports"]
        rows.append(("5 import module_utils / huaweicloudsdkcce.v3", "%.3fx (%.1f ms / %.1f ms)" % (
            imports["ratio"], imports["module_utils_ms"], imports["sdk_ms"]), "", ""))
        rows.append(("5b import of the %d filter files (each task's worker)" % imports["filter_files"],
                     "%.1f ms" % imports["filter_files_ms"], "no HTTP transport imported",
                     verdict(not imports["filter_files_load_transport"])))
    if "simulator_load" in results:
        rows.extend(load_rows(results))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    widths[2] = min(widths[2], 70)
    print("%-*s  %-*s  %-*s  %s" % (widths[0], "figure", widths[1], "measured", widths[2], "goal / detail", "verdict"))
    print("-" * (sum(widths) + 14))
    for row in rows:
        print("%-*s  %-*s  %-*s  %s" % (widths[0], row[0], widths[1], row[1], widths[2], str(row[2])[:200], row[3]))


def adhoc_rows(results):
    rows = []
    adhoc = results["adhoc"]
    rows.append(("1 ad-hoc module / ping (median of %d)" % adhoc["runs"],
                 "%.2fx (%.2f s / %.2f s)" % (adhoc["ratio"], adhoc["module_median_s"], adhoc["ping_median_s"]),
                 "<= 1.3x", verdict(adhoc["ratio"] <= 1.3)))
    rows.append(("  API requests per ad-hoc module call", "%.1f" % adhoc["requests_per_call"], "", ""))
    return rows


def upgrade_rows(results):
    rows = []
    single = results["single_upgrade"]
    rows.append(("2 requests per upgrade (reads / writes)", "%d (%d / %d)" % (single["total_requests"], single["reads"], single["writes"]),
                 "", ""))
    for step in single["steps"]:
        detail = ", ".join("%s x%d" % (k, v) for k, v in sorted(step["requests"].items()))
        rows.append(("    step %s" % step["step"], "%d r / %d w" % (step["reads"], step["writes"]), detail, ""))
    rows.append(("  upgrade-task polls / requests in wait", "%d / %d (%.2f per poll)" % (
        single["upgrade_task_polls"], single["wait_step_requests"], single["requests_per_poll"] or 0),
        "1 per poll", verdict(single["requests_per_poll"] == 1)))
    detection = results["detection"]
    latency = detection["latency_s"]
    rows.append(("3 detection latency (poll %ss)" % detection["poll_interval_s"],
                 "n/a" if latency is None else "%.2f s" % latency,
                 "<= %.0f s" % detection["goal_max_s"], verdict(latency is not None and latency <= detection["goal_max_s"])))
    return rows


def fleet_rows(results):
    rows = []
    fleets = results["fleets"]
    for fleet in fleets["runs"]:
        rows.append(("4 fleet of %d (forks %d)" % (fleet["clusters"], fleet["clusters"]),
                     "%.1f s wall, %.2f CPU s/cluster" % (fleet["wall_s"], fleet["cpu_s_per_cluster"]),
                     "%d upgraded" % fleet["upgraded"], verdict(fleet["upgraded"] == fleet["clusters"])))
    if fleets.get("ratio_largest_to_one") is not None:
        rows.append(("  wall time %d / 1" % fleets["runs"][-1]["clusters"], "%.2fx" % fleets["ratio_largest_to_one"],
                     "<= 1.5x", verdict(fleets["ratio_largest_to_one"] <= 1.5)))
    rows.append(("  CCE's own time per cluster / fleet of 1", "%.1f s / %.1f s" % (
        fleets["cce_time_per_cluster_s"], fleets["runs"][0]["wall_s"]), "(the limit)", ""))
    if fleets.get("cpus_for_goal") is not None:
        rows.append(("  CPUs the largest fleet needs for 1.5x", "%.1f (this host: %d)" % (
            fleets["cpus_for_goal"], results["host"]["cpus"]), "controller CPU s / (1.5 x fleet of 1)", ""))
    return rows


def multi_hop_rows(results):
    run = results["multi_hop"]
    rows = [("2b %s %s -> %s: hops, wall, controller CPU" % (run["cluster"], run["from"], run["to"]),
             "%d hops, %.1f s, %.1f CPU s (%.2f per hop)" % (run["hops"], run["wall_s"], run["cpu_s"], run["cpu_s_per_hop"] or 0),
             "", "")]
    rows.append(("  requests (guard before hop 1)", "%d (%d)" % (run["total_requests"], run["guard_requests"]), "", ""))
    for hop in run["per_hop"]:
        rows.append(("  hop %d: requests (writes), wall, CPU" % hop["hop"],
                     "%d (%d), %.1f s, %.1f CPU s" % (hop["requests"], hop["writes"], hop["wall_s"], hop["cpu_s"]), "", ""))
    return rows


def load_rows(results):
    rows = []
    load = results["simulator_load"]
    rows.append(("6 simulator, %d clusters, %d clients" % (load["clusters"], load["concurrent_clients"]),
                 "%.0f req/s, %d errors, p95 %.0f ms" % (load["requests_per_s"], load["errors"], load["latency_p95_ms"] or 0),
                 ">= 300 req/s", verdict(load["requests_per_s"] >= 300 and load["errors"] == 0)))
    rows.append(("  simulator CPU per request", "%.2f ms (%.0f%% of a core)" % (
        load["simulator_cpu_ms_per_request"], load["simulator_cpu_share"] * 100), "", ""))
    return rows


def save(path, results):
    """Write what is measured so far (a later section may take long or fail)."""
    Path(path).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small and fast: fleets of 1 and 5, faster time scale")
    parser.add_argument("--runs", type=int, default=7, help="runs per median (ad-hoc, imports)")
    parser.add_argument("--fleet-sizes", default=None, help="comma-separated fleet sizes (default 1,10,50)")
    parser.add_argument("--fleet-time-scale", type=float, default=None,
                        help="time scale of the fleet runs (default 0.1: the 600 s upgrade takes 60 s)")
    parser.add_argument("--poll-interval", type=int, default=None, help="role poll interval in the fleet runs (s)")
    parser.add_argument("--progress-interval", type=int, default=None,
                        help="cce_fleet_progress_interval of the fleet runs (s; default the playbook's 300 s, scaled)")
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--load-processes", type=int, default=4)
    parser.add_argument("--load-threads", type=int, default=8)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections: %s" % ",".join(SECTIONS))
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args()

    sizes = [int(x) for x in (args.fleet_sizes or ("1,5" if args.quick else "1,10,50")).split(",")]
    fleet_scale = args.fleet_time_scale or (0.02 if args.quick else 0.1)
    fleet_poll = args.poll_interval or max(1, int(round(30 * fleet_scale)))
    fleet_progress = args.progress_interval if args.progress_interval is not None else int(round(300 * fleet_scale))
    runs = 3 if args.quick and args.runs == 7 else args.runs

    workdir = tempfile.mkdtemp(prefix="hwcloud-cce-bench-")
    collections = Path(workdir) / "collections"
    (collections / "ansible_collections" / "hwcloud").mkdir(parents=True)
    (collections / "ansible_collections" / "hwcloud" / "cce").symlink_to(REPO_ROOT, target_is_directory=True)
    sys.path.insert(0, str(collections))
    results = {
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average_at_start": os.getloadavg()},
    }
    only = set(args.only.split(","))
    sim = Simulator(0.01, fleet_scenario(workdir, 20))
    try:
        ansible = Ansible(sim, workdir)
        if "adhoc" in only:
            save(args.output, results)
            log("1. ad-hoc module vs ping, %d runs each ..." % runs)
            results["adhoc"] = bench_adhoc(sim, ansible, runs)
        if "upgrade" in only:
            log("2./3. one upgrade with playbooks/upgrade.yml (time scale 0.01, poll 1 s) ...")
            results["single_upgrade"], results["detection"] = bench_single_upgrade(sim, ansible, poll_interval=1)
        if "hops" in only:
            log("2b. one run across several versions (ancient-a to v1.31, time scale 0.01, poll 1 s) ...")
            results["multi_hop"] = bench_multi_hop(sim, ansible, poll_interval=1)
    finally:
        sim.stop()

    save(args.output, results)
    if "load" in only:
        log("6. simulator load: 200 clusters, %d clients, %d s ..." % (args.load_processes * args.load_threads, args.load_seconds))
        results["simulator_load"] = bench_simulator_load(workdir, args.load_processes, args.load_threads, args.load_seconds)

    save(args.output, results)
    if "imports" in only:
        log("5. import times, %d fresh interpreters each ..." % runs)
        results["imports"] = bench_imports(collections, runs)

    save(args.output, results)
    if "fleets" in only:
        log("4. fleets %s at time scale %s (upgrade %.0f s wall), poll %d s, progress line every %d s ..." % (
            sizes, fleet_scale, SIMULATED_UPGRADE_SECONDS * fleet_scale, fleet_poll, fleet_progress))
        fleet_runs, _url = bench_fleets(ansible, sizes, fleet_scale, fleet_poll, fleet_progress, workdir)
        results["fleets"] = {
            "time_scale": fleet_scale,
            "poll_interval_s": fleet_poll,
            "progress_interval_s": fleet_progress,
            "upgrade_wall_s": SIMULATED_UPGRADE_SECONDS * fleet_scale,
            "cce_time_per_cluster_s": round((60 + 120 + 600) * fleet_scale, 1),
            "runs": fleet_runs,
            "ratio_largest_to_one": round(fleet_runs[-1]["wall_s"] / fleet_runs[0]["wall_s"], 2) if len(fleet_runs) > 1 else None,
            # The controller CPU time of the largest fleet spread over 1.5 times the wall time of one cluster.
            "cpus_for_goal": round(fleet_runs[-1]["cpu_s"] / (1.5 * fleet_runs[0]["wall_s"]), 1) if len(fleet_runs) > 1 else None,
        }
    results["host"]["load_average_at_end"] = os.getloadavg()
    shutil.rmtree(workdir, ignore_errors=True)

    Path(args.output).write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print()
    print_table(results)
    print()
    print("results: %s (load average at start %.1f, at end %.1f, %d CPUs)" % (
        args.output, results["host"]["load_average_at_start"][0], results["host"]["load_average_at_end"][0], os.cpu_count()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
