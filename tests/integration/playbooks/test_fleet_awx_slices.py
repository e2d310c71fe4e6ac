"""The fleet workflow of extensions/awx/fleet_workflow.yml, run job by job the way AWX runs it.

AWX syncs the inventory once (the hwcloud.cce.cce_clusters plugin), then gives each job a static
inventory: a sliced job's slice k gets the hosts sorted by name, taking every n-th from the k-th
(awx/main/models/inventory.py, get_script_data). Each job runs through ansible-runner with the
job template's extra vars, ``awx_job_id`` and the artifacts of the earlier workflow nodes as extra
vars; AWX merges the artifacts of several jobs with dict.update, in the order the jobs finished.

Here: the artifacts of a canary job (prod-a) as AWX passes them on, then the rollout sliced in 2
(slice 1: risky-a, which CCE refuses to read; slice 2: prod-b, already at the target), then the
report job, which must list every cluster once with the right outcome although AWX kept only the
last slice's ``cce_fleet_summary``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import ansible_runner
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
FLEET_PLAYBOOK = REPO_ROOT / "playbooks" / "fleet_upgrade.yml"
REPORT_PLAYBOOK = REPO_ROOT / "playbooks" / "fleet_report.yml"
IMPORT_FILE = REPO_ROOT / "extensions" / "awx" / "fleet_workflow.yml"
ROLE_VARS = {"cce_upgrade_poll_interval": 1, "cce_upgrade_snapshot": False,
             "cce_upgrade_precheck_timeout": 60, "cce_upgrade_timeout": 120}


def job_templates():
    with open(IMPORT_FILE, encoding="utf-8") as handle:
        return dict((template["name"], template) for template in yaml.safe_load(handle)["job_templates"])


def plain(value):
    """ansible-inventory --list writes untrusted strings as {"__ansible_unsafe": text}; AWX stores text."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def awx_slice(hosts, number, count):
    """The hosts of slice ``number`` (1-based) of ``count``, as AWX cuts them."""
    return sorted(hosts)[number - 1::count]


class FakeController:
    """Runs jobs like AWX: static inventory per job, extra vars, artifacts from set_stats."""

    def __init__(self, ansible, tmp_path, inventory):
        self.ansible = ansible
        self.tmp_path = tmp_path
        self.inventory = inventory  # ansible-inventory --list of the synced source
        self.next_job_id = 101
        self.envvars = dict((key, value) for key, value in ansible.env.items() if key.startswith(("ANSIBLE_", "HW_")))

    def static_inventory(self, hosts):
        hostvars = self.inventory["_meta"]["hostvars"]
        groups = dict((name, {"hosts": dict((host, None) for host in group.get("hosts", []) if host in hosts)})
                      for name, group in self.inventory.items() if name not in ("_meta", "all", "ungrouped"))
        return {"all": {"hosts": dict((host, hostvars[host]) for host in hosts), "children": groups}}

    def run(self, template, hosts, extra_vars, playbook):
        job_id = self.next_job_id
        self.next_job_id += 1
        pdd = self.tmp_path / ("job-%d" % job_id)
        pdd.mkdir()
        inventory_file = pdd / "hosts.yml"
        inventory_file.write_text(yaml.safe_dump(self.static_inventory(hosts)))
        variables = dict(yaml.safe_load(template.get("extra_vars") or "---") or {})
        variables.update(extra_vars)
        variables["awx_job_id"] = job_id
        result = ansible_runner.run(private_data_dir=str(pdd), playbook=str(playbook), inventory=str(inventory_file),
                                    extravars=variables, limit=template.get("limit") or None, envvars=self.envvars,
                                    ident="job", quiet=True, timeout=600)
        artifacts = None
        for event in result.events:
            if event.get("event") == "playbook_on_stats":
                artifacts = event["event_data"].get("artifact_data") or {}
        stdout = (pdd / "artifacts" / "job" / "stdout").read_text(encoding="utf-8", errors="replace")
        assert artifacts is not None, stdout[-4000:]
        return job_id, result.status, artifacts, stdout


