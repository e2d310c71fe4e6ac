"""Role hwcloud.cce.cluster_upgrade on an Autopilot cluster with CCE's own weekly upgrade plans (issue 13, point 6):
the guard names a plan that may start during the run, or postpones it with cce_upgrade_postpone_server_plan."""

import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
PLAYBOOK = REPO_ROOT / "playbooks" / "upgrade.yml"
WINDOW = {"weekly_period": "Wednesday,Saturday", "start_time": "02:00", "duration_hours": 4}
UTC = datetime.timezone.utc


def parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def plan_of(ansible, cid):
    rc, info, output = ansible.run_module("cce_autopilot_upgrade_plan_info", {"cluster_id": cid,
                                                                              "cluster_flavor": "autopilot"})
    assert rc == 0, output
    return info["next_plan"]


def test_a_server_plan_during_the_run_is_named_then_postponed_past_it(ansible, sim):
    cid = sim.add_cluster(name="ap-planned", flavor="autopilot", version="v1.29.2-r0", maintenance_window=WINDOW)["id"]
    plan = plan_of(ansible, cid)
    now = (parse(plan["not_before"]) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    base = {"cce_upgrade_cluster_id": cid, "cce_upgrade_cluster_flavor": "autopilot",
            "cce_upgrade_target_version": "v1.29.4-r0", "cce_upgrade_now": now, "cce_upgrade_timeout": 7200}

    dry = ansible.run_playbook(PLAYBOOK, base, check=True)
    text = " ".join((dry.stdout + dry.stderr).split())
    assert dry.returncode == 0, text[-3000:]
    until = (parse(now) + datetime.timedelta(seconds=7200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ("Autopilot cluster ap-planned: CCE may start its own upgrade during this run (until %s): plan %s to "
            "v1.29.4-r0" % (until, plan["plan_id"])) in text, text[-3000:]
    assert "cce_upgrade_postpone_server_plan: true" in text

    dry = ansible.run_playbook(PLAYBOOK, dict(base, cce_upgrade_postpone_server_plan=True), check=True)
    text = " ".join((dry.stdout + dry.stderr).split())
    assert dry.returncode == 0, text[-3000:]
    assert "postponing CCE's own upgrade plan to %s" % until in text, text[-3000:]
    assert sim.writes(cid) == []

    # an hour earlier with a 30-minute run: the plan is out of reach, nothing is said
    early = (parse(now) - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    dry = ansible.run_playbook(PLAYBOOK, dict(base, cce_upgrade_now=early, cce_upgrade_timeout=1800,
                                              cce_upgrade_postpone_server_plan=True), check=True)
    assert dry.returncode == 0 and "Autopilot cluster ap-planned:" not in dry.stdout, dry.stdout[-3000:]

    proc = ansible.run_playbook(PLAYBOOK, dict(base, cce_upgrade_postpone_server_plan=True, cce_upgrade_poll_interval=1))
    text = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode == 0, text[-3000:]
    moved = [w for w in sim.writes(cid) if w["method"] == "PUT"]
    assert len(moved) == 1 and moved[0]["path"].endswith("/upgradeplans/" + plan["plan_id"]), sim.writes(cid)
    assert plan_of(ansible, cid)["not_before"] == until
    assert sim.cluster("ap-planned")["version"] == "v1.29.4-r0"
