"""What importing the filter files costs every task.

Ansible's Jinja2 plugin loader imports every filter file of the collection in the worker process of
each task that calls one of its filters, before it picks the filter (docs/developing.md, "Test
timing"). A filter file must therefore not pull in, at import time, what only modules need: the
HTTP transport (and ``requests`` with it) or the large module_utils a single filter uses.
"""

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
FILTER_DIR = REPO_ROOT / "plugins" / "filter"

PROBE = """
import glob, json, os, sys
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
_AnsibleCollectionFinder(paths=[sys.argv[1]])._install()
before = set(sys.modules)
for name in sys.argv[2:]:
    __import__('ansible_collections.hwcloud.cce.plugins.filter.' + name)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def imported_by_filter_files(tmp_path):
    """The modules a fresh interpreter imports when it imports every filter file of the collection."""
    namespace = tmp_path / "ansible_collections" / "hwcloud"
    namespace.mkdir(parents=True)
    (namespace / "cce").symlink_to(REPO_ROOT, target_is_directory=True)
    names = sorted(path.stem for path in FILTER_DIR.glob("*.py"))
    assert len(names) >= 10, names
    proc = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)] + names,
                          capture_output=True, text=True, check=True)
    return set(json.loads(proc.stdout))


def test_importing_every_filter_file_does_not_import_the_http_transport(tmp_path):
    loaded = imported_by_filter_files(tmp_path)
    assert "ansible_collections.hwcloud.cce.plugins.module_utils.transport" not in loaded
    assert "requests" not in loaded


def test_module_utils_used_by_one_filter_are_not_imported_with_the_file(tmp_path):
    loaded = imported_by_filter_files(tmp_path)
    for name in ("change_record", "upgrade", "autopilot_schedule"):
        assert "ansible_collections.hwcloud.cce.plugins.module_utils." + name not in loaded
