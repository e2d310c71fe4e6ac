"""module_utils/change_record.py: the change record's data and its HTML and Markdown renderings."""

import copy
import json
import re
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from markdown_it import MarkdownIt

from ansible.plugins.filter.core import to_nice_json

from ansible_collections.hwcloud.cce.plugins.module_utils import change_record as cr
from ansible_collections.hwcloud.cce.plugins.module_utils.timestamps import iso_utc, parse_timestamp

# 2026-06-13 02:00:00 UTC (04:00 in Berlin, summer time)
T0 = 1781316000.0
WINDOW = {"weekdays": ["sat"], "start": "04:00", "duration": 240, "timezone": "Europe/Berlin"}
DURATIONS = {"guard": 2.0, "workflow": 1.5, "precheck": 60.0, "snapshot": 120.0, "upgrade": 3.0, "wait": 600.0,
             "postcheck": 5.0, "verify": 1.5}
PRECHECK = {"task_id": "pc-1", "check_items": {
    "fatal": [],
    "warning": [{"name": "deprecated-api-check", "level": "Warning", "phase": "Success", "kind": "Risk",
                 "group": "cluster", "message": "2 deprecated APIs in use"}],
    "info": [{"name": "node-os-check", "level": "Info", "phase": "Success", "kind": "Risk", "group": "node",
              "message": "all nodes on EulerOS 2.10"}]}}


def role_result(**extra):
    """The keys the role's report.yml assembles before the change record filter."""
    result = {
        "cluster_id": "6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04", "cluster_name": "prod-a", "cluster_flavor": "cce",
        "from_version": "v1.29.4-r0", "to_version": "v1.30.14-r10", "target_version": "v1.30",
        "workflow_id": "wf-1", "precheck_task_id": "pc-1", "snapshot_task_id": "snap-1", "task_id": "up-1",
        "outcome": "upgraded", "check_mode": False, "preflight": False, "risks": [], "action": "start",
        "steps": list(DURATIONS), "failed_step": None,
        "message": "Cluster prod-a upgraded from v1.29.4-r0 to v1.30.14-r10.", "next_window": None,
        "durations": dict(DURATIONS), "duration": 800.0,
    }
    result.update(extra)
    return result


def upgraded_run(**extra):
    last = T0 + 793.0 - DURATIONS["verify"]
    return cr.run_record(role_result(**extra), started=T0, ended=T0 + 800.0, last_step="verify", last_started=last,
                         skipped=["node-disk-check", {"name": "node-pod-check", "node_ids": ["n-7"]}],
                         change_id="CHG-1042", requested_by="alice@example.com", precheck=PRECHECK, window=WINDOW)


def failed_run():
    durations = {"guard": 2.0, "workflow": 1.0, "precheck": 60.0, "snapshot": 120.0, "upgrade": 2.0, "wait": 300.0}
    result = role_result(outcome="failed", failed_step="wait", durations=durations, duration=486.0,
                         to_version="v1.30", steps=list(DURATIONS),
                         message="Upgrade of prod-a to v1.30 failed in step wait (task up-1): the cluster reports "
                                 "UpgradeFailed: upgrade of node n-3 failed: kubelet did not become ready.")
    return cr.run_record(result, started=T0, ended=T0 + 486.0, last_step="wait", last_started=T0 + 185.5,
                         change_id="CHG-7", requested_by="bob", precheck=PRECHECK)


