"""Every doctest in vmlib runs: an example in a docstring is a promise to the reader."""

import doctest
import importlib
import pkgutil

import pytest

import vmlib

MODULES = sorted(m.name for m in pkgutil.walk_packages(vmlib.__path__, 'vmlib.')
                 if not m.name.endswith('__main__'))


@pytest.mark.parametrize('name', MODULES)
def test_the_doctests_of(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f'{name}: {result.failed} of {result.attempted} examples fail'
