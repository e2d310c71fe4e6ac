"""The change record (issue 14): real ansible-playbook runs against the simulator write the JSON, HTML and
Markdown reports of a single upgrade, a multi-hop upgrade, a failed upgrade, a 10-cluster fleet with one failure and a pre-flight;
each HTML page is rendered in headless Chromium (Debian's ``chromium``, installed by .ci/run), whose DOM and
screenshot are checked. The screenshots are kept under tests/output/change-record/ (ignored by git)."""

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

REPO_ROOT = Path(__file__).resolve().parents[3]
UPGRADE = REPO_ROOT / "playbooks" / "upgrade.yml"
FLEET = REPO_ROOT / "playbooks" / "fleet_upgrade.yml"
PREFLIGHT = REPO_ROOT / "playbooks" / "preflight.yml"
ARTIFACTS = REPO_ROOT / "tests" / "output" / "change-record"
ALL_FORMATS = ["json", "html", "markdown"]
# Keep the role quick: poll every second, bounded waits.
ROLE_VARS = {"cce_upgrade_poll_interval": 1, "cce_upgrade_precheck_timeout": 60, "cce_upgrade_timeout": 120}
# Saturday 02:00-06:00 in Berlin; the run's times are shown in UTC and in this zone.
WINDOW = {"weekdays": ["sat"], "start": "02:00", "duration": 240, "timezone": "Europe/Berlin"}
RUN_ORDER = ["guard", "workflow", "precheck", "snapshot", "upgrade", "wait", "postcheck", "verify"]
FLEET_CLUSTERS = ["prod-a", "prod-b", "prod-c", "legacy-a", "stale-a", "ancient-a", "ap-a", "ap-b", "ap-c", "risky-a"]


def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "headless Chromium is needed: apt-get install -y chromium (.ci/run installs it)"
    return path


def png_size(path):
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG: %s" % path
    return struct.unpack(">II", data[16:24])


def render_in_chromium(html_path, name, tmp_path, height=1400):
    """Open the page in headless Chromium; return its DOM as the browser serialises it. The screenshot is
    kept as a test artifact under tests/output/change-record/NAME.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / ("%s.png" % name)
    if screenshot.exists():
        screenshot.unlink()
    proc = subprocess.run(
        [chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
         "--user-data-dir=%s" % (tmp_path / ("chromium-%s" % name)), "--window-size=1100,%d" % height,
         "--screenshot=%s" % screenshot, "--dump-dom", Path(html_path).resolve().as_uri()],
        capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    dom = proc.stdout
    assert dom.lstrip().startswith("<!DOCTYPE html>") and dom.rstrip().endswith("</html>"), dom[:500]
    assert screenshot.exists(), proc.stderr[-3000:]
    assert png_size(screenshot) == (1100, height)
    assert screenshot.stat().st_size > 20000  # a blank page compresses to a few KB
    return dom


def text_of(dom):
    return " ".join(re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", dom, flags=re.S)).split())


def markdown_tables(text):
    """Rows of cells of every Markdown table, as markdown-it parses them; every table is regular."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables, rows, row = [], None, None
    for token in tokens:
        if token.type == "table_open":
            rows = []
        elif token.type == "tr_open":
            row = []
        elif token.type == "inline" and row is not None:
            row.append(token.content)
        elif token.type == "tr_close":
            rows.append(row)
            row = None
        elif token.type == "table_close":
            assert len(set(len(r) for r in rows)) == 1, rows
            tables.append(rows)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    return tables, headings