def multi_hop_run(fail_second=True):
    """A report with hops (the multi-hop role's shape): hop 1 upgraded, hop 2 failed in its pre-check."""
    def steps(start, names, failed=None):
        out, moment = [], start
        for name, seconds in names:
            out.append({"name": name, "start": iso_utc(moment), "end": iso_utc(moment + seconds), "duration": seconds})
            moment += seconds
        return out
    hop1 = {"from": "v1.23.8-r0", "to": "v1.23.17-r0", "workflow_id": "wf-a", "task_id": "up-a", "outcome": "upgraded",
            "steps": steps(T0, [("workflow", 1), ("precheck", 60), ("snapshot", 120), ("upgrade", 2), ("wait", 600),
                                ("postcheck", 5), ("verify", 1)])}
    hop2 = {"from": "v1.23.17-r0", "to": "v1.25.16-r10", "workflow_id": "wf-b", "task_id": None,
            "outcome": "failed" if fail_second else "upgraded",
            "failed_step": "precheck" if fail_second else None,
            "steps": steps(T0 + 789, [("workflow", 1), ("precheck", 60)])}
    result = role_result(cluster_name="ancient-a", from_version="v1.23.8-r0", to_version="v1.25.16-r10",
                         target_version="v1.25", outcome="failed" if fail_second else "upgraded",
                         failed_step="precheck" if fail_second else None, hops=[hop1, hop2],
                         message="Hop 2 (v1.23.17-r0 -> v1.25.16-r10) failed in step precheck: fatal item kube-proxy-check.")
    return cr.run_record(result, started=T0, ended=T0 + 850, change_id="CHG-9", requested_by="carol")


def fleet_report(clusters=10):
    rows = []
    for index in range(clusters):
        name = "fleet-%03d" % (index + 1)
        failed = index == 3
        start = T0 + 30 * index
        durations = {"guard": 1.0, "workflow": 1.0, "precheck": 60.0}
        if not failed:
            durations.update({"upgrade": 2.0, "wait": 600.0, "postcheck": 4.0, "verify": 1.0})
        run = cr.run_record(role_result(
            cluster_name=name, outcome="failed" if failed else "upgraded", failed_step="precheck" if failed else None,
            durations=durations, message="fatal pre-check item deprecated-api-check" if failed else "upgraded"),
            started=start, ended=start + sum(durations.values()))
        rows.append({"cluster": name, "cluster_id": run["cluster_id"], "flavor": "cce", "from": "v1.29.4-r0",
                     "to": "v1.30.14-r10", "batch": 1 if index == 0 else 2, "outcome": run["outcome"],
                     "duration": sum(durations.values()), "message": run["message"], "started": start, "report": run})
    rows.append({"cluster": "fleet-late", "cluster_id": "x", "flavor": "cce", "from": "v1.29", "to": "v1.30",
                 "batch": 0, "outcome": "not_run", "duration": 0, "message": "not run: an earlier batch failed"})
    return {"clusters": rows, "target_version": "v1.30"}


def preflight_report():
    return {"target_version": "v1.30", "clusters": [
        {"cluster": "prod-a", "from": "v1.29.4-r0", "to": "v1.30.14-r10", "verdict": "ready", "risks": [],
         "workflow_id": "wf-1", "precheck_task_id": "pc-1", "message": "prod-a is ready for v1.30"},
        {"cluster": "prod-b", "from": "v1.29.4-r0", "to": "v1.30.14-r10", "verdict": "risks",
         "risks": [{"name": "deprecated-api-check", "level": "Warning", "what": "2 deprecated APIs | in use"}],
         "workflow_id": "wf-2", "precheck_task_id": "pc-2", "message": "prod-b can be upgraded, with 1 risk"},
        {"cluster": "risky-a", "from": "v1.29.4-r0", "to": "v1.30.14-r10", "verdict": "blocked",
         "risks": [{"name": "kube-proxy-check", "level": "Fatal", "what": "<fix> the proxy mode"}],
         "workflow_id": "wf-3", "precheck_task_id": "pc-3", "message": "risky-a cannot be upgraded"}]}


# ---------------------------------------------------------------------------------------------
# data

