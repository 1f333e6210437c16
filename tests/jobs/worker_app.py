"""The app a test's worker process runs: the real configuration plus the tests' jobs."""

from participation import create_app
from tests.jobs import jobs_for_tests  # noqa: F401 - declares the jobs

app = create_app()