def test_a_single_upgrade_writes_the_json_html_and_markdown_change_record(ansible, sim, tmp_path):
    report = tmp_path / "prod-a.json"
    variables = dict(ROLE_VARS, cce_upgrade_cluster_id=sim.cluster("prod-a")["id"], cce_upgrade_target_version="v1.30",
                     cce_upgrade_report_path=str(report), cce_upgrade_report_format=ALL_FORMATS,
                     cce_upgrade_change_id="CHG-1042", cce_upgrade_requested_by="alice@example.com",
                     cce_upgrade_skipped_check_items=["node-disk-check"],
                     cce_upgrade_window=WINDOW, cce_upgrade_now="2026-06-13T02:30:00+02:00")
    proc = ansible.run_playbook(UPGRADE, variables)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]

    # The JSON report keeps its keys and gains the timestamps and the accepted risks.
    result = json.loads(report.read_text())
    assert result["outcome"] == "upgraded" and result["to_version"] == "v1.30.14-r10"
    assert set(result["durations"]) == set(RUN_ORDER)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", result["started"]) and result["ended"] >= result["started"]
    assert [s["step"] for s in result["step_times"]] == RUN_ORDER  # the order they ran in
    for before, after in zip(result["step_times"], result["step_times"][1:]):
        assert before["end"] == after["start"]
    assert result["started"] <= result["step_times"][0]["start"] and result["step_times"][-1]["end"] <= result["ended"]
    assert result["accepted_risks"] == [{"name": "node-disk-check", "node_ids": [], "level": None,
                                         "accepted_by": "alice@example.com", "change_id": "CHG-1042"}]
    assert result["change_id"] == "CHG-1042" and result["timezone"] == "Europe/Berlin"

    html = report.with_suffix(".html")
    dom = render_in_chromium(html, "single-upgrade", tmp_path)
    text = text_of(dom)
    assert "Change record: upgrade of prod-a" in text
    for value in (result["workflow_id"], result["task_id"], result["precheck_task_id"], result["snapshot_task_id"],
                  "CHG-1042", "alice@example.com", "node-disk-check", "v1.29.4-r0", "v1.30.14-r10"):
        assert value in text, value
    assert re.search(r"\d\d:\d\d:\d\d UTC", text) and re.search(r"\d\d:\d\d:\d\d CES?T", text)  # the window's zone
    assert len(re.findall(r'<rect class="step"', dom)) == 8
    assert "<script" not in html.read_text()

    tables, headings = markdown_tables(report.with_suffix(".md").read_text())
    assert headings[0] == "Change record: upgrade of prod-a"
    steps = [t for t in tables if t[0][0] == "step"][0]
    assert [row[0] for row in steps[1:]] == RUN_ORDER


def test_a_multi_hop_upgrade_records_every_hop(ansible, sim, tmp_path):
    report = tmp_path / "ancient-a.json"
    variables = dict(ROLE_VARS, cce_upgrade_cluster_id=sim.cluster("ancient-a")["id"], cce_upgrade_target_version="v1.28",
                     cce_upgrade_snapshot=False, cce_upgrade_report_path=str(report),
                     cce_upgrade_report_format=ALL_FORMATS, cce_upgrade_change_id="CHG-88")
    proc = ansible.run_playbook(UPGRADE, variables)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    result = json.loads(report.read_text())
    assert [(hop["from"], hop["to"], hop["outcome"]) for hop in result["hops"]] == [
        ("v1.23.8-r0", "v1.23.17-r30", "upgraded"), ("v1.23.17-r30", "v1.28.15-r30", "upgraded")]
    first, second = result["hops"]
    assert first["task_id"] and second["task_id"] and first["task_id"] != second["task_id"]

    dom = render_in_chromium(report.with_suffix(".html"), "multi-hop-upgrade", tmp_path)
    text = text_of(dom)
    assert "Change record: upgrade of ancient-a" in text
    assert "Hop 1: v1.23.8-r0 → v1.23.17-r30" in text and "Hop 2: v1.23.17-r30 → v1.28.15-r30" in text
    for value in (first["workflow_id"], first["task_id"], second["workflow_id"], second["task_id"], "CHG-88"):
        assert value in text, value
    assert len(re.findall(r'<g class="bar"', dom)) == 2  # one timeline bar per hop

    markdown = report.with_suffix(".md").read_text()
    tables, headings = markdown_tables(markdown)
    assert headings[0] == "Change record: upgrade of ancient-a"
    assert any("Hop 1: v1.23.8-r0 → v1.23.17-r30" in heading for heading in headings), headings
    assert any("Hop 2: v1.23.17-r30 → v1.28.15-r30" in heading for heading in headings), headings


