"""``python -m vmlib --version``: the package's version, the one pyproject.toml gives."""

import subprocess
import sys

import pytest

import vmlib


def test_version_is_pyprojects(repo_root):
    tomllib = pytest.importorskip('tomllib')        # Python 3.11+
    with open(repo_root / 'pyproject.toml', 'rb') as f:
        assert vmlib.__version__ == tomllib.load(f)['project']['version']


def test_version_option():
    p = subprocess.run([sys.executable, '-m', 'vmlib', '--version'], capture_output=True,
                       text=True, timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (0, f'vmlib {vmlib.__version__}\n', '')
