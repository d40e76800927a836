"""Packaging hook for tb_histdiag; the metadata is in pyproject.toml.

The frontend (``frontend/``) is bundled into ``tb_histdiag/static/`` by ``build_py``; a package
built without the bundle would load in TensorBoard with an empty tab, so that fails loudly instead.
An sdist carries the bundle built from the sources it carries, so building from it needs no npm.
"""

import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
FRONTEND = os.path.join(HERE, "frontend")
BUNDLE = os.path.join(HERE, "tb_histdiag", "static", "index.js")
# Present in an unpacked sdist (and only there): its bundle is part of the release.
IN_SDIST = os.path.exists(os.path.join(HERE, "PKG-INFO"))


def _newest_source_mtime():
    newest = 0.0
    for root, dirs, files in os.walk(FRONTEND):
        dirs[:] = [d for d in dirs if d not in ("node_modules", "test")]
        for name in files:
            newest = max(newest, os.path.getmtime(os.path.join(root, name)))
    return newest


class BuildFrontendThenPy(build_py):
    """Build the frontend bundle when the sources are newer, then build the Python package."""

    def run(self):
        if os.path.isdir(FRONTEND) and not IN_SDIST:
            stale = not os.path.exists(BUNDLE) or os.path.getmtime(BUNDLE) < _newest_source_mtime()
            if stale:
                npm = shutil.which("npm")
                if npm is None:
                    raise RuntimeError("building tb_histdiag needs npm (Node.js) for the frontend")
                if not os.path.isdir(os.path.join(FRONTEND, "node_modules")):
                    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
                subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)
        if not os.path.exists(BUNDLE):
            raise RuntimeError(f"frontend bundle missing: {BUNDLE}; run 'make build'")
        super().run()


setup(cmdclass={"build_py": BuildFrontendThenPy})
