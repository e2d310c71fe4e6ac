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


def test_healthy_run_reads_like_a_progress_log(ansible, sim):
    """A healthy upgrade prints the steps it runs and what they did; the failure and pause paths it does not take
    are skipped as whole files (one line each), not task by task."""
    proc = ansible.run_playbook(UPGRADE, upgrade_vars(sim, "prod-a"))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    headers = [line for line in output.splitlines() if line.startswith("TASK [")]
    skipped = output.count("skipping: [localhost]")
    print("healthy run: %d lines, %d task headers, %d skipped" % (len(output.splitlines()), len(headers), skipped))
    for path in ("Pause the upgrade at the end of the maintenance window", "Read why the upgrade task failed",
                 "Stop on the failed upgrade task unless told to retry it", "End with a paused upgrade",
                 "Find a failed upgrade task to the target"):
        assert path not in output, path
    assert "Cluster prod-a upgraded from v1.29.4-r0 to v1.30.14-r10" in output
    assert len(headers) <= 75 and skipped <= 22, (len(headers), skipped)  # 89 and 34 before