def test_steps_are_laid_back_to_back_ending_where_the_last_step_ended():
    timeline = cr.step_timeline({"guard": 2.0, "workflow": 1.5, "verify": 1.5}, ended=T0 + 100,
                                last_step="verify", last_started=T0 + 10)
    assert [s["step"] for s in timeline] == ["guard", "workflow", "verify"]
    # verify started at T0+10 and took 1.5 s: it ended at T0+11.5, the others before it
    assert timeline[-1] == {"step": "verify", "start": iso_utc(T0 + 10), "end": iso_utc(T0 + 11.5), "duration": 1.5}
    assert timeline[0]["start"] == iso_utc(T0 + 6.5) and timeline[0]["end"] == timeline[1]["start"]
    assert timeline[1]["end"] == timeline[2]["start"]
    # without the last step's start, the run's end closes the last step
    assert cr.step_timeline({"guard": 2.0}, ended=T0 + 100)[0]["end"] == iso_utc(T0 + 100)
    assert cr.step_timeline({}, ended=T0) == []


def test_timestamps_are_utc_rfc3339_that_the_one_parser_reads():
    text = iso_utc(T0 + 0.25)
    assert text == "2026-06-13T02:00:00.250Z"
    assert parse_timestamp(text).timestamp() == T0 + 0.25


def test_the_run_record_keeps_every_key_of_the_result_and_adds_the_change_fields():
    result = role_result()
    record = upgraded_run()
    for key, value in result.items():
        assert record[key] == value
    assert record["started"] == "2026-06-13T02:00:00.000Z" and record["ended"] == "2026-06-13T02:13:20.000Z"
    assert [s["step"] for s in record["step_times"]] == list(DURATIONS)
    assert record["step_times"][-1]["end"] == iso_utc(T0 + 793.0)
    assert record["change_id"] == "CHG-1042" and record["requested_by"] == "alice@example.com"
    assert record["accepted_risks"] == [
        {"name": "node-disk-check", "node_ids": [], "level": None, "accepted_by": "alice@example.com", "change_id": "CHG-1042"},
        {"name": "node-pod-check", "node_ids": ["n-7"], "level": None, "accepted_by": "alice@example.com",
         "change_id": "CHG-1042"}]
    assert record["precheck_items"]["warning"][0]["name"] == "deprecated-api-check"
    assert record["timezone"] == "Europe/Berlin"
    assert record["next_action"] is None
    json.dumps(record)  # JSON data only


def test_an_accepted_risk_carries_the_level_the_precheck_gave_it():
    risks = cr.accepted_risks(["deprecated-api-check"], "CHG-1", "alice", PRECHECK["check_items"])
    assert risks[0]["level"] == "Warning"


@pytest.mark.parametrize("step", sorted(cr.NEXT_ACTIONS))
def test_a_failed_run_says_what_to_do_next_for_its_step(step):
    advice = cr.next_action({"outcome": "failed", "failed_step": step})
    assert advice == cr.NEXT_ACTIONS[step]
    assert cr.next_action({"outcome": "upgraded", "failed_step": None}) is None
    assert cr.next_action({"outcome": "blocked"}) == cr.BLOCKED_ACTION


def test_the_retry_advice_names_the_role_variable():
    assert "cce_upgrade_retry_failed: true" in failed_run()["next_action"]
    assert "cce_upgrade_skipped_check_items" in cr.next_action({"outcome": "failed", "failed_step": "precheck"})


@pytest.mark.parametrize("value, path, expected", [
    (["json"], None, None),
    (["json", "html", "markdown"], "/tmp/r.json", None),
    ("json,html", "/tmp/r.json", None),
    (["pdf"], "/tmp/r.json", 'cce_upgrade_report_format accepts json, html, markdown; "pdf" is not one of them.'),
    ([], None, "cce_upgrade_report_format must be a non-empty list of report formats out of json, html, markdown, got []."),
    ({"html": True}, None, "cce_upgrade_report_format must be a non-empty list"),
    (["html"], None, "cce_upgrade_report_format html writes files: set cce_upgrade_report_path"),
])
def test_report_formats_are_checked_naming_the_variable_and_the_accepted_values(value, path, expected):
    errors = cr.check_report_formats(value, path=path)
    if expected is None:
        assert errors == []
    else:
        assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_the_fleet_variable_is_named_in_its_message():
    errors = cr.check_report_formats(["htm"], name="cce_fleet_report_format", path="/r.json", path_name="cce_fleet_report_path")
    assert errors == ['cce_fleet_report_format accepts json, html, markdown; "htm" is not one of them.']