def test_a_failed_upgrade_records_the_step_the_reason_and_what_to_do_next(ansible, sim, tmp_path):
    report = tmp_path / "risky-a.json"
    variables = dict(ROLE_VARS, cce_upgrade_cluster_id=sim.cluster("risky-a")["id"], cce_upgrade_target_version="v1.30",
                     cce_upgrade_report_path=str(report), cce_upgrade_report_format=["html", "markdown"],
                     cce_upgrade_change_id="CHG-7", cce_upgrade_requested_by="bob")
    proc = ansible.run_playbook(UPGRADE, variables)
    assert proc.returncode != 0
    assert not report.exists()  # json was not asked for
    dom = render_in_chromium(report.with_suffix(".html"), "failed-upgrade", tmp_path)
    text = text_of(dom)
    assert "Failed in step precheck." in text
    assert "deprecated-api-check" in text  # the fatal item, in the reason and in the items by level
    assert re.search(r"<td>Fatal</td><td>deprecated-api-check</td>", dom)
    assert "What to do next: Nothing was upgraded. Fix the fatal pre-check items" in text
    assert re.findall(r'<rect class="step failed" data-step="(\w+)"', dom) == ["precheck"]
    assert 'class="failure-mark"' in dom

    markdown = report.with_suffix(".md").read_text()
    tables, headings = markdown_tables(markdown)
    assert "> **Failed in step precheck.**" in markdown
    assert ["Fatal", "deprecated-api-check"] == [t for t in tables if t[0][0] == "level"][0][1][:2]


def test_a_fleet_of_ten_with_one_failure_gets_a_summary_and_a_timeline(ansible, sim, tmp_path):
    inventory = tmp_path / "fleet.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url,
                                         "name_patterns": FLEET_CLUSTERS}))
    report = tmp_path / "fleet.json"
    variables = dict(ROLE_VARS, cce_upgrade_snapshot=False, cce_fleet_hosts=":".join(FLEET_CLUSTERS),
                     cce_fleet_serial=[1, "100%"], cce_fleet_max_fail_percentage=100,
                     cce_fleet_report_path=str(report), cce_fleet_report_format=ALL_FORMATS)
    proc = ansible.run_playbook(FLEET, extra_vars=variables, timeout=600,
                                extra_args=["-i", str(inventory), "-f", "5"])
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "1 of 10 clusters failed or were not run: risky-a" in output, output[-3000:]
    rows = dict((row["cluster"], row) for row in json.loads(report.read_text())["clusters"])
    assert sorted(rows) == sorted(FLEET_CLUSTERS)
    assert rows["risky-a"]["outcome"] == "failed"
    assert rows["prod-a"]["report"]["step_times"]  # each cluster's own change record

    dom = render_in_chromium(report.with_suffix(".html"), "fleet-report", tmp_path, height=1500)
    text = text_of(dom)
    assert "10 clusters to next minor: 9 upgraded, 1 failed" in text
    bars = re.findall(r'<g class="bar" data-cluster="([\w-]+)" data-outcome="(\w+)">', dom)
    assert bars == [(name, "failed" if name == "risky-a" else "upgraded") for name in FLEET_CLUSTERS]
    # one segment per step; the failed cluster's pre-check is marked
    assert re.findall(r'<rect class="step failed" data-step="(\w+)"', dom) == ["precheck"]
    assert len(re.findall(r'<rect class="step" data-step="wait"', dom)) == 9
    assert "<svg" in dom and 'class="failure-mark"' in dom

    tables, headings = markdown_tables(report.with_suffix(".md").read_text())
    summary = tables[0]
    assert summary[0] == ["outcome", "clusters"] and ["upgraded", "9"] in summary and ["failed", "1"] in summary
    assert "risky-a: failed" in headings


