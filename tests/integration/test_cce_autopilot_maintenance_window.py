# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hwcloud.cce maintainers (@hwcloud-cce)
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""hwcloud.cce.cce_autopilot_maintenance_window against the simulator (real ansible runs)."""

import pytest

MODULE = "cce_autopilot_maintenance_window"
WINDOW = {"weekdays": ["sat", "Sunday"], "start_time": "02:00", "duration_hours": 4}


def window_writes(sim, cid):
    return [(w["method"], w["path"].rsplit("/", 1)[-1]) for w in sim.writes(cid)]


def test_set_then_rerun_writes_nothing(sim, ansible, cce_api):
    cid = sim.cluster("ap-a")["id"]
    rc, first, output = ansible.run_module(MODULE, dict(WINDOW, cluster_id=cid), diff=True)
    assert rc == 0, output
    assert first["changed"] is True
    assert first["window"] == {"weekdays": ["Saturday", "Sunday"], "start_time": "02:00", "duration_hours": 4,
                               "upgrade_scope": "patch"}
    assert first["previous_window"] is None
    assert first["diff"]["before"] == {}
    assert window_writes(sim, cid) == [("POST", "maintenancewindows")]
    assert all(w["path"].startswith("/autopilot/v3/") for w in sim.writes(cid))
    stored = cce_api(sim, "autopilot").get_maintenance_window(cid)
    assert stored["weekly_period"] == "Saturday,Sunday"

    rc, second, output = ansible.run_module(MODULE, dict(WINDOW, cluster_id=cid, weekdays=["Sun", "SAT"]))
    assert rc == 0, output
    assert second["changed"] is False
    assert second["window"] == first["window"]
    assert len(sim.writes(cid)) == 1


def test_check_mode_writes_nothing_then_replace_and_remove(sim, ansible):
    cid = sim.cluster("ap-b")["id"]
    rc, first, output = ansible.run_module(MODULE, dict(WINDOW, cluster_id=cid))
    assert rc == 0, output
    other = dict(WINDOW, cluster_id=cid, weekdays=["Wednesday"], start_time="22:00", duration_hours=2)
    rc, checked, output = ansible.run_module(MODULE, other, check=True, diff=True)
    assert rc == 0, output
    assert checked["changed"] is True
    assert checked["diff"]["before"]["weekdays"] == ["Saturday", "Sunday"]
    assert checked["diff"]["after"]["weekdays"] == ["Wednesday"]
    assert window_writes(sim, cid) == [("POST", "maintenancewindows")]

    rc, replaced, output = ansible.run_module(MODULE, other)
    assert rc == 0, output
    assert replaced["changed"] is True and replaced["window"]["start_time"] == "22:00"
    assert window_writes(sim, cid)[-1] == ("PUT", "maintenancewindows")

    rc, checked, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "absent"}, check=True)
    assert rc == 0, output
    assert checked["changed"] is True and len(sim.writes(cid)) == 2
    rc, removed, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "absent"})
    assert rc == 0, output
    assert (removed["changed"], removed["window"]) == (True, None)
    assert removed["previous_window"]["weekdays"] == ["Wednesday"]
    rc, again, output = ansible.run_module(MODULE, {"cluster_id": cid, "state": "absent"})
    assert rc == 0, output
    assert again["changed"] is False
    assert window_writes(sim, cid) == [("POST", "maintenancewindows"), ("PUT", "maintenancewindows"),
                                       ("DELETE", "maintenancewindows")]


@pytest.mark.parametrize("args, words", [
    ({"weekdays": ["Funday"]}, ["weekdays", "Monday", "Sunday"]),
    ({"start_time": "02:30"}, ["start_time", "HH:00"]),
    ({"duration_hours": 0}, ["duration_hours", "1 to 24"]),
    ({"start_time": None}, ["start_time"]),
    ({"cluster_flavor": "cce"}, ["cluster_flavor", "autopilot"]),
    ({"cluster_id": "ap-a"}, ["cluster_id", "UUID"]),
])
def test_bad_input_fails_before_any_request(sim, ansible, args, words):
    module_args = dict(dict(WINDOW, cluster_id=sim.cluster("ap-c")["id"]), **args)
    module_args = {key: value for key, value in module_args.items() if value is not None}
    rc, result, output = ansible.run_module(MODULE, module_args)
    assert rc != 0, output
    for word in words:
        assert word in result["msg"]
    assert sim.requests() == []
