"""plugins/modules/cce_upgrade_report.py: every format asked for, beside the JSON path; a file changes only when
its content differs; check mode writes nothing. Also the cce_change_record and cce_report_format_errors filters."""

import json

import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hwcloud.cce.plugins.filter.change_record import cce_change_record, cce_report_format_errors
from ansible_collections.hwcloud.cce.plugins.modules import cce_upgrade_report

REPORT = {"cluster_name": "prod-a", "outcome": "failed", "failed_step": "precheck", "from_version": "v1.29.4-r0",
          "to_version": "v1.30", "durations": {"guard": 1.0, "precheck": 2.0}, "message": "fatal item x"}


class Exited(Exception):
    pass


def run_module(monkeypatch, args, check_mode=False):
    """main() with these arguments; returns the result it exited (or failed) with."""
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args})))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    result = {}

    def leave(self, **kwargs):
        result.update(kwargs)
        raise Exited()

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", leave)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", lambda self, **kwargs: leave(self, failed=True, **kwargs))
    with pytest.raises(Exited):
        cce_upgrade_report.main()
    return result


def test_every_format_is_written_beside_the_json_and_only_when_it_changed(monkeypatch, tmp_path):
    path = tmp_path / "prod-a.json"
    args = {"report": REPORT, "path": str(path), "formats": ["json", "html", "markdown"]}
    planned = run_module(monkeypatch, args, check_mode=True)
    assert planned["changed"] is True and planned["changed_files"] == ["json", "html", "markdown"]
    assert list(tmp_path.iterdir()) == []  # check mode writes nothing

    first = run_module(monkeypatch, args)
    assert first["changed"] is True
    assert first["files"] == {"json": str(path), "html": str(tmp_path / "prod-a.html"), "markdown": str(tmp_path / "prod-a.md")}
    assert json.loads(path.read_text()) == REPORT
    assert "Failed in step <strong>precheck</strong>" in (tmp_path / "prod-a.html").read_text()
    assert (tmp_path / "prod-a.md").read_text().startswith("# Change record: upgrade of prod-a")

    again = run_module(monkeypatch, args)
    assert again["changed"] is False and again["changed_files"] == []

    changed = run_module(monkeypatch, dict(args, report=dict(REPORT, message="another reason")))
    assert changed["changed_files"] == ["json", "html", "markdown"]


def test_a_fleet_and_a_preflight_are_rendered_as_their_kind(monkeypatch, tmp_path):
    fleet = {"clusters": [{"cluster": "prod-a", "outcome": "upgraded", "report": REPORT}], "target_version": "v1.30"}
    run_module(monkeypatch, {"report": fleet, "kind": "fleet", "path": str(tmp_path / "f.json"), "formats": ["html"]})
    assert "Change record: fleet upgrade" in (tmp_path / "f.html").read_text()
    assert not (tmp_path / "f.json").exists()
    run_module(monkeypatch, {"report": {"clusters": []}, "kind": "preflight", "path": str(tmp_path / "p"),
                             "formats": ["markdown"]})
    assert (tmp_path / "p.md").read_text().startswith("# Readiness record: pre-flight")


def test_an_unknown_format_is_refused_naming_the_choices(monkeypatch, tmp_path):
    result = run_module(monkeypatch, {"report": REPORT, "path": str(tmp_path / "r.json"), "formats": ["pdf"]})
    assert result["failed"] and "json, html, markdown" in result["msg"] and "pdf" in result["msg"]


def test_a_directory_that_does_not_exist_fails_saying_what_was_written(monkeypatch, tmp_path):
    result = run_module(monkeypatch, {"report": REPORT, "path": str(tmp_path / "no" / "r.json"), "formats": ["html"]})
    assert result["failed"] and result["msg"].startswith("writing the change record %s" % (tmp_path / "no" / "r.html"))


def test_the_change_record_filter_adds_its_fields_and_refuses_what_is_not_a_result():
    record = cce_change_record(REPORT, started=100.0, ended=103.5, skipped=["x"], change_id="CHG-1", requested_by="alice")
    assert record["accepted_risks"][0]["accepted_by"] == "alice"
    assert record["next_action"].startswith("Nothing was upgraded. Fix the fatal pre-check items")
    assert [s["step"] for s in record["step_times"]] == ["guard", "precheck"]
    with pytest.raises(AnsibleFilterError, match="the role's result"):
        cce_change_record("not a dict")


def test_the_format_filter_names_the_variable_it_is_told():
    assert cce_report_format_errors(["json"]) == []
    assert cce_report_format_errors(["xml"], name="cce_fleet_report_format") == [
        'cce_fleet_report_format accepts json, html, markdown; "xml" is not one of them.']
