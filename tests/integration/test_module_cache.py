"""The integration tests' module cache (module_cache_site/sitecustomize.py): payloads built once per
test session, module_utils compiled once, and nothing else changed."""

import importlib.util
import os
import subprocess
import sys
import zipimport

import pytest

from module_cache import MODULE_CACHE_SITE, module_cache_env

SOURCE = b"def outer():\n    def inner():\n        return 42\n    return inner\n"


def load_site(name):
    spec = importlib.util.spec_from_file_location(name, MODULE_CACHE_SITE / "sitecustomize.py")
    site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(site)
    return site


@pytest.fixture
def cache_site(tmp_path, monkeypatch):
    """sitecustomize.py loaded under another name with a fresh cache; zipimport and the finders restored after."""
    monkeypatch.setenv("HWCLOUD_CCE_TEST_MODULE_CACHE", str(tmp_path))
    monkeypatch.setattr(zipimport, "_compile_source", zipimport._compile_source)
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    return load_site("module_cache_site_under_test")


def run(code):
    namespace = {}
    exec(code, namespace)  # pylint: disable=exec-used
    return namespace["outer"]()


def cached_files(tmp_path):
    return os.listdir(tmp_path / "bytecode")


def test_a_source_seen_once_is_read_back_with_the_new_zip_path(cache_site, tmp_path, monkeypatch):
    assert zipimport._compile_source is cache_site.compile_source_cached
    first = cache_site.compile_source_cached("/run1/payload.zip/m.py", SOURCE)
    assert len(cached_files(tmp_path)) == 1

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
    assert len(cached_files(tmp_path)) == 2
    with pytest.raises(SyntaxError):
        cache_site.compile_source_cached("/z.zip/m.py", b"def broken(:\n")
    assert len(cached_files(tmp_path)) == 2


def test_without_the_variable_nothing_is_changed(monkeypatch):
    monkeypatch.delenv("HWCLOUD_CCE_TEST_MODULE_CACHE", raising=False)
    finders = list(sys.meta_path)
    original = zipimport._compile_source
    load_site("module_cache_site_off")
    assert zipimport._compile_source is original and sys.meta_path == finders


def test_the_payload_builder_alone_sees_the_shared_directory(tmp_path):
    env = dict(os.environ, **module_cache_env(os.environ, tmp_path / "cache"))
    code = ("import ansible.constants as C, ansible.executor.module_common as m; "
            "print(m.C.DEFAULT_LOCAL_TMP); print(C.DEFAULT_LOCAL_TMP); print(m.C.DEFAULT_MODULE_COMPRESSION)")
    shown = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    payload_tmp, own_tmp, compression = shown.stdout.split()
    assert payload_tmp == str(tmp_path / "cache")
    assert own_tmp != payload_tmp and compression == "ZIP_DEFLATED"


def test_module_runs_build_and_compile_once_and_return_what_an_uncached_run_returns(ansible, sim):
    cache = ansible.env["HWCLOUD_CCE_TEST_MODULE_CACHE"]
    payload = os.path.join(cache, "ansiballz_cache",
                           "ansible_collections.hwcloud.cce.plugins.modules.cce_cluster_upgrade_info-ZIP_DEFLATED-none")
    args = {"cluster_id": sim.cluster("prod-a")["id"]}

    def bytecode():
        return set(os.listdir(os.path.join(cache, "bytecode")))

    rc, cached_first, output = ansible.run_module("cce_cluster_upgrade_info", args)
    assert rc == 0, output
    built = os.stat(payload).st_mtime_ns
    # ansible-core's module_utils and this collection's: dozens of files
    compiled = bytecode()
    assert len(compiled) > 20, compiled
    rc, cached_again, output = ansible.run_module("cce_cluster_upgrade_info", args)
    assert rc == 0, output
    assert os.stat(payload).st_mtime_ns == built and bytecode() == compiled
    rc, uncached, output = ansible.run_module("cce_cluster_upgrade_info", args,
                                              env={"HWCLOUD_CCE_TEST_MODULE_CACHE": None, "PYTHONPATH": None})
    assert rc == 0, output
    assert cached_first == cached_again == uncached
