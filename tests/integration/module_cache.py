"""The module cache of the integration tests' ansible runs (``module_cache_site/sitecustomize.py`` says
what it keeps and why): ``module_cache_env`` gives an ansible run's environment the two variables."""

import os
from pathlib import Path

MODULE_CACHE_SITE = Path(__file__).resolve().parent / "module_cache_site"


def module_cache_env(env, cache_dir):
    """The variables that give every Python process of an ansible run the module cache in ``cache_dir``
    (made here; one per test session), with ``env``'s PYTHONPATH kept after the cache's directory."""
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    path = [str(MODULE_CACHE_SITE)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {"PYTHONPATH": os.pathsep.join(path), "HWCLOUD_CCE_TEST_MODULE_CACHE": str(cache_dir)}
