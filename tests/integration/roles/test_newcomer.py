"""What a newcomer hits (issue 12), through the role's playbooks against the simulator: misspelled
and misplaced variables, YAML's base-60 times, retrying a failed upgrade task from a rerun, and the
day-2 playbooks (retry, pause, resume, hold)."""

import json
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PLAYBOOKS = REPO_ROOT / "playbooks"
UPGRADE = PLAYBOOKS / "upgrade.yml"


def output(proc):
    return proc.stdout + proc.stderr


def one_line(text):
    return " ".join(text.split())


def upgrade_vars(sim, name, **extra):
    data = {"cce_upgrade_cluster_id": sim.cluster(name)["id"], "cce_upgrade_target_version": "v1.30",
            "cce_upgrade_poll_interval": 1, "cce_upgrade_snapshot": False}
    data.update(extra)
    return data


def posts_to(sim, cluster_id, suffix):
    return [r for r in sim.writes(cluster_id) if r["method"] == "POST" and r["path"].endswith(suffix)]


# 9: YAML sexagesimal times

def test_unquoted_window_start_read_as_base_60_says_to_quote_it(ansible, sim, tmp_path):
    varsfile = tmp_path / "window.yml"
    varsfile.write_text("cce_upgrade_window:\n  start: 12:30\n  duration: 120\n")
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "prod-a"), extra_args=["-e", "@%s" % varsfile])
    text = one_line(output(proc))
    assert proc.returncode != 0
    assert "cce_upgrade_window.start: 750 is not a time of day" in text, text[-3000:]
    assert 'unquoted 12:30 as the base-60 number 750. Quote the time: start: \\"12:30\\"' in text, text[-3000:]
    assert sim.requests() == []


# 2: misspelled and misplaced variables

def test_misspelled_window_fails_before_any_request_naming_the_closest_variable(ansible, sim):
    window = {"start": "02:00", "duration": 60}
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "prod-a", cce_upgrade_windows=window))
    text = one_line(output(proc))
    assert proc.returncode != 0
    assert "cce_upgrade_windows is not a known variable; did you mean cce_upgrade_window?" in text, text[-3000:]
    assert sim.requests() == []


def test_module_option_given_to_the_role_names_the_role_variable(ansible, sim):
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "risky-a", skipped_check_items=["deprecated-api-check"]))
    text = one_line(output(proc))
    assert proc.returncode != 0
    assert ("skipped_check_items is an option of the modules; the role does not read it. Use the role variable "
            "cce_upgrade_skipped_check_items") in text, text[-3000:]
    assert sim.requests() == []


# 3: a failed upgrade task retried from a rerun

def test_failed_upgrade_task_is_retried_by_a_rerun_told_so_by_the_message(ansible, sim):
    """flaky-a's upgrade task fails on a node once. The failure says how to retry from a playbook
    (the -e form); a rerun with that form retries the failed task (CCE's retry), not a new upgrade."""
    cid = sim.cluster("flaky-a")["id"]
    first = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "flaky-a"))
    text = one_line(output(first))
    assert first.returncode != 0
    hint = "run the role again with -e '{\"cce_upgrade_retry_failed\": true}'"
    assert hint in text.replace('\\"', '"'), text[-3000:]
    assert "state=retried" not in text
    assert posts_to(sim, cid, "/operation/upgrade/retry") == []

    rerun = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "flaky-a"),
                                 extra_args=["-e", '{"cce_upgrade_retry_failed": true}'])
    text = one_line(output(rerun))
    assert rerun.returncode == 0, text[-3000:]
    assert len(posts_to(sim, cid, "/operation/upgrade/retry")) == 1
    assert len(posts_to(sim, cid, "/operation/upgrade")) == 1   # the one upgrade of the first run
    assert sim.cluster("flaky-a")["version"].startswith("v1.30")
    assert "Cluster flaky-a upgraded from v1.29.4-r0 to v1.30." in text   # full versions (real CCE)


def test_fatal_precheck_says_which_role_variable_accepts_the_risk_and_that_form_works(ansible, sim, tmp_path):
    cid = sim.cluster("risky-a")["id"]
    report = tmp_path / "report.json"
    first = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "risky-a", cce_upgrade_report_path=str(report)))
    assert first.returncode != 0
    message = json.loads(report.read_text())["message"]
    assert message in one_line(output(first)).replace('\\"', '"')
    match = re.search(r"accept their risk and run again with -e '(\{[^']*\})'\.", message)
    assert match, message
    assert json.loads(match.group(1)) == {"cce_upgrade_skipped_check_items": ["deprecated-api-check"]}
    assert "with skipped_check_items" not in message

    rerun = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "risky-a"), extra_args=["-e", match.group(1)])
    assert rerun.returncode == 0, one_line(output(rerun))[-3000:]
    assert sim.cluster("risky-a")["version"].startswith("v1.30")
    assert len(posts_to(sim, cid, "/operation/upgrade")) == 1


# 7: an Autopilot cluster addressed without cce_upgrade_cluster_flavor

def test_autopilot_cluster_without_its_flavor_gets_a_hint_instead_of_a_404(ansible, sim, tmp_path):
    report = tmp_path / "report.json"
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "ap-a", cce_upgrade_report_path=str(report)))
    assert proc.returncode != 0
    message = json.loads(report.read_text())["message"]
    assert ("Cluster %s (ap-a) is an Autopilot cluster, not found as cce: set cce_upgrade_cluster_flavor to autopilot "
            "(-e cce_upgrade_cluster_flavor=autopilot)." % sim.cluster("ap-a")["id"]) in message, message
    assert sim.writes() == []
