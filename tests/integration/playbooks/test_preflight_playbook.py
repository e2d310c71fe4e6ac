"""playbooks/preflight.yml and the role's cce_upgrade_preflight (issue 12, point 6): the workflow and the
pre-check only, a verdict per cluster (ready, risks, blocked), outside the maintenance window, and no
snapshot or upgrade task written; real ansible-playbook against the simulator."""

import json
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
PREFLIGHT = REPO_ROOT / "playbooks" / "preflight.yml"
UPGRADE = REPO_ROOT / "playbooks" / "upgrade.yml"
ROLE_VARS = {"cce_upgrade_poll_interval": 1, "cce_upgrade_precheck_timeout": 60}
# The window is closed at this time: a pre-flight runs anyway.
CLOSED_WINDOW = {"cce_upgrade_window": {"start": "02:00", "duration": 60}, "cce_upgrade_now": "2026-01-05T12:00:00"}


def written_paths(sim, name):
    """(method, path tail) of every write the run sent for cluster ``name``."""
    cluster_id = sim.cluster(name)["id"]
    return [(r["method"], r["path"].split(cluster_id, 1)[-1]) for r in sim.writes(cluster_id)]


def assert_only_workflow_and_precheck(sim, name):
    for method, tail in written_paths(sim, name):
        assert method == "POST", (name, method, tail)
        assert tail.endswith("/operation/upgradeworkflows") or tail.endswith("/operation/precheck"), (name, tail)
        assert "snapshot" not in tail and not tail.endswith("/operation/upgrade"), (name, tail)


@pytest.fixture
def preflight(ansible, sim, tmp_path):
    """Run the pre-flight playbook on clusters of ``sim``; returns (process, rows by cluster)."""
    inventory = tmp_path / "fleet.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "hwcloud.cce.cce_clusters",
        "cce_endpoint": sim.url,
        "name_patterns": ["prod-*", "risky-a", "stale-a"],
    }))
    report = tmp_path / "preflight-report.json"

    def run(hosts, **extra_vars):
        variables = dict(ROLE_VARS, **CLOSED_WINDOW)
        variables.update(cce_fleet_hosts=hosts, cce_fleet_report_path=str(report))
        variables.update(extra_vars)
        proc = ansible.run_playbook(PREFLIGHT, extra_vars=variables, timeout=300,
                                    extra_args=["-i", str(inventory), "-f", "3"])
        assert report.exists(), proc.stdout + proc.stderr
        rows = json.loads(report.read_text())["clusters"]
        return proc, dict((row["cluster"], row) for row in rows)

    return run


def test_fleet_preflight_ready_blocked_and_a_route_of_two_hops_sends_no_upgrade(preflight, sim):
    proc, rows = preflight("prod-a:risky-a:stale-a", cce_fleet_target_version="v1.30")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "1 of 3 clusters are blocked or failed: risky-a" in output, output[-3000:]

    assert rows["prod-a"]["verdict"] == "ready", rows
    assert rows["prod-a"]["risks"] == []
    assert rows["prod-a"]["precheck_task_id"] and rows["prod-a"]["workflow_id"]
    assert rows["prod-a"]["to"] == "v1.30"

    assert rows["risky-a"]["verdict"] == "blocked", rows
    fatal = [risk for risk in rows["risky-a"]["risks"] if risk["level"] == "Fatal"]
    assert fatal and all(set(risk) == {"name", "level", "what"} for risk in fatal), rows["risky-a"]
    assert all(risk["name"] in rows["risky-a"]["message"] for risk in fatal)

    # patch first: stale-a (v1.29.2-r0) reaches v1.30 in two hops; the pre-flight checks the first (its latest patch)
    assert rows["stale-a"]["verdict"] == "ready", rows
    assert ("Route: v1.29.2-r0 -> v1.30.14-r10 in 2 hops: v1.29.4-r0 (patch), v1.30.14-r10 (minor); this pre-flight "
            "checked hop 1") in rows["stale-a"]["message"], rows["stale-a"]

    for name, version in (("prod-a", "v1.29.4-r0"), ("risky-a", "v1.29.4-r0"), ("stale-a", "v1.29.2-r0")):
        assert_only_workflow_and_precheck(sim, name)
        assert written_paths(sim, name), name
        assert sim.cluster(name)["version"] == version
    # nothing but the workflow and the pre-check, for any cluster
    assert [r for r in sim.writes() if "snapshot" in r["path"] or r["path"].endswith("/operation/upgrade")] == []


def test_fleet_preflight_of_ready_clusters_ends_green_and_publishes_the_summary(preflight, sim):
    proc, rows = preflight("prod-a:prod-b", cce_fleet_target_version="v1.30")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert {name: row["verdict"] for name, row in rows.items()} == {"prod-a": "ready", "prod-b": "ready"}
    for name in ("prod-a", "prod-b"):
        assert_only_workflow_and_precheck(sim, name)


def test_role_preflight_for_one_cluster_with_accepted_risks_is_green(ansible, sim, tmp_path):
    """risky-a is blocked; with its fatal items skipped the verdict is risks, listing them; nothing upgraded."""
    report = tmp_path / "one.json"
    blocked = ansible.run_playbook(UPGRADE, dict(ROLE_VARS, **CLOSED_WINDOW, cce_upgrade_preflight=True,
                                                 cce_upgrade_cluster_id=sim.cluster("risky-a")["id"],
                                                 cce_upgrade_target_version="v1.30",
                                                 cce_upgrade_report_path=str(report)))
    assert blocked.returncode != 0
    result = json.loads(report.read_text())
    assert result["outcome"] == "blocked" and result["preflight"] is True, result
    fatal = [risk["name"] for risk in result["risks"] if risk["level"] == "Fatal"]
    assert fatal, result

    proc = ansible.run_playbook(UPGRADE, dict(ROLE_VARS, **CLOSED_WINDOW, cce_upgrade_preflight=True,
                                              cce_upgrade_cluster_id=sim.cluster("risky-a")["id"],
                                              cce_upgrade_target_version="v1.30",
                                              cce_upgrade_skipped_check_items=fatal,
                                              cce_upgrade_report_path=str(report)))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    result = json.loads(report.read_text())
    assert result["outcome"] == "risks", result
    # CCE does not check a skipped item: it is reported as a risk of level Skipped
    assert sorted(risk["name"] for risk in result["risks"] if risk["level"] == "Skipped") == sorted(fatal), result
    assert_only_workflow_and_precheck(sim, "risky-a")


def test_role_preflight_reports_warning_items_as_risks_and_ends_green(ansible, sim, tmp_path):
    added = sim.add_cluster(name="warn-a", version="v1.29.4-r0", precheck_risk="warning")
    report = tmp_path / "warn.json"
    proc = ansible.run_playbook(UPGRADE, dict(ROLE_VARS, **CLOSED_WINDOW, cce_upgrade_preflight=True,
                                              cce_upgrade_cluster_id=added["id"], cce_upgrade_target_version="v1.30",
                                              cce_upgrade_report_path=str(report)))
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    result = json.loads(report.read_text())
    assert result["outcome"] == "risks", result
    assert [(risk["name"], risk["level"]) for risk in result["risks"]] == [("configuration-risk-check", "Warning")]
    assert "reset by the upgrade" in result["risks"][0]["what"]
    assert_only_workflow_and_precheck(sim, "warn-a")
