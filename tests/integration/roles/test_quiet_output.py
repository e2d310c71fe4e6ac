"""Issue 12, point 8 (noise), through playbooks/upgrade.yml against the simulator: a failed run prints the
role's message once, and a bad role variable gives one short message instead of Ansible's dump of the
role's argument specification."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
UPGRADE = REPO_ROOT / "playbooks" / "upgrade.yml"


def upgrade_vars(sim, name, **extra):
    data = {"cce_upgrade_cluster_id": sim.cluster(name)["id"], "cce_upgrade_target_version": "v1.30",
            "cce_upgrade_poll_interval": 1, "cce_upgrade_snapshot": False}
    data.update(extra)
    return data


def test_failed_run_prints_the_role_message_once(ansible, sim):
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "risky-a"))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    message = "Upgrade of risky-a to v1.30 failed in step precheck"
    final = output.index("TASK [hwcloud.cce.cluster_upgrade : Fail with the reason]")
    # the summary used to repeat the final failure's message; now only the final fail prints it
    # (ansible-core shows a failed task's message in its [ERROR] line and in its result)
    assert message not in output[:final], output[:final][-4000:]
    assert message in output[final:]
    assert "outcome=failed" in output[:final]


def test_bad_role_variable_is_one_short_message_without_the_argument_spec(ansible, sim):
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "prod-a", cce_upgrade_poll_interval="soon"))
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert 'cce_upgrade_poll_interval must be an integer of at least 1, got "soon"' in output, output[-4000:]
    assert "argument_spec_data" not in output and "Validating arguments" not in output, output[-4000:]
    assert len(output) < 3000, len(output)
    assert sim.requests() == []
