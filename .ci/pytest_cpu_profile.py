# Copyright: hwcloud.cce contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest plugin for measuring where the suite's CPU goes (a tool, not a test).

    PYTHONPATH=.ci:tests/simulator .venv/bin/python -m pytest tests/integration -p pytest_cpu_profile -n 3
    .venv/bin/python .ci/pytest_cpu_profile.py cpu-profile.jsonl     # the summary

Every test writes one line (``kind: test``) to $CPU_PROFILE_LOG (default cpu-profile.jsonl): the
CPU seconds of the processes it started (ansible, its modules, simulators: the worker's children,
counted when they end), the worker's own CPU and the wall time. Every ``subprocess.run`` writes one
line (``kind: run``) with the command's name and its CPU. An xdist worker runs one test at a time,
so its children's CPU between two points belongs to the test running then.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import json
import os
import resource
import subprocess
import sys
import time

import pytest

LOG = os.environ.get("CPU_PROFILE_LOG", "cpu-profile.jsonl")
_RUN = subprocess.run
_CURRENT = {"test": None}


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _own_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _write(entry):
    with open(LOG, "a") as log:
        log.write(json.dumps(entry) + "\n")


def _recorded_run(*args, **kwargs):
    command = args[0] if args else kwargs.get("args")
    before, started = _children_cpu(), time.time()
    check = kwargs.pop("check", False)
    try:
        return _RUN(*args, check=check, **kwargs)
    finally:
        first = command[0] if isinstance(command, (list, tuple)) else str(command).split()[0]
        _write({"kind": "run", "test": _CURRENT["test"], "command": os.path.basename(str(first)),
                "cpu": round(_children_cpu() - before, 3), "wall": round(time.time() - started, 3)})


def pytest_configure(config):
    subprocess.run = _recorded_run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _CURRENT["test"] = item.nodeid
    children, own, started = _children_cpu(), _own_cpu(), time.time()
    yield
    _write({"kind": "test", "test": item.nodeid, "cpu": round(_children_cpu() - children + _own_cpu() - own, 3),
            "wall": round(time.time() - started, 3)})


def summary(path):
    """Per file: CPU seconds, wall seconds, tests and subprocess runs; then per command."""
    tests, runs = [], []
    with open(path) as log:
        for line in log:
            entry = json.loads(line)
            (tests if entry["kind"] == "test" else runs).append(entry)
    files = collections.defaultdict(lambda: [0.0, 0.0, 0, 0])
    for entry in tests:
        row = files[entry["test"].split("::")[0]]
        row[0] += entry["cpu"]
        row[1] += entry["wall"]
        row[2] += 1
    for run in runs:
        if run["test"]:
            files[run["test"].split("::")[0]][3] += 1
    print("%8s %8s %6s %6s  %s" % ("CPU s", "wall s", "tests", "runs", "file"))
    for name, (cpu, wall, count, started) in sorted(files.items(), key=lambda item: -item[1][0]):
        print("%8.0f %8.0f %6d %6d  %s" % (cpu, wall, count, started, name))
    print("%8.0f %8.0f %6d %6d  (all)" % (sum(t["cpu"] for t in tests), sum(t["wall"] for t in tests), len(tests), len(runs)))
    commands = collections.Counter(run["command"] for run in runs)
    for command, count in commands.most_common():
        cpu = sum(run["cpu"] for run in runs if run["command"] == command)
        print("%-20s %5d runs %8.0f CPU s" % (command, count, cpu))


if __name__ == "__main__":
    summary(sys.argv[1] if len(sys.argv) > 1 else LOG)
