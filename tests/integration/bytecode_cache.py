"""The module bytecode cache of the integration tests (``bytecode_cache_site/sitecustomize.py`` says
what it does and why): ``bytecode_cache_env`` gives an ansible run's environment the two variables."""

import os
from pathlib import Path

BYTECODE_CACHE_SITE = Path(__file__).resolve().parent / "bytecode_cache_site"


def bytecode_cache_env(env, cache_dir):
    """The variables that give every Python process of an ansible run the module bytecode cache in
    ``cache_dir`` (made here), with ``env``'s PYTHONPATH kept after the cache's directory."""
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    path = [str(BYTECODE_CACHE_SITE)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {"PYTHONPATH": os.pathsep.join(path), "HWCLOUD_CCE_TEST_BYTECODE_CACHE": str(cache_dir)}
