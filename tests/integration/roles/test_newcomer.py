"""What a newcomer hits (issue 12), through the role's playbooks against the simulator: misspelled
and misplaced variables, YAML's base-60 times, retrying a failed upgrade task from a rerun, and the
day-2 playbooks (retry, pause, resume, hold)."""

import json
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
