"""The process test shares the jobs tests' fixtures: a file database and the CLI runner."""

from jobs.conftest import database_url, processes  # noqa: F401 - fixtures
