"""Packaging for tb_histdiag: the TensorBoard plugin, its built frontend and the CLI.

The frontend (``frontend/``) is bundled into ``tb_histdiag/static/`` by ``build_py``; a package
built without the bundle would load in TensorBoard with an empty tab, so that fails loudly instead.
"""

import os
import shutil
import subprocess

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
FRONTEND = os.path.join(HERE, "frontend")
BUNDLE = os.path.join(HERE, "tb_histdiag", "static", "index.js")


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
        if os.path.isdir(FRONTEND):
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


with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

setup(
    name="tb_histdiag",
    version="0.1.0",
    description="Health verdicts for the weight, activation and gradient histograms in TensorBoard",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.9",
    packages=find_packages(include=["tb_histdiag", "tb_histdiag.*"]),
    package_data={"tb_histdiag": ["static/*", "static/**/*"]},
    include_package_data=True,
    install_requires=[
        "tensorboard>=2.12",
        "werkzeug>=2.2",
        "numpy>=1.22",
        "protobuf>=3.20",
    ],
    extras_require={
        "demo": ["tensorboardX>=2.6", "crc32c>=2.3"],
        "test": [
            "pytest>=8",
            "hypothesis>=6.100",
            "playwright>=1.50",
            "jsonschema>=4",
            "tensorboardX>=2.6",
            "crc32c>=2.3",
            "torch==2.13.0",
            "lightning>=2.0",
        ],
        "dev": ["ruff>=0.6"],
    },
    entry_points={
        "tensorboard_plugins": ["tb_histdiag = tb_histdiag.plugin:HistDiagPlugin"],
        "console_scripts": ["tb-histdiag = tb_histdiag.cli:main"],
    },
    cmdclass={"build_py": BuildFrontendThenPy},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
