"""Lets `pytest autograder --submission NB.ipynb` grade a notebook with the checks.

The hooks and fixtures live in `autograder.plugin`; this only registers it (once: the CLI may
already have loaded it with `-p autograder.plugin`). `pytest_addoption` is a historic hook, so
the plugin registered here still gets to add its options.
"""

import pytest


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    if not pluginmanager.has_plugin("autograder.plugin"):
        pluginmanager.import_plugin("autograder.plugin")
