"""A bytecode cache for the module processes of the integration tests.

Ansible runs a module from a zip file (the AnsiballZ payload). Python's zipimport finds no ``.pyc``
there, so every module process compiles ansible-core's module_utils and this collection's from source:
about a third of the CPU of one module run, repeated in every one of the suite's few thousand module
runs. The integration harness puts this directory on ``PYTHONPATH`` with
``HWCLOUD_CCE_TEST_BYTECODE_CACHE`` naming a cache directory; Python imports this file at start-up in
every process of the run (the module processes included), and it wraps zipimport's compile step: the
code object of a source already compiled once is read back from the cache instead.

Nothing else changes. The key is the source's SHA-256 and the interpreter's bytecode magic number, so a
changed file is compiled again (and a syntax error raised as before). The cached code is given the path
of the zip it is imported from now, so a traceback names the module's own payload as it would without
the cache. Without the variable, this file does nothing.
"""

import hashlib
import importlib.util
import marshal
import os
import zipimport

CACHE_DIR = os.environ.get("HWCLOUD_CCE_TEST_BYTECODE_CACHE")
compile_source = zipimport._compile_source  # pylint: disable=protected-access


def with_filename(code, filename):
    """``code`` and every code object nested in it, with ``co_filename`` set to ``filename``."""
    consts = tuple(with_filename(const, filename) if isinstance(const, type(code)) else const
                   for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def compile_source_cached(pathname, source):
    """zipimport's compile step, reading the code object from the cache when the source was seen."""
    key = hashlib.sha256(importlib.util.MAGIC_NUMBER + source).hexdigest()
    path = os.path.join(CACHE_DIR, key)
    try:
        with open(path, "rb") as cached:
            code = marshal.loads(cached.read())
    except (OSError, EOFError, ValueError, TypeError):
        code = compile_source(pathname, source)
        partial = "%s.%d" % (path, os.getpid())
        try:
            with open(partial, "wb") as out:
                out.write(marshal.dumps(code))
            os.replace(partial, path)  # atomic: parallel processes never read half a file
        except OSError:
            pass
        return code
    return with_filename(code, pathname)


if CACHE_DIR:
    zipimport._compile_source = compile_source_cached  # pylint: disable=protected-access
