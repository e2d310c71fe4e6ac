"""playbooks/fleet_upgrade.yml with waves (issue 13, point 4): ordered waves, a soak after each, the health gate,
the approval between waves (no terminal here: stdin is /dev/null, as in AWX or CI), and blackout dates.

Soaks are a second: the soak is a plain wait on the controller, never scaled simulator time."""

import fcntl
import json
import os
import pty
import subprocess
import termios
import threading
import time

import yaml

from test_fleet_upgrade import PLAYBOOK, ROLE_VARS

FREEZE = [{"name": "year-end freeze", "start": "2026-12-20", "end": "2027-01-03", "timezone": "Europe/Berlin"}]
NO_TERMINAL = ("No terminal to ask for the approval of wave {}: going on without it (cce_fleet_require_approval: "
               "true stops here instead)")


def run_fleet(ansible, sim, tmp_path, hosts, **extra_vars):
    """Run the fleet playbook on the clusters ``hosts`` (a host pattern); returns (process, output, rows by name,
    order of the rows)."""
    inventory = tmp_path / "waves.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url}))
    report = tmp_path / "waves-report.json"
    variables = dict(ROLE_VARS, cce_fleet_hosts=hosts, cce_fleet_report_path=str(report))
    variables.update(extra_vars)
    proc = ansible.run_playbook(PLAYBOOK, extra_vars=variables, timeout=300, extra_args=["-i", str(inventory), "-f", "4"])
    output = " ".join((proc.stdout + proc.stderr).split())
    rows = json.loads(report.read_text())["clusters"] if report.exists() else []
    return proc, output, dict((row["cluster"], row) for row in rows), [row["cluster"] for row in rows]


def test_three_waves_with_a_soak_run_in_wave_order_when_each_passes(ansible, sim, tmp_path):
    # the host pattern lists them in another order: the waves decide; waves by cluster name, group and host variable
    waves = [{"name": "dev", "hosts": ["stale-a"]},
             {"name": "staging", "hosts": "cce_flavor_autopilot"},
             {"name": "prod", "match": {"cce_cluster_name": "prod-c"}}]
    proc, output, rows, order = run_fleet(ansible, sim, tmp_path, "prod-c:ap-a:stale-a", cce_fleet_waves=waves,
                                          cce_fleet_soak=1, cce_fleet_approval=True)
    assert proc.returncode == 0, output[-5000:]
    assert order == ["stale-a", "ap-a", "prod-c"]
    for batch, (name, wave, source, target) in enumerate([("stale-a", "dev", "v1.29.2-r0", "v1.29.4-r0"),
                                                          ("ap-a", "staging", "v1.29.4-r0", "v1.30.14-r10"),
                                                          ("prod-c", "prod", "v1.29.4-r0", "v1.30.14-r10")], 1):
        row = rows[name]
        assert (row["wave"], row["batch"], row["outcome"], row["from"], row["to"]) == (wave, batch, "upgraded", source, target)
        assert sim.cluster(name)["version"] == target
    assert "Wave 1, dev: stale-a" in output and "Wave 3, prod: prod-c" in output
    # after waves 1 and 2: the gate, then the soak, and no terminal to ask for the next wave's approval; none after 3
    assert output.count("Pausing for 1 seconds") == 2, output[-5000:]
    for wave, following in (("dev", "staging"), ("staging", "prod")):
        line = "Wave %s: upgraded 1; failure budget 0%%: passed its health gate; next: wave %s, after a soak of 1 s. %s" % (
            wave, following, NO_TERMINAL.format(following))
        assert line in output, output[-5000:]
    assert "Wave prod: upgraded 1; failure budget 0%: passed its health gate; the last wave" in output
    # each wave's soak came after that wave's upgrade and before the next wave's first request
    first_ap_request = min(r["time"] for r in sim.requests() if r["cluster_id"] == sim.cluster("ap-a")["id"])
    last_stale_request = max(r["time"] for r in sim.requests() if r["cluster_id"] == sim.cluster("stale-a")["id"])
    assert first_ap_request > last_stale_request


def test_a_failing_wave_stops_the_rollout_after_a_soaked_wave_and_the_rest_is_reported_not_run(ansible, sim, tmp_path):
    waves = [{"name": "dev", "hosts": "prod-a", "soak": 1},
             {"name": "staging", "hosts": "risky-a"},
             {"name": "prod", "hosts": ["prod-b", "cce_flavor_autopilot"]}]
    proc, output, rows, order = run_fleet(ansible, sim, tmp_path, "prod-a:risky-a:prod-b:ap-a",
                                          cce_fleet_waves=waves, cce_fleet_target_version="v1.30", cce_fleet_approval=True)
    assert proc.returncode != 0
    assert order == ["prod-a", "risky-a", "prod-b", "ap-a"], output[-5000:]
    assert (rows["prod-a"]["wave"], rows["prod-a"]["outcome"]) == ("dev", "upgraded")
    assert (rows["risky-a"]["wave"], rows["risky-a"]["outcome"]) == ("staging", "failed")
    # wave 1 passed and soaked, wave 2 failed its gate (risky-a's fatal pre-check risk): no soak, no wave 3
    assert output.count("Pausing for 1 seconds") == 1
    assert NO_TERMINAL.format("staging") in output
    assert ("Wave staging: failed 1; failure budget 0%: did not pass its health gate (risky-a (failed)). Stopping the "
            "rollout; not run: wave prod (prod-b, ap-a)") in output, output[-5000:]
    for name in ("prod-b", "ap-a"):
        row = rows[name]
        assert (row["wave"], row["outcome"]) == ("prod", "not_run")
        assert row["message"] == "not run: wave staging did not pass its health gate (risky-a (failed))"
        assert sim.writes(sim.cluster(name)["id"]) == []
    assert "3 of 4 clusters failed or were not run: risky-a, prod-b, ap-a" in output