def test_the_other_formats_are_written_beside_the_json_report():
    assert cr.report_paths("/r/prod-a.json", ["json", "html", "markdown"]) == {
        "json": "/r/prod-a.json", "html": "/r/prod-a.html", "markdown": "/r/prod-a.md"}
    assert cr.report_paths("/r/prod-a", ["html"]) == {"html": "/r/prod-a.html"}


def test_the_json_report_is_written_as_to_nice_json_wrote_it():
    record = upgraded_run()
    assert cr.render(record, "run", "json") == to_nice_json(record) + "\n"


def test_a_file_is_written_only_when_its_content_differs(tmp_path):
    path = str(tmp_path / "r.html")
    assert cr.write_if_changed(path, "<p>one</p>", check_mode=True) is True
    assert not (tmp_path / "r.html").exists()
    assert cr.write_if_changed(path, "<p>one</p>") is True
    assert cr.write_if_changed(path, "<p>one</p>") is False
    assert cr.write_if_changed(path, "<p>two</p>", check_mode=True) is True
    assert (tmp_path / "r.html").read_text() == "<p>one</p>"


def test_rendering_is_deterministic():
    assert cr.render(upgraded_run(), "run", "html") == cr.render(upgraded_run(), "run", "html")
    assert cr.render(fleet_report(), "fleet", "markdown") == cr.render(fleet_report(), "fleet", "markdown")


def test_unknown_kinds_and_formats_are_refused():
    with pytest.raises(ValueError, match="kind must be one of run, fleet, preflight"):
        cr.render({}, "wave", "html")
    with pytest.raises(ValueError, match="format must be one of json, html, markdown"):
        cr.render({}, "run", "pdf")


# ---------------------------------------------------------------------------------------------
# HTML