def test_the_preflight_writes_a_readiness_record(ansible, sim, tmp_path):
    inventory = tmp_path / "preflight.cce_clusters.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url,
                                         "name_patterns": ["prod-a", "risky-a"]}))
    report = tmp_path / "preflight.json"
    variables = dict(ROLE_VARS, cce_fleet_hosts="prod-a:risky-a", cce_fleet_target_version="v1.30",
                     cce_fleet_report_path=str(report), cce_fleet_report_format=ALL_FORMATS)
    proc = ansible.run_playbook(PREFLIGHT, extra_vars=variables, timeout=300,
                                extra_args=["-i", str(inventory), "-f", "2"])
    assert proc.returncode != 0, (proc.stdout + proc.stderr)[-3000:]
    assert json.loads(report.read_text())["clusters"]
    dom = render_in_chromium(report.with_suffix(".html"), "readiness-record", tmp_path, height=800)
    text = text_of(dom)
    assert "Readiness of 2 clusters for v1.30: 1 blocked, 1 ready" in text
    assert re.search(r"<td>risky-a</td><td>Fatal</td><td>deprecated-api-check</td>", dom)
    tables, headings = markdown_tables(report.with_suffix(".md").read_text())
    verdicts = dict((row[0], row[3]) for row in [t for t in tables if t[0][:2] == ["cluster", "from"]][0][1:])
    assert verdicts == {"prod-a": "**ready**", "risky-a": "**blocked**"}


@pytest.mark.parametrize("playbook, variables, message", [
    (UPGRADE, {"cce_upgrade_report_format": ["json", "pdf"], "cce_upgrade_report_path": "/nonexistent/r.json"},
     'cce_upgrade_report_format accepts json, html, markdown; "pdf" is not one of them.'),
    (UPGRADE, {"cce_upgrade_report_format": ["html"]},
     "cce_upgrade_report_format html writes files: set cce_upgrade_report_path"),
    (UPGRADE, {"cce_upgrade_change_id": {"ticket": 1}},
     'cce_upgrade_change_id must be text (recorded as given in the change record), got {"ticket": 1}.'),
    (FLEET, {"cce_fleet_report_format": "htm", "cce_fleet_report_path": "/nonexistent/f.json"},
     'cce_fleet_report_format accepts json, html, markdown; "htm" is not one of them.'),
    (PREFLIGHT, {"cce_fleet_report_format": ["markdown"]},
     "cce_fleet_report_format markdown writes files: set cce_fleet_report_path"),
], ids=["role-format", "role-no-path", "role-change-id", "fleet-format", "preflight-no-path"])
def test_bad_report_variables_fail_before_any_request(ansible, sim, tmp_path, playbook, variables, message):
    base = {"cce_upgrade_cluster_id": sim.cluster("prod-a")["id"], "cce_upgrade_target_version": "v1.30"} \
        if playbook == UPGRADE else {"cce_fleet_hosts": "prod-a"}
    args = []
    if playbook != UPGRADE:
        inventory = tmp_path / "one.cce_clusters.yml"
        inventory.write_text(yaml.safe_dump({"plugin": "hwcloud.cce.cce_clusters", "cce_endpoint": sim.url,
                                             "name_patterns": ["prod-a"]}))
        args = ["-i", str(inventory)]
    before = len(sim.requests())
    proc = ansible.run_playbook(playbook, dict(base, **variables), extra_args=args)
    output = " ".join((proc.stdout + proc.stderr).split())
    assert proc.returncode != 0
    assert message in output, output[-3000:]
    # the inventory plugin lists the clusters (reads); nothing else is sent
    assert [r for r in sim.requests()[before:] if "/clusters/" in r["path"] or r["method"] != "GET"] == []