def test_required_approval_without_a_terminal_stops_before_the_next_wave(ansible, sim, tmp_path):
    # both clusters are on the latest patch of v1.29 already: the waves cost no upgrade
    waves = [{"name": "dev", "hosts": "prod-a"}, {"name": "prod", "hosts": "prod-b"}]
    proc, output, rows, _order = run_fleet(ansible, sim, tmp_path, "prod-a:prod-b", cce_fleet_waves=waves,
                                           cce_fleet_target_version="v1.29", cce_fleet_soak="1h",
                                           cce_fleet_require_approval=True)
    assert proc.returncode != 0
    assert rows["prod-a"]["outcome"] == "already_upgraded", output[-5000:]
    assert (rows["prod-b"]["outcome"], rows["prod-b"]["message"]) == (
        "not_run", "not run: wave prod needs an approval (cce_fleet_require_approval) and the run had no terminal to ask")
    assert ("Wave prod needs an approval (cce_fleet_require_approval) and there is no terminal to ask: stopping the "
            "rollout; not run: wave prod (prod-b)") in output
    assert "Pausing for" not in output  # no soak of an hour before a stop
    assert sim.writes() == []


def test_a_blackout_blocks_the_fleets_starts_and_its_first_wave_stops_the_rollout(ansible, sim, tmp_path):
    waves = [{"name": "dev", "hosts": ["prod-a", "prod-b"]}, {"name": "prod", "hosts": "prod-c"}]
    proc, output, rows, _order = run_fleet(ansible, sim, tmp_path, "prod-a:prod-b:prod-c", cce_fleet_waves=waves,
                                           cce_fleet_target_version="v1.30", cce_upgrade_blackout=FREEZE,
                                           cce_upgrade_now="2026-12-24T09:00:00Z")
    assert proc.returncode != 0
    for name in ("prod-a", "prod-b"):
        assert rows[name]["outcome"] == "blackout", output[-5000:]
        assert "no upgrade is started until it ends at 2027-01-04T00:00:00+01:00" in rows[name]["message"]
    assert rows["prod-c"]["outcome"] == "not_run"
    assert rows["prod-c"]["message"] == ("not run: wave dev did not pass its health gate (prod-a (blackout), "
                                         "prod-b (blackout))")
    assert sim.writes() == []  # no workflow, pre-check, snapshot or upgrade anywhere


def test_bad_waves_fail_before_any_request(ansible, sim, tmp_path):
    waves = [{"name": "dev", "hosts": "prod-a"}, {"name": "staging", "hosts": ["cce_flavor_turbo"]}]
    proc, output, rows, _order = run_fleet(ansible, sim, tmp_path, "prod-a:prod-b", cce_fleet_waves=waves)
    assert proc.returncode != 0
    assert ("cce_fleet_waves[1].hosts: cce_flavor_turbo is neither a group nor a cluster of the inventory; accepted "
            "values: the inventory's groups (") in output, output[-3000:]
    assert rows == {}
    assert not [r for r in sim.requests() if r["cluster_id"]]


def test_on_a_terminal_the_approval_is_asked_and_an_answer_other_than_yes_stops(ansible, sim, tmp_path):
    """ansible-playbook on a pseudo-terminal (its controlling terminal, in the foreground): the question is asked
    after wave dev; the answer stop leaves wave prod not run."""
    inventory = tmp_path / "tty.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url}))
    report = tmp_path / "tty-report.json"
    variables = dict(ROLE_VARS, cce_fleet_hosts="prod-a:prod-b", cce_fleet_report_path=str(report),
                     cce_fleet_target_version="v1.29", cce_fleet_approval=True,
                     cce_fleet_waves=[{"name": "dev", "hosts": "prod-a"}, {"name": "prod", "hosts": "prod-b"}])
    cmd = [ansible._command("ansible-playbook"), str(PLAYBOOK), "-i", str(inventory), "-e", json.dumps(variables)]
    master, slave = pty.openpty()

    def take_the_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(cmd, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ansible.env,
                            preexec_fn=take_the_terminal)  # pylint: disable=subprocess-popen-preexec-fn
    os.close(slave)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, b"")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 240
        while not any(b"Start wave prod (prod-b)?" in line for line in lines):
            assert proc.poll() is None and time.monotonic() < deadline, b"".join(lines).decode()[-4000:]
            time.sleep(0.2)
        time.sleep(0.5)  # the prompt flushes the terminal's input before it reads
        os.write(master, b"stop\r")
        proc.wait(timeout=120)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    output = " ".join(b"".join(lines).decode(errors="replace").split())
    assert proc.returncode != 0, output[-4000:]
    assert ("Wave dev passed. Start wave prod (prod-b)? Press Enter to start it, or type stop to stop the rollout "
            "here") in output
    assert "Wave prod not approved (answer 'stop'): stopping the rollout; not run: wave prod (prod-b)" in output, output[-4000:]
    assert "No terminal to ask" not in output
    rows = dict((row["cluster"], row) for row in json.loads(report.read_text())["clusters"])
    assert rows["prod-a"]["outcome"] == "already_upgraded"
    assert (rows["prod-b"]["outcome"], rows["prod-b"]["message"]) == ("not_run", "not run: wave prod was not approved")