class PageParser(HTMLParser):
    """Collects the tags, checks that every opened element is closed in order, and keeps the text."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "rect", "line", "path"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors, self.text, self.attrs = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" % (tag, self.stack[-3:]))
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse_page(html):
    parser = PageParser()
    parser.feed(html)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    return parser, " ".join("".join(parser.text).split())


def assert_self_contained(html, parser):
    assert html.startswith("<!DOCTYPE html>")
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    for tag, attrs in parser.attrs:
        for name in ("src", "href"):
            assert not attrs.get(name, "#").startswith(("http:", "https:", "//", "file:")), (tag, attrs)
    assert "@import" not in html and "url(" not in html


def svgs_of(html):
    """Every inline SVG, parsed as XML (an SVG that is not well-formed fails here)."""
    found = re.findall(r"<svg .*?</svg>", html, flags=re.S)
    return [ElementTree.fromstring(svg) for svg in found]


SVG = "{http://www.w3.org/2000/svg}"


def test_the_html_record_of_a_run_shows_plan_times_items_risks_and_ids():
    html = cr.render(upgraded_run(), "run", "html")
    parser, text = parse_page(html)
    assert_self_contained(html, parser)
    assert "Change record: upgrade of prod-a" in text
    for value in ("6b2e6b4c-5a0e-11ee-8d8e-0255ac100b04", "wf-1", "pc-1", "snap-1", "up-1", "CHG-1042",
                  "alice@example.com", "v1.29.4-r0", "v1.30.14-r10", "upgraded"):
        assert value in text, value
    # start and end in UTC and in the window's time zone (Berlin, summer time: UTC+2)
    assert "2026-06-13 02:00:00 UTC" in text and "2026-06-13 04:00:00 CEST" in text
    assert "2026-06-13 02:13:20 UTC" in text
    # every step with its duration, in the order it ran
    rows = re.findall(r"<tr><td>(\w+)</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td></tr>", html)
    assert [name for name, _duration in rows] == list(DURATIONS)
    assert dict(rows)["wait"] == "10 min 00 s" and dict(rows)["guard"] == "2.0 s"
    # pre-check items by level, accepted risks and who accepted them
    assert "deprecated-api-check" in text and "node-os-check" in text
    assert re.search(r"node-pod-check</td><td>-</td><td>n-7</td><td>alice@example.com</td><td>CHG-1042", html)
    assert "failure" not in [attrs.get("class") for _tag, attrs in parser.attrs]
    (chart,) = svgs_of(html)
    assert len(chart.findall(".//%srect[@class='step']" % SVG)) == len(DURATIONS)


def test_the_html_record_of_a_failed_run_names_the_step_the_reason_and_what_to_do_next():
    html = cr.render(failed_run(), "run", "html")
    parser, text = parse_page(html)
    assert_self_contained(html, parser)
    assert "Failed in step wait." in text
    assert "kubelet did not become ready" in text
    assert "What to do next: " + cr.NEXT_ACTIONS["wait"] in text
    (chart,) = svgs_of(html)
    failed = chart.findall(".//%srect[@class='step failed']" % SVG)
    assert [rect.get("data-step") for rect in failed] == ["wait"]
    assert failed[0].get("fill") == cr.FAILED_COLOUR
    assert chart.findall(".//%spath[@class='failure-mark']" % SVG)
    # no time zone given: UTC only
    assert "CEST" not in text and "start (UTC)" in text


def test_every_hop_is_shown_and_the_failure_names_its_hop():
    record = multi_hop_run()
    html = cr.render(record, "run", "html")
    parser, text = parse_page(html)
    assert_self_contained(html, parser)
    assert "Hop 1: v1.23.8-r0 → v1.23.17-r0" in text and "Hop 2: v1.23.17-r0 → v1.25.16-r10" in text
    assert "wf-a" in text and "wf-b" in text and "up-a" in text
    assert "Failed in step precheck of hop 2." in text
    (chart,) = svgs_of(html)
    bars = chart.findall(".//%sg[@class='bar']" % SVG)
    assert len(bars) == 2  # one bar per hop
    failed = chart.findall(".//%srect[@class='step failed']" % SVG)
    assert len(failed) == 1 and failed[0].get("data-step") == "precheck"
    # hop 1's pre-check passed: only hop 2's is red
    assert sum(1 for rect in chart.iter(SVG + "rect") if rect.get("data-step") == "precheck") == 2


def test_a_report_without_hops_is_one_hop():
    run = cr.read_run(upgraded_run())
    assert len(run["hops"]) == 1
    hop = run["hops"][0]
    assert (hop["from"], hop["to"], hop["workflow_id"], hop["task_id"]) == ("v1.29.4-r0", "v1.30.14-r10", "wf-1", "up-1")
    assert [s["name"] for s in hop["steps"]] == list(DURATIONS)
    assert hop["steps"][0]["start"] == parse_timestamp(upgraded_run()["step_times"][0]["start"])


def test_hop_steps_may_be_a_mapping_or_only_durations():
    report = role_result(hops=[{"from": "a", "to": "b", "steps": {"upgrade": {"started": iso_utc(T0), "ended": iso_utc(T0 + 5)}}},
                               {"from": "b", "to": "c", "durations": {"upgrade": 7.0}}])
    hops = cr.read_run(report)["hops"]
    assert hops[0]["steps"][0]["duration"] == 5.0 and hops[0]["steps"][0]["name"] == "upgrade"
    assert hops[1]["steps"] == [{"name": "upgrade", "start": None, "end": None, "duration": 7.0, "outcome": None,
                                 "failed": False}]


def test_the_html_record_of_a_fleet_has_the_summary_and_one_timeline_bar_per_cluster():
    report = fleet_report()
    html = cr.render(report, "fleet", "html")
    parser, text = parse_page(html)
    assert_self_contained(html, parser)
    assert "11 clusters to v1.30: 9 upgraded, 1 failed, 1 not_run" in text
    # counts by outcome and by batch
    assert re.search(r"upgraded</span></td><td>9</td>", html) and re.search(r"failed</span></td><td>1</td>", html)
    assert re.search(r"<td>2</td><td><span[^<]*>upgraded</span> 8, <span[^<]*>failed</span> 1</td><td>fleet-002, fleet-003, fleet-004",
                     html)
    (chart,) = svgs_of(html)
    bars = chart.findall(".//%sg[@class='bar']" % SVG)
    assert [cluster_bar.get("data-cluster") for cluster_bar in bars] == [row["cluster"] for row in report["clusters"]]
    outcomes = dict((cluster_bar.get("data-cluster"), cluster_bar.get("data-outcome")) for cluster_bar in bars)
    assert outcomes["fleet-004"] == "failed" and outcomes["fleet-001"] == "upgraded" and outcomes["fleet-late"] == "not_run"
    failed_row = [cluster_bar for cluster_bar in bars if cluster_bar.get("data-cluster") == "fleet-004"][0]
    assert [r.get("data-step") for r in failed_row.iter(SVG + "rect") if "failed" in r.get("class")] == ["precheck"]
    ok_row = bars[0]
    assert [r.get("data-step") for r in ok_row.iter(SVG + "rect")] == [
        "guard", "workflow", "precheck", "upgrade", "wait", "postcheck", "verify"]
    # later clusters start further right (the time axis is shared)
    first_x = [float(next(cluster_bar.iter(SVG + "rect")).get("x")) for cluster_bar in bars[:10]]
    assert first_x == sorted(first_x) and first_x[0] < first_x[-1]
    # per cluster details
    assert 'id="cluster-fleet-004"' in html and "fleet-late" in text


def test_a_fleet_cluster_with_several_hops_shows_them_in_its_bar():
    report = fleet_report(2)
    report["clusters"][1]["report"] = multi_hop_run()
    report["clusters"][1]["outcome"] = "failed"
    html = cr.render(report, "fleet", "html")
    parse_page(html)
    (chart,) = svgs_of(html)
    cluster_bar = [b for b in chart.findall(".//%sg[@class='bar']" % SVG) if b.get("data-cluster") == "fleet-002"][0]
    assert len(cluster_bar.findall("%sline[@class='hop-mark']" % SVG)) == 1
    assert "failed in precheck (2 hops)" in "".join(cluster_bar.itertext())


def test_a_fleet_with_waves_counts_by_wave():
    report = fleet_report(3)
    for row, wave in zip(report["clusters"], ["dev", "prod", "prod", None]):
        row.pop("batch")
        row["wave"] = wave
    html = cr.render(report, "fleet", "html")
    assert re.search(r"<th>wave</th><th>outcomes</th><th>clusters</th>", html)
    assert re.search(r"<td>prod</td><td>.*?</td><td>fleet-002, fleet-003</td>", html)


def test_the_readiness_record_lists_every_cluster_with_its_verdict_and_items():
    html = cr.render(preflight_report(), "preflight", "html")
    parser, text = parse_page(html)
    assert_self_contained(html, parser)
    assert "Readiness of 3 clusters for v1.30: 1 blocked, 1 ready, 1 risks" in text
    assert re.search(r"risky-a</td><td>Fatal</td><td>kube-proxy-check</td><td>&lt;fix&gt; the proxy mode", html)
    assert "prod-b</td><td>Warning</td><td>deprecated-api-check" in html


def test_text_from_the_report_is_escaped():
    html = cr.render(upgraded_run(cluster_name="<b>x</b>", message='a "quoted" <i>msg</i>'), "run", "html")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<i>msg</i>" not in html


def test_a_report_missing_everything_still_renders():
    for kind in cr.REPORT_KINDS:
        for fmt in ("html", "markdown"):
            assert cr.render({}, kind, fmt)


# ---------------------------------------------------------------------------------------------
# Markdown

def tables_of(markdown):
    """Each table of the Markdown as a list of rows of cell texts, as markdown-it parses them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    tables, row, rows, cell = [], None, None, None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            cell = []
        elif token.type == "inline" and cell is not None:
            cell.append("".join(child.content for child in token.children or [] if child.type in ("text", "code_inline")))
        elif token.type in ("th_close", "td_close"):
            row.append("".join(cell))
            cell = None
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "table_close":
            tables.append(rows)
    return tables, tokens