@pytest.fixture
def runner_path(monkeypatch):
    """ansible-runner starts ansible-playbook from PATH: this venv's."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))


def test_sliced_rollout_reports_every_cluster_once(ansible, sim, tmp_path, runner_path):
    source = tmp_path / "fleet.cce_clusters.yml"
    source.write_text(yaml.safe_dump({
        "plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url,
        "name_patterns": ["prod-a", "prod-b", "risky-a"],
        "groups": {"canary": "cce_cluster_name in ['prod-a']"},
    }))
    sync = subprocess.run([ansible._command("ansible-inventory"), "-i", str(source), "--list"], capture_output=True,
                          text=True, env=ansible.env, timeout=120, check=False)
    assert sync.returncode == 0, sync.stderr
    inventory = plain(json.loads(sync.stdout))
    hosts = sorted(inventory["_meta"]["hostvars"])
    assert hosts == ["prod-a", "prod-b", "risky-a"]
    assert inventory["canary"]["hosts"] == ["prod-a"]

    controller = FakeController(ansible, tmp_path, inventory)
    controller.next_job_id = 102
    templates = job_templates()
    # The workflow's survey answer: the clusters are on v1.29 already (an upgrade costs the test many
    # CPU seconds and proves nothing more about slicing); risky-a cannot be read at all (a fault).
    workflow_vars = dict(ROLE_VARS, cce_fleet_target_version="v1.29")
    sim.set_faults({"rules": [{"fault": "error", "method": "GET", "status": 400, "error_code": "CCE.01400001",
                               "message": "Bad request", "path": "/clusters/%s($|/)" % sim.cluster("risky-a")["id"]}]})

    # What the canary node (job 101, on prod-a) published, as the fleet playbook publishes it
    canary_id = 101
    canary_row = {"cluster": "prod-a", "cluster_id": sim.cluster("prod-a")["id"], "flavor": "cce", "from": "v1.28.15-r30",
                  "to": "v1.29.4-r0", "batch": 1, "outcome": "upgraded", "duration": 700.0, "hops": ["v1.29.4-r0"],
                  "message": "Cluster prod-a upgraded", "started": 1.0, "report": None}
    canary_artifacts = {"cce_fleet_summary": [canary_row], "cce_fleet_summary_job_101": [canary_row],
                        "cce_upgrade_results": {canary_row["cluster_id"]: {"outcome": "upgraded"}}}

    # the rollout node, sliced in 2 (the node's prompt for job_slice_count): each slice gets the canary's
    # artifacts as extra vars, as AWX passes them on through the approval node
    rollout = templates["CCE fleet rollout"]
    assert rollout["ask_job_slice_count_on_launch"] and rollout["job_slice_count"] > 1
    workflow_artifacts = dict(canary_artifacts)
    slices = {}
    for number in (1, 2):
        job_id, status, artifacts, output = controller.run(
            rollout, awx_slice(hosts, number, 2), dict(workflow_vars, **canary_artifacts), FLEET_PLAYBOOK)
        slices[number] = (job_id, status, artifacts)
        workflow_artifacts.update(artifacts)  # AWX: one value per name, the last finished job's wins
    # slice 1 held prod-a (a canary, left out by the limit) and risky-a, which failed: the slice job
    # fails, and its summary is its own (not the canary's cce_fleet_summary it received as an extra var,
    # which would also have failed its variable name check)
    job_1, status_1, artifacts_1 = slices[1]
    assert status_1 == "failed"
    assert [(r["cluster"], r["outcome"]) for r in artifacts_1["cce_fleet_summary_job_%d" % job_1]] == [("risky-a", "failed")]
    assert artifacts_1["cce_fleet_summary"] == artifacts_1["cce_fleet_summary_job_%d" % job_1]
    job_2, status_2, artifacts_2 = slices[2]
    assert status_2 == "successful"
    # what AWX hands on under the plain name is one slice's part only
    assert [r["cluster"] for r in workflow_artifacts["cce_fleet_summary"]] == ["prod-b"]

    # the report node: gets every earlier job's artifacts
    report_path = tmp_path / "fleet-report.json"
    report_vars = dict(workflow_vars, cce_fleet_report_path=str(report_path), **workflow_artifacts)
    _report_id, report_status, report_artifacts, output = controller.run(
        templates["CCE fleet report"], hosts, report_vars, REPORT_PLAYBOOK)
    assert report_status == "failed", output[-4000:]  # risky-a failed: the workflow ends red
    assert "1 of 3 clusters failed or were not run: risky-a" in output

    merged = report_artifacts["cce_fleet_report"]
    rows = dict((row["cluster"], row) for row in merged["clusters"])
    assert sorted(rows) == ["prod-a", "prod-b", "risky-a"] and merged["count"] == 3
    assert (rows["prod-a"]["outcome"], rows["prod-a"]["part"]) == ("upgraded", "cce_fleet_summary_job_%d" % canary_id)
    assert (rows["prod-b"]["outcome"], rows["prod-b"]["part"]) == ("already_upgraded", "cce_fleet_summary_job_%d" % job_2)
    assert (rows["risky-a"]["outcome"], rows["risky-a"]["part"]) == ("failed", "cce_fleet_summary_job_%d" % job_1)
    assert "CCE.01400001" in rows["risky-a"]["message"]
    assert merged["totals"] == {"already_upgraded": 1, "failed": 1, "upgraded": 1}
    assert merged["failed"] == ["risky-a"] and merged["duplicates"] == []
    assert report_artifacts["cce_fleet_summary"] == merged["clusters"]
    assert "3 clusters from 3 jobs: already_upgraded 1, failed 1, upgraded 1" in output
    # the report file holds the merged rows
    assert [row["cluster"] for row in json.loads(report_path.read_text())["clusters"]] == [
        row["cluster"] for row in merged["clusters"]]
    # nothing was sent to CCE for the clusters of the slices
    assert sim.writes(sim.cluster("prod-b")["id"]) == [] and sim.writes(sim.cluster("risky-a")["id"]) == []
