"""What the benchmarks record about the machine they ran on, read from /proc."""

import contextlib
import os
import platform
from pathlib import Path


def cpu_model():
    """The CPU's model name ("" when /proc/cpuinfo does not say)."""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return ""


def memory_gib():
    """The machine's memory in GiB, one decimal (None when unknown)."""
    with contextlib.suppress(OSError, ValueError, IndexError), open("/proc/meminfo") as handle:
        return round(int(handle.readline().split()[1]) / 1048576, 1)
    return None


def other_cpu_seconds():
    """CPU seconds used so far by the whole machine minus this process."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    busy = sum(int(value) for value in fields) - int(fields[3]) - int(fields[4])  # not idle
    return busy / ticks - sum(os.times()[:2])


def basics():
    """Cores, CPU model and Python version: what a single-process benchmark records."""
    return {"cores": os.cpu_count(), "cpu": cpu_model() or platform.processor(),
            "python": platform.python_version()}  # fmt: skip
