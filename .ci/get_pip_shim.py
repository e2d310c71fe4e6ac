"""Offline stand-in for ansible-test's ``get-pip-<version>.py`` bootstrap script.

ansible-test creates its sanity/unit virtual environments ``--without-pip`` and then runs
``~/.ansible/test/cache/get_pip_<version>.py`` (downloading it from ci-files.testing.ansible.com
when the file is missing; that host is not reachable from our CI). ``.ci/run`` copies this file
to that cache path, so the bootstrap works with only PyPI available:

1. when ``.ci/steps`` wrote the Python that runs ansible-test into ``OUTER_PYTHON`` below (it
   does when it seeds this file), that Python's pip installs the exact packages ansible-test
   asked for (``pip==X.Y``) into this venv with ``pip --python``: no ensurepip, no second pip run,
   nothing to remove (a third of the CPU of the fallback, for each of the ~9 venvs of a cold
   sanity run);
2. otherwise (or if that fails), ``ensurepip`` installs the pip wheel bundled with the
   interpreter (no network), that pip installs the packages from the index, and
   ``--no-setuptools`` / ``--no-wheel`` are honoured by removing what ensurepip brought along.

ansible-test calls it as ``python get_pip.py [pip options] pip==X.Y [--no-setuptools] [--no-wheel]``.
"""

import os
import subprocess
import sys

DROP_FLAGS = ("--no-setuptools", "--no-wheel")
OUTER_PYTHON = None  # set by .ci/steps (seed_pip_shim): a Python whose pip supports --python


def main(argv):
    no_setuptools = "--no-setuptools" in argv
    no_wheel = "--no-wheel" in argv
    pip_args = [arg for arg in argv if arg not in DROP_FLAGS]

    # A venv made --without-pip has neither setuptools nor wheel: installing pip alone honours both flags.
    if OUTER_PYTHON and os.access(OUTER_PYTHON, os.X_OK):
        outer = [OUTER_PYTHON, "-m", "pip", "--python", sys.executable, "install", "-q"] + pip_args
        if subprocess.call(outer) == 0:
            return

    subprocess.check_call(
        [sys.executable, "-m", "ensurepip", "--default-pip"],
        stdout=subprocess.DEVNULL,
    )
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + pip_args)

    unwanted = []
    if no_setuptools:
        unwanted.append("setuptools")
    if no_wheel:
        unwanted.append("wheel")
    if unwanted:
        # Either may be absent (ensurepip on 3.12+ ships no setuptools): ignore the result.
        subprocess.call(
            [sys.executable, "-m", "pip", "uninstall", "-q", "-y"] + unwanted,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
