"""playbooks/fleet_upgrade.yml: canary batches, failure budget and the summary, on a small fleet.

The clusters come from the hwcloud.cce.cce_clusters inventory plugin pointed at the test
simulator (time scale 0.01: a 600 s upgrade takes 6 s). The host pattern fixes the batch order.
"""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
PLAYBOOK = REPO_ROOT / "playbooks" / "fleet_upgrade.yml"
# Keep the role quick: poll every second, no snapshot, bounded waits.
ROLE_VARS = {
    "cce_upgrade_poll_interval": 1,
    "cce_upgrade_snapshot": False,
    "cce_upgrade_precheck_timeout": 60,
    "cce_upgrade_timeout": 120,
}


@pytest.fixture
def fleet(ansible, sim, tmp_path):
    """Run the fleet playbook on clusters of ``sim``; returns (process, summary rows by name, order)."""
    inventory = tmp_path / "fleet.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({
        "plugin": "hwcloud.cce.cce_clusters",
        "cce_endpoint": sim.url,
        "name_patterns": ["prod-*", "risky-a", "legacy-a", "stale-a", "ap-a", "ancient-a"],
    }))
    report = tmp_path / "fleet-report.json"

    def run(hosts, forks, **extra_vars):
        variables = dict(ROLE_VARS)
        variables.update(cce_fleet_hosts=hosts, cce_fleet_report_path=str(report))
        variables.update(extra_vars)
        proc = ansible.run_playbook(PLAYBOOK, extra_vars=variables, timeout=300,
                                    extra_args=["-i", str(inventory), "-f", str(forks)])
        assert report.exists(), proc.stdout + proc.stderr
        rows = json.loads(report.read_text())["clusters"]
        return proc, dict((row["cluster"], row) for row in rows), [row["cluster"] for row in rows]

    return run


def table_lines(stdout):
    """The summary table lines printed by the last play."""
    section = stdout[stdout.index("TASK [Show the summary]"):]
    section = section[section.index('"msg": [') + len('"msg": ['):section.index("]\n")]
    return [json.loads(line.strip().rstrip(",")) for line in section.splitlines() if line.strip()]


def test_failed_canary_stops_the_rollout_and_the_summary_lists_every_cluster(fleet, sim):
    proc, rows, order = fleet("prod-a:risky-a:prod-b:prod-c", forks=4, cce_fleet_target_version="v1.30")
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert order == ["prod-a", "risky-a", "prod-b", "prod-c"]

    # batch 1 (the canary, 1 cluster) succeeded, batch 2 (25% = 1 cluster) failed its pre-check,
    # max_fail_percentage 0 stopped the run before batch 3
    assert (rows["prod-a"]["batch"], rows["prod-a"]["outcome"]) == (1, "upgraded"), output
    assert (rows["risky-a"]["batch"], rows["risky-a"]["outcome"]) == (2, "failed"), output
    assert "precheck" in rows["risky-a"]["message"]
    for name in ("prod-b", "prod-c"):
        assert rows[name]["outcome"] == "not_run"
        assert rows[name]["from"] == "v1.29"
        assert sim.writes(sim.cluster(name)["id"]) == []
    assert sim.cluster("prod-a")["version"] == "v1.30.14-r10"
    assert sim.cluster("risky-a")["version"] == "v1.29.4-r0"
    # the role's full versions (CCE's cluster document shows the minor)
    assert rows["prod-a"]["from"] == "v1.29.4-r0" and rows["prod-a"]["to"] == "v1.30.14-r10"
    assert rows["prod-a"]["duration"] > 0

    lines = table_lines(proc.stdout)
    assert lines[0].split() == ["cluster", "batch", "from", "to", "outcome", "duration", "hops"]
    assert [line.split()[0] for line in lines[1:5]] == order
    assert lines[2].split()[:5] == ["risky-a", "2", "v1.29.4-r0", "v1.30", "failed"]
    assert lines[5] == "4 clusters: failed 1, not_run 2, upgraded 1"
    assert "3 of 4 clusters failed or were not run: risky-a, prod-b, prod-c" in output


