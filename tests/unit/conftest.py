"""Unit-test setup: make this checkout importable as ``ansible_collections.hwcloud.cce``.

A temporary directory holding ``ansible_collections/hwcloud/cce`` (a symlink to the repository
root) is put first on ``sys.path`` at import time, before any test module is collected, so
tests can ``from ansible_collections.hwcloud.cce.plugins.module_utils.transport import ...``.
"""

import atexit
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _collection_root():
    root = tempfile.mkdtemp(prefix="hwcloud-cce-unit-")
    atexit.register(shutil.rmtree, root, True)
    namespace = os.path.join(root, "ansible_collections", "hwcloud")
    os.makedirs(namespace)
    os.symlink(REPO_ROOT, os.path.join(namespace, "cce"), target_is_directory=True)
    return root


COLLECTIONS_ROOT = _collection_root()
sys.path.insert(0, COLLECTIONS_ROOT)
