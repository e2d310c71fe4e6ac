"""The integration tests' module bytecode cache (bytecode_cache_site/sitecustomize.py): the module
processes read compiled code back instead of compiling it, and nothing else changes."""

import importlib.util
import os
import zipimport

import pytest

from bytecode_cache import BYTECODE_CACHE_SITE

SOURCE = b"def outer():\n    def inner():\n        return 42\n    return inner\n"


@pytest.fixture
def cache_site(tmp_path, monkeypatch):
    """sitecustomize.py loaded under another name with a fresh cache directory; zipimport restored after."""
    monkeypatch.setenv("HWCLOUD_CCE_TEST_BYTECODE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    monkeypatch.setattr(zipimport, "_compile_source", zipimport._compile_source)
    spec = importlib.util.spec_from_file_location("bytecode_cache_site_under_test", BYTECODE_CACHE_SITE / "sitecustomize.py")
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    return site


def run(code):
    namespace = {}
    exec(code, namespace)  # pylint: disable=exec-used
    return namespace["outer"]()


def test_a_source_seen_once_is_read_back_with_the_new_zip_path(cache_site, tmp_path, monkeypatch):
    assert zipimport._compile_source is cache_site.compile_source_cached
    first = cache_site.compile_source_cached("/run1/payload.zip/m.py", SOURCE)
    assert len(os.listdir(tmp_path / "cache")) == 1

    def must_not_compile(pathname, source):
        raise AssertionError("compiled again: %s" % pathname)

    monkeypatch.setattr(cache_site, "compile_source", must_not_compile)
    second = cache_site.compile_source_cached("/run2/payload.zip/m.py", SOURCE)
    inner = run(second)
    assert inner() == 42 == run(first)()
    # a traceback names the zip the module runs from now, in nested functions too
    assert second.co_filename == inner.__code__.co_filename == "/run2/payload.zip/m.py"


def test_a_changed_source_is_compiled_and_a_syntax_error_raised_as_without_the_cache(cache_site, tmp_path):
    cache_site.compile_source_cached("/z.zip/m.py", SOURCE)
    changed = cache_site.compile_source_cached("/z.zip/m.py", SOURCE.replace(b"42", b"43"))
    assert run(changed)() == 43
    assert len(os.listdir(tmp_path / "cache")) == 2
    with pytest.raises(SyntaxError):
        cache_site.compile_source_cached("/z.zip/m.py", b"def broken(:\n")
    assert len(os.listdir(tmp_path / "cache")) == 2


def test_without_the_variable_nothing_is_changed(tmp_path, monkeypatch):
    monkeypatch.delenv("HWCLOUD_CCE_TEST_BYTECODE_CACHE", raising=False)
    original = zipimport._compile_source
    spec = importlib.util.spec_from_file_location("bytecode_cache_site_off", BYTECODE_CACHE_SITE / "sitecustomize.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    assert zipimport._compile_source is original


def test_module_runs_fill_the_cache_once_and_return_what_an_uncached_run_returns(ansible, sim):
    cache = ansible.env["HWCLOUD_CCE_TEST_BYTECODE_CACHE"]
    args = {"cluster_id": sim.cluster("prod-a")["id"]}
    before = set(os.listdir(cache))
    rc, cached_first, output = ansible.run_module("cce_cluster_upgrade_info", args)
    assert rc == 0, output
    filled = set(os.listdir(cache)) - before
    # ansible-core's module_utils and this collection's: dozens of files
    assert len(filled) > 20, filled
    rc, cached_again, output = ansible.run_module("cce_cluster_upgrade_info", args)
    assert rc == 0, output
    assert set(os.listdir(cache)) == before | filled
    rc, uncached, output = ansible.run_module("cce_cluster_upgrade_info", args,
                                              env={"HWCLOUD_CCE_TEST_BYTECODE_CACHE": None, "PYTHONPATH": None})
    assert rc == 0, output
    assert cached_first == cached_again == uncached