def headings_of(tokens):
    out = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            out.append((token.tag, tokens[index + 1].content))
    return out


def assert_tables_are_regular(tables):
    for table in tables:
        assert len(set(len(row) for row in table)) == 1, table


def test_the_markdown_record_of_a_run_parses_into_headings_and_tables():
    markdown = cr.render(upgraded_run(), "run", "markdown")
    tables, tokens = tables_of(markdown)
    assert_tables_are_regular(tables)
    headings = headings_of(tokens)
    assert headings[0] == ("h1", "Change record: upgrade of prod-a")
    assert ("h3", "Hop 1: v1.29.4-r0 → v1.30.14-r10 (upgraded)") in headings
    assert ("h3", "Accepted risks") in headings and ("h3", "Pre-check items") in headings
    facts = dict((row[0], row[1]) for row in tables[0][1:])
    assert facts["Outcome"] == "upgraded"
    assert facts["Started"] == "2026-06-13 02:00:00 UTC (2026-06-13 04:00:00 CEST)"
    steps = [t for t in tables if t[0][0] == "step"][0]
    assert steps[0] == ["step", "start (UTC)", "end (UTC)", "start (Europe/Berlin)", "end (Europe/Berlin)", "duration"]
    assert [row[0] for row in steps[1:]] == list(DURATIONS)
    risks = [t for t in tables if t[0][0] == "item"][0]
    assert risks[2] == ["node-pod-check", "-", "n-7", "alice@example.com", "CHG-1042"]


