"""Two caches for the integration tests' ansible runs: the same module code, built and compiled once.

The integration harness (tests/integration/module_cache.py) puts this directory on ``PYTHONPATH`` and
names a cache directory in ``HWCLOUD_CCE_TEST_MODULE_CACHE``. Python imports this file at start-up in
every process of an ansible run; without the variable it does nothing.

1. **The module payloads** (the controller). To run a module, ansible builds its AnsiballZ zip: it
   parses the module and every module_util it imports, recursively, to find what to pack. The zip is
   cached under ansible's local temporary directory, which is new for every ``ansible`` process, so
   each run of the suite's few hundred builds every module again (about 0.8 CPU s for one ad-hoc
   module run). Here ``ansible.executor.module_common`` sees ``<cache>`` as its local temporary
   directory, so that its ``ansiballz_cache`` is shared by the runs of one test session. Ansible's
   own locking and file names are used unchanged; a payload is keyed by the module's name, and the
   directory lives as long as the session, whose sources do not change.
2. **The compiled module_utils** (the module processes). A module runs from that zip, where Python's
   zipimport finds no ``.pyc``: every module process compiled ansible-core's module_utils and this
   collection's from source, about a third of a module run's CPU. Here zipimport's compile step reads
   the code object of a source it has compiled before from ``<cache>/bytecode``, keyed by the source's
   SHA-256 and the interpreter's bytecode magic number: a changed file is compiled again, and a syntax
   error is raised as before. The cached code gets the path of the zip it is imported from now, so a
   traceback names the module's own payload as it would without the cache.
"""

import hashlib
import importlib.abc
import importlib.util
import marshal
import os
import sys
import zipimport

CACHE_DIR = os.environ.get("HWCLOUD_CCE_TEST_MODULE_CACHE")
PAYLOAD_BUILDER = "ansible.executor.module_common"
compile_source = zipimport._compile_source  # pylint: disable=protected-access


def with_filename(code, filename):
    """``code`` and every code object nested in it, with ``co_filename`` set to ``filename``."""
    consts = tuple(with_filename(const, filename) if isinstance(const, type(code)) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def compile_source_cached(pathname, source):
    """zipimport's compile step, reading the code object from the cache when the source was seen."""
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + source).hexdigest()
    path = os.path.join(CACHE_DIR, "bytecode", key)
    try:
        with open(path, "rb") as cached:
            code = marshal.loads(cached.read())
    except (OSError, EOFError, ValueError, TypeError):
        code = compile_source(pathname, source)
        partial = "%s.%d" % (path, os.getpid())
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(partial, "wb") as out:
                out.write(marshal.dumps(code))
            os.replace(partial, path)  # atomic: parallel processes never read half a file
        except OSError:
            pass
        return code
    return with_filename(code, pathname)


class ConstantsWithSharedTemp:
    """ansible.constants as the payload builder reads it, with ``DEFAULT_LOCAL_TMP`` the shared cache."""

    def __init__(self, constants, local_tmp):
        self._constants = constants
        self.DEFAULT_LOCAL_TMP = local_tmp  # pylint: disable=invalid-name

    def __getattr__(self, name):
        return getattr(self._constants, name)


class ShareThePayloadCache(importlib.abc.MetaPathFinder):
    """Finds the payload builder's module once, and hands it the shared cache after its import."""

    def find_spec(self, fullname, path, target=None):  # pylint: disable=unused-argument
        if fullname != PAYLOAD_BUILDER:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        exec_module = spec.loader.exec_module

        def exec_then_share(module):
            exec_module(module)
            module.C = ConstantsWithSharedTemp(module.C, CACHE_DIR)

        spec.loader.exec_module = exec_then_share
        return spec


if CACHE_DIR:
    zipimport._compile_source = compile_source_cached  # pylint: disable=protected-access
    sys.meta_path.insert(0, ShareThePayloadCache())
