# Fixtures live in rcm_shared.testing.fixtures (never import from conftest files).
pytest_plugins = ["rcm_devstack.pytest_plugin", "rcm_shared.testing.fixtures", "rcm_cli.testing"]
