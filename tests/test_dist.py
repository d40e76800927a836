"""The release files: an sdist that carries the built frontend, a wheel built from it on a PATH
with no Node.js, and metadata that says what ``make compat``'s matrix proves.

(The wheel installed into clean venvs per TensorBoard release, then opened in a browser, is
``make compat``; ``make test`` runs its oldest and newest rows.)
"""

from __future__ import annotations

import email.parser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

import pytest

import tb_histdiag

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUNDLE = os.path.join(ROOT, "tb_histdiag", "static", "index.js")


def _compat():
    spec = importlib.util.spec_from_file_location(
        "compat", os.path.join(ROOT, "scripts", "compat.py")
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["compat"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


COMPAT = _compat()
SUPPORTED = [row for row in COMPAT.ROWS if not row.fails_with]


def _build(args: list[str], env: dict) -> str:
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-m", "build", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = out.stdout + out.stderr
    assert out.returncode == 0, log[-3000:]
    return log


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """The sdist built from this checkout, and the wheel built from that sdist with no npm."""
    out = tmp_path_factory.mktemp("dist")
    sdist_log = _build(["--sdist", "--outdir", str(out), ROOT], dict(os.environ))
    (sdist,) = out.glob("*.tar.gz")
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(sdist) as tar:
        tar.extractall(unpacked, filter="data")
    (src,) = unpacked.iterdir()
    # Frontend sources newer than the bundle: a checkout would rebuild it, an sdist must not.
    later = time.time() + 60
    for root, _dirs, files in os.walk(src / "frontend"):
        for name in files:
            os.utime(os.path.join(root, name), (later, later))
    no_node = {**os.environ, "PATH": os.path.dirname(sys.executable)}
    for tool in ("node", "npm", "npx"):
        assert shutil.which(tool, path=no_node["PATH"]) is None
    wheel_log = _build(["--wheel", "--outdir", str(out), str(src)], no_node)
    (wheel,) = out.glob("*.whl")
    return {"sdist": sdist, "wheel": wheel, "logs": sdist_log + wheel_log}


def _metadata(wheel) -> email.message.Message:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(z.read(name).decode())


def test_the_builds_print_no_warning(dists):
    lines = [line for line in dists["logs"].splitlines() if re.search(r"warn|deprecat", line, re.I)]
    assert lines == []


def test_the_wheel_carries_the_bundle_and_nothing_but_the_package(dists):
    with open(BUNDLE, "rb") as f:
        bundle = f.read()
    with zipfile.ZipFile(dists["wheel"]) as z:
        names = z.namelist()
        assert z.read("tb_histdiag/static/index.js") == bundle
        dist_info = f"tb_histdiag-{tb_histdiag.__version__}.dist-info"
        entry_points = z.read(f"{dist_info}/entry_points.txt").decode()
        licence = z.read(f"{dist_info}/licenses/LICENSE").decode()
    assert {n.split("/")[0] for n in names} == {"tb_histdiag", dist_info}
    assert "tb_histdiag/plugin.py" in names
    assert "tb_histdiag/verdicts/__init__.py" in names
    assert re.search(
        r"\[tensorboard_plugins\]\ntb_histdiag = tb_histdiag\.plugin:HistDiagPlugin", entry_points
    )
    assert re.search(r"\[console_scripts\]\ntb-histdiag = tb_histdiag\.cli:main", entry_points)
    assert "Apache License" in licence
    assert "Version 2.0, January 2004" in licence


def test_the_sdist_carries_the_bundle_licence_and_changelog(dists):
    with tarfile.open(dists["sdist"]) as tar:
        top = f"tb_histdiag-{tb_histdiag.__version__}"
        names = set(tar.getnames())
        with open(BUNDLE, "rb") as f:
            assert tar.extractfile(f"{top}/tb_histdiag/static/index.js").read() == f.read()
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "PKG-INFO", "frontend/package.json"):
        assert f"{top}/{name}" in names
    assert not any("node_modules" in n for n in names)


def test_one_version_everywhere(dists):
    version = tb_histdiag.__version__
    assert _metadata(dists["wheel"])["Version"] == version
    with open(os.path.join(ROOT, "CHANGELOG.md"), encoding="utf-8") as f:
        assert re.search(r"^## (\S+)", f.read(), re.M).group(1) == version
    out = subprocess.run(
        [sys.executable, "-m", "tb_histdiag", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout.strip() == f"tb-histdiag {version}"


def test_requirements_and_classifiers_say_what_the_matrix_tests(dists):
    meta = _metadata(dists["wheel"])
    oldest = COMPAT.ROWS[0]
    pins = dict(p.split("==") for p in oldest.pins if "==" in p)
    pins["tensorboard"] = oldest.tensorboard
    requires = sorted(meta.get_all("Requires-Dist"))
    base = sorted(r for r in requires if "extra ==" not in r)
    # The lower bounds are the oldest row's exact versions; nothing else is claimed.
    assert base == sorted(f"{name}>={version}" for name, version in pins.items())
    assert meta["License-Expression"] == "Apache-2.0"
    pythons = sorted({row.python for row in SUPPORTED}, key=lambda v: tuple(map(int, v.split("."))))
    assert meta["Requires-Python"] == f">={pythons[0]}"
    classifiers = meta.get_all("Classifier")
    declared = [
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert declared == pythons
    assert oldest.python == pythons[0]


def test_the_readme_table_is_the_matrix():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme.split("### Tested with", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+\.\d+\.\d+ \|", line)]
    assert len(rows) == len(COMPAT.ROWS)
    for line, row in zip(rows, COMPAT.ROWS):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == row.tensorboard
        assert cells[5].startswith(row.python + ".")
        assert cells[6] == (
            "yes" if not row.fails_with else f"no: TensorBoard fails (`{row.fails_with}`)"
        )
    for python in COMPAT.UNTESTED_PYTHONS:
        assert f"Python {python}" in section