def test_the_markdown_record_of_a_failed_run_quotes_the_reason_and_next_step():
    markdown = cr.render(failed_run(), "run", "markdown")
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    quoted = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "blockquote_open"]
    assert quoted and quoted[0] == "**Failed in step wait.**"
    text = " ".join(t.content for t in tokens if t.type == "inline")
    assert "kubelet did not become ready" in text
    assert "cce\\_upgrade\\_retry\\_failed" in text  # escaped, so it renders as written


def test_the_markdown_record_of_a_fleet_and_of_a_preflight_parse():
    tables, tokens = tables_of(cr.render(fleet_report(), "fleet", "markdown"))
    assert_tables_are_regular(tables)
    assert tables[0][0] == ["outcome", "clusters"] and ["failed", "1"] in tables[0]
    clusters = [t for t in tables if t[0][0] == "cluster"][0]
    assert len(clusters) == 12 and clusters[4][0] == "fleet-004" and clusters[4][4] == "failed"
    assert ("h2", "fleet-004: failed") in headings_of(tokens)

    tables, tokens = tables_of(cr.render(preflight_report(), "preflight", "markdown"))
    assert_tables_are_regular(tables)
    items = [t for t in tables if t[0][0] == "cluster" and t[0][1] == "level"][0]
    # a pipe in the text stays inside its cell
    assert items[1] == ["prod-b", "Warning", "deprecated-api-check", "2 deprecated APIs | in use"]
    assert items[2][3] == "<fix> the proxy mode"


