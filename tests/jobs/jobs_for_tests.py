"""Jobs the queue's tests ask for, declared in the test process and in the worker processes."""

import time
from pathlib import Path

from participation.jobs import job


@job("tests.write_file")
def write_file(folder, name, seconds=0.0):
    """Take ``seconds``, then leave a file called ``name`` (safe to run twice)."""
    time.sleep(seconds)
    Path(folder, name).write_text("done")


@job("tests.fail")
def fail(message):
    raise RuntimeError(message)