def test_failure_within_the_budget_goes_on_and_targets_default_to_the_next_upgrade(fleet, sim):
    proc, rows, order = fleet("risky-a:prod-b:legacy-a:stale-a:ap-a", forks=4,
                              cce_fleet_serial=[1, "100%"], cce_fleet_max_fail_percentage=100,
                              cce_fleet_fail_on_error=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert order == ["risky-a", "prod-b", "legacy-a", "stale-a", "ap-a"]
    assert (rows["risky-a"]["batch"], rows["risky-a"]["outcome"]) == (1, "failed")
    # the failed canary was within the budget (100% is not more than 100%): batch 2 ran, in parallel;
    # each cluster went one upgrade further: the next minor (CCE takes its latest patch), or for stale-a,
    # not on the latest patch of v1.29, that patch first
    expected = {"prod-b": ("v1.29.4-r0", "v1.30.14-r10"), "legacy-a": ("v1.25.16-r10", "v1.27.16-r10"),
                "stale-a": ("v1.29.2-r0", "v1.29.4-r0"), "ap-a": ("v1.29.4-r0", "v1.30.14-r10")}
    for name, (source, target) in expected.items():
        row = rows[name]
        assert (row["batch"], row["outcome"], row["from"], row["to"]) == (2, "upgraded", source, target), output
        assert sim.cluster(name)["version"] == target
    assert rows["ap-a"]["flavor"] == "autopilot"
    assert any(r["path"].startswith("/autopilot/") and r["method"] == "POST" for r in sim.requests())
    assert table_lines(proc.stdout)[-1] == "5 clusters: failed 1, upgraded 4"


def test_a_mixed_fleet_takes_each_cluster_along_its_own_route(fleet, sim):
    """legacy-a (v1.25.16-r10) is one hop from v1.28; ancient-a (v1.23.8-r0) two: its latest patch first."""
    proc, rows, order = fleet("legacy-a:ancient-a", forks=2, cce_fleet_serial=[2], cce_fleet_target_version="v1.28")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert rows["legacy-a"]["hops"] == ["v1.28.15-r30"]
    assert rows["ancient-a"]["hops"] == ["v1.23.17-r30", "v1.28.15-r30"]
    for name, source in (("legacy-a", "v1.25.16-r10"), ("ancient-a", "v1.23.8-r0")):
        assert (rows[name]["outcome"], rows[name]["from"], rows[name]["to"]) == ("upgraded", source, "v1.28.15-r30"), output
        assert sim.cluster(name)["version"] == "v1.28.15-r30"
    assert len([r for r in sim.writes(sim.cluster("ancient-a")["id"]) if r["path"].endswith("/operation/upgrade")]) == 2
    lines = table_lines(proc.stdout)
    assert lines[1].split()[-2:] == ["1:", "v1.28.15-r30"], lines
    assert lines[2].split()[-4:] == ["2:", "v1.23.17-r30", ">", "v1.28.15-r30"], lines


def run_like_the_guide(ansible, sim, tmp_path, *args):
    """ansible-playbook as the fleet guide runs it: the cce_clusters inventory file only (no localhost
    in the inventory), plus ``args`` (for example --limit)."""
    inventory = tmp_path / "prod.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url,
                                         "name_patterns": ["prod-*", "risky-a"]}))
    cmd = [ansible._command("ansible-playbook"), str(PLAYBOOK), "-i", str(inventory), "-f", "4"] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, env=ansible.env, timeout=300, check=False)


@pytest.mark.parametrize("limit", ["risky-a,prod-a", "cce_flavor_cce:!prod-b:!prod-c"])
def test_a_limited_fleet_run_still_summarises_and_ends_red(ansible, sim, tmp_path, limit):
    """--limit (AWX's Limit field) excludes localhost: the summary, the report and the final failure
    must not depend on it. risky-a fails its pre-check."""
    report = tmp_path / "limited-report.json"
    variables = dict(ROLE_VARS, cce_fleet_target_version="v1.30", cce_fleet_report_path=str(report),
                     cce_fleet_serial=[1, "100%"], cce_fleet_max_fail_percentage=100)
    proc = run_like_the_guide(ansible, sim, tmp_path, "--limit", limit, "-e", json.dumps(variables))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-4000:]
    rows = dict((row["cluster"], row) for row in json.loads(report.read_text())["clusters"])
    assert sorted(rows) == ["prod-a", "risky-a"], output[-4000:]
    assert rows["risky-a"]["outcome"] == "failed" and rows["prod-a"]["outcome"] == "upgraded"
    assert table_lines(proc.stdout)[-1] == "2 clusters: failed 1, upgraded 1"
    assert "1 of 2 clusters failed or were not run: risky-a" in output
    assert sim.writes(sim.cluster("prod-b")["id"]) == []


def test_a_misspelled_fleet_variable_fails_before_any_cluster_is_touched(ansible, sim, tmp_path):
    variables = dict(ROLE_VARS, cce_fleet_target_versions="v1.30", cce_upgrade_skip_snapshot=True)
    proc = run_like_the_guide(ansible, sim, tmp_path, "-e", json.dumps(variables))
    output = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert "cce_fleet_target_versions is not a known variable; did you mean cce_fleet_target_version?" in output, output[-3000:]
    assert "cce_upgrade_skip_snapshot is not a known variable; did you mean cce_upgrade_snapshot?" in output
    # only the inventory plugin's listing reached CCE
    assert sim.writes() == []
    assert not [r for r in sim.requests() if "/upgrade" in r["path"] or "/precheck" in r["path"]]