def test_a_multi_hop_markdown_record_has_a_section_per_hop():
    markdown = cr.render(multi_hop_run(), "run", "markdown")
    tables, tokens = tables_of(markdown)
    assert_tables_are_regular(tables)
    heads = [text for tag, text in headings_of(tokens) if text.startswith("Hop")]
    assert heads == ["Hop 1: v1.23.8-r0 → v1.23.17-r0 (upgraded)", "Hop 2: v1.23.17-r0 → v1.25.16-r10 (failed)"]


def test_input_is_not_changed_by_rendering():
    record = upgraded_run()
    before = copy.deepcopy(record)
    cr.render(record, "run", "html")
    cr.render(record, "run", "markdown")
    assert record == before


def test_the_run_ends_no_earlier_than_its_last_step():
    # durations are rounded to 0.1 s: verify started at T0+10 and "took" 0.1 s, the end was read at T0+10.06
    record = cr.run_record(role_result(durations={"verify": 0.1}), started=T0, ended=T0 + 10.06,
                           last_step="verify", last_started=T0 + 10)
    assert record["step_times"][-1]["end"] == iso_utc(T0 + 10.1) == record["ended"]


def test_hops_with_durations_only_get_step_times_back_to_back_in_run_order():
    hops = [{"from": "v1.23.8-r0", "to": "v1.23.17-r30", "durations": {"wait": 4.0, "guard": 1.0, "upgrade": 2.0}},
            {"from": "v1.23.17-r30", "to": "v1.28.15-r30", "durations": {"verify": 1.0, "guard": 1.0, "wait": 3.0}}]
    record = cr.run_record({"durations": {"guard": 2.0, "upgrade": 2.0, "wait": 7.0, "verify": 1.0},
                            "hops": hops}, started=1000.0, ended=1012.0)
    first, second = record["hops"]
    assert [s["step"] for s in first["step_times"]] == ["guard", "upgrade", "wait"]
    assert [s["step"] for s in second["step_times"]] == ["guard", "wait", "verify"]
    assert first["step_times"][0]["start"] == "1970-01-01T00:16:40.000Z"  # 1000 s: the run's first step
    assert first["step_times"][-1]["end"] == second["step_times"][0]["start"]
    assert second["step_times"][-1]["end"] == record["step_times"][-1]["end"]
    assert hops[0].get("step_times") is None  # the input is left as it was
    html = cr.render_run_html(record)
    assert html.count('<g class="bar"') == 2  # one timeline bar per hop


def test_a_run_of_one_hop_with_durations_only_keeps_its_timeline():
    hops = [{"from": "v1.29.4-r0", "to": "v1.30.14-r10", "durations": {"guard": 1.0, "upgrade": 2.0, "wait": 4.0}}]
    record = cr.run_record({"durations": {"guard": 1.0, "upgrade": 2.0, "wait": 4.0}, "hops": hops},
                           started=1000.0, ended=1007.0)
    (hop,) = record["hops"]
    assert hop["step_times"] == record["step_times"]
    html = cr.render_run_html(record)
    assert html.count('<rect class="step"') == 3  # one segment per step of the single hop


def test_fleet_waves_keep_the_rollout_order_and_a_run_without_waves_counts_by_batch():
    report = fleet_report(3)
    for row, wave in zip(report["clusters"], ["staging", "prod", "prod", "dev"]):
        row["wave"] = wave
    html = cr.render(report, "fleet", "html")
    assert html.index("<td>staging</td>") < html.index("<td>prod</td>") < html.index("<td>dev</td>")
    # the fleet playbook gives every row a wave, empty without cce_fleet_waves: the batches are counted then
    for row in report["clusters"]:
        row["wave"] = ""
    assert re.search(r"<th>batch</th><th>outcomes</th><th>clusters</th>", cr.render(report, "fleet", "html"))
