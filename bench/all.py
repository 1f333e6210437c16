"""Every benchmark of Ruamkid, one table at the end: ``make bench`` runs this.

    .venv/bin/python bench/all.py                    # everything, full size (several hours)
    .venv/bin/python bench/all.py --quick            # everything small and short: a smoke run
    .venv/bin/python bench/all.py --only supports,search --database postgres
    .venv/bin/python bench/all.py --args townhall="--only targets --only modes"
    .venv/bin/python bench/all.py --print bench/results.json --markdown   # the table again

Each benchmark runs as its own process with its own options and writes its own JSON into this
run's directory; its module's ``result_rows(document)`` turns that JSON into rows of one shape
(bench/rows.py: benchmark, database, scenario, metric, value, unit, target, verdict). This
script prints them as one table and writes one file (bench/results.json; bench/results-quick.json
for --quick, so a smoke run never replaces measured figures) with the rows, the machine, the
load while each benchmark ran, the git commit, and every benchmark's own document.

Adding a benchmark: a script in bench/ that takes --output, --quick and --database, a
``result_rows(document)`` function in it, and one entry in BENCHMARKS below.
"""

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import host  # noqa: E402
from rows import check, format_table, markdown_table, row  # noqa: E402

WORKDIR = Path(os.environ.get("RUAMKID_BENCH_DIR", "/tmp/ruamkid-bench"))  # noqa: S108
DATABASES = ("sqlite", "postgres")


@dataclass(frozen=True)
class Benchmark:
    """One entry of the registry.

    ``selector`` is an option naming what the script measures (``--pages list_all,search``):
    benchmarks sharing a script and a selector option run as one process with the values joined,
    and each keeps the rows whose ``benchmark`` is its name.
    """

    name: str  # what --only selects, and the ``benchmark`` of its rows
    script: str  # in bench/ (or a path), run with the Python running this script
    databases: tuple = DATABASES  # where it runs unless --database says otherwise
    full_args: tuple = ()  # options of a full run (--args NAME="..." replaces them)
    quick_args: tuple = ("--quick",)  # options of a smoke run (--args replaces them too)
    selector: tuple = ()  # (option, comma-separated values)


BENCHMARKS = [
    Benchmark(
        "pages",
        "run.py",
        selector=(
            "--pages",
            "bare,list_filtered,list_all,proposal,list_all_signed_in,proposal_signed_in",
        ),
    ),
    Benchmark("search", "run.py", selector=("--pages", "search")),
    Benchmark("supports", "supports_bench.py"),
    # Its targets are set for SQLite (bench/README.md); --database postgres runs it there too.
    # Quick: one scenario (the others connect 1,000-2,000 residents for a minute each).
    Benchmark(
        "townhall",
        "townhall_run.py",
        databases=("sqlite",),
        full_args=("--only", "targets", "--only", "bare", "--only", "scale"),
        quick_args=("--quick", "--only", "targets", "--scenario", "n1000_10_per_s"),
    ),
    Benchmark("summaries", "summary_bench.py", quick_args=("--scale", "0.05", "--runs", "2")),
    # The recompute reads SQLite; the method itself does not touch a database.
    Benchmark("opinions", "opinion_bench.py", databases=("sqlite",)),
    # Fan-out of a council answer and the daily digest; SQLite only for now.
    Benchmark("notify", "notify_bench.py", databases=("sqlite",)),
    # A phone photo's processing (CPU) and the issue list while photos are uploaded.
    Benchmark("photos", "photo_bench.py", databases=("sqlite",)),
    # The map endpoint over 100,000 pins at 100 req/s, and community from pin for 100,000 pins.
    Benchmark("map", "map_bench.py"),
    # Counting a participatory budget of 100,000 ballots with both rules.
    Benchmark("budgets", "budget_bench.py"),
]


def log(message):
    print(f"[bench-all] {message}", file=sys.stderr, flush=True)


# --- planning ------------------------------------------------------------------------------


@dataclass
class Invocation:
    names: list  # the benchmarks this process measures
    script: Path
    database: str
    args: list

    @property
    def label(self):
        return f"{'+'.join(self.names)} ({self.database})"


def script_path(benchmark):
    path = Path(benchmark.script)
    return path if path.is_absolute() else BENCH / path


def plan(selected, databases, quick, extra_args):
    """The processes to run, in registry order: one per script, selector and database."""
    invocations = []
    for benchmark in selected:
        if benchmark.name in extra_args:
            args = list(extra_args[benchmark.name])
        else:
            args = list(benchmark.quick_args if quick else benchmark.full_args)
        for database in databases or benchmark.databases:
            merged = next(
                (
                    inv
                    for inv in invocations
                    if inv.script == script_path(benchmark)
                    and inv.database == database
                    and benchmark.selector
                    and benchmark.selector[0] in inv.args
                ),
                None,
            )
            if merged:
                index = merged.args.index(benchmark.selector[0]) + 1
                merged.args[index] += "," + benchmark.selector[1]
                merged.names.append(benchmark.name)
                continue
            invocations.append(
                Invocation(
                    [benchmark.name], script_path(benchmark), database, [*benchmark.selector, *args]
                )  # fmt: skip
            )
    return invocations


# --- the machine and its load --------------------------------------------------------------


def _output_of(command):
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, cwd=ROOT)
        return done.stdout.strip() or None
    return None


def machine():
    postgres = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    redis = shutil.which("redis-server")
    dirty = _output_of(["git", "status", "--porcelain", "--untracked-files=no"])
    return {
        "cores": os.cpu_count(),
        "cpu_model": host.cpu_model(),
        "memory_gib": host.memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _output_of([str(postgres[-1]), "--version"]) if postgres else None,
        "redis": _output_of([redis, "--version"]) if redis else None,
        "node": _output_of(["node", "--version"]),
        "git_commit": _output_of(["git", "rev-parse", "HEAD"]),
        "git_dirty": bool(dirty),
    }


class LoadSampler:
    """The 1-minute load average every few seconds, while the benchmarks run."""

    def __init__(self, every=5.0):
        self.every = every
        self.samples = []  # (seconds since start, load average)
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while True:
            self.samples.append((time.monotonic() - self._started, os.getloadavg()[0]))
            if self._stop.wait(self.every):
                return

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()

    def now(self):
        return time.monotonic() - self._started

    def between(self, start, end):
        return summarise_load([value for t, value in self.samples if start <= t <= end])


def summarise_load(values):
    if not values:
        return None
    return {
        "min": round(min(values), 2),
        "mean": round(sum(values) / len(values), 2),
        "max": round(max(values), 2),
        "samples": len(values),
    }


# --- running and merging -------------------------------------------------------------------


def load_module(script):
    """The benchmark's module (for its result_rows), imported from its file."""
    name = f"bench_{script.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_one(invocation, run_dir, python=sys.executable):
    """Run one benchmark process; return (its document or None, exit status, seconds)."""
    output = run_dir / f"{'+'.join(invocation.names)}-{invocation.database}.json"
    command = [python, str(invocation.script), *invocation.args,
               "--database", invocation.database, "--output", str(output)]  # fmt: skip
    log(f"{invocation.label}: {shlex.join(command[1:])}")
    started = time.monotonic()
    status = subprocess.run(command, cwd=ROOT, check=False).returncode
    seconds = round(time.monotonic() - started, 1)
    document = None
    if output.exists():
        with contextlib.suppress(ValueError):
            document = json.loads(output.read_text())
    return document, status, seconds


def rows_of(invocation, document, status):
    """The invocation's rows: its module's result_rows, or one failing row when it broke."""
    out = []
    if document is not None:
        try:
            out = check(load_module(invocation.script).result_rows(document))
        except Exception as error:  # a broken reader must not lose the other results
            log(f"{invocation.label}: could not read its results: {error!r}")
            status = status or f"unreadable results: {error!r}"
        out = [r for r in out if r["benchmark"] in invocation.names]
    if status or document is None:
        out += [
            row(name, invocation.database, "the run", "exit status",
                status if status else "no results written", "", "0", "FAIL")
            for name in invocation.names
        ]  # fmt: skip
    return out


def run_all(invocations, output, quick, runner=run_one):
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    run_dir = WORKDIR / "all" / started_at.replace(":", "")
    run_dir.mkdir(parents=True, exist_ok=True)
    sampler = LoadSampler().start()
    document = {
        "started": started_at,
        "quick": quick,
        "machine": machine(),
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "benchmarks": [],
        "rows": [],
    }
    try:
        for invocation in invocations:
            t0 = sampler.now()
            result, status, seconds = runner(invocation, run_dir)
            rows = rows_of(invocation, result, status)
            document["rows"] += rows
            document["benchmarks"].append({
                "names": invocation.names, "database": invocation.database,
                "command": [str(invocation.script.name), *invocation.args],
                "exit_status": status, "duration_s": seconds,
                "load_average": sampler.between(t0, sampler.now()), "document": result,
            })  # fmt: skip
            # Written after each benchmark: an interrupted run keeps what it measured.
            document["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
            Path(output).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    finally:
        sampler.stop()
    document["load_average"] = summarise_load([v for _, v in sampler.samples])
    document["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    Path(output).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return document


def describe(document):
    m = document["machine"]
    load = document.get("load_average") or {}
    return (
        f"{document['started']} → {document.get('finished')}, "
        f"{'quick (smoke) run, ' if document['quick'] else ''}"
        f"{m['cores']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"SQLite {m['sqlite']}, {m['postgresql']}, {m['redis']}, Node {m['node']}; "
        f"commit {(m['git_commit'] or '?')[:10]}{' (with changes)' if m['git_dirty'] else ''}; "
        f"load average (1 min) min/mean/max {load.get('min')}/{load.get('mean')}/{load.get('max')}"
    )


def main(argv=None):
    names = [b.name for b in BENCHMARKS]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help=f"comma-separated, of {','.join(names)}")
    parser.add_argument("--quick", action="store_true", help="small and short: a smoke run")
    parser.add_argument(
        "--database",
        choices=(*DATABASES, "both"),
        help="default: each benchmark's own (townhall: sqlite, the others: both)",
    )
    parser.add_argument(
        "--args",
        action="append",
        default=[],
        metavar='NAME="OPTIONS"',
        help="options for one benchmark's script, instead of its defaults",
    )
    parser.add_argument("--output", help="default bench/results.json (--quick: results-quick)")
    parser.add_argument("--print", metavar="RESULTS", help="print the table of a results file")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    table = markdown_table if args.markdown else format_table
    if args.print:
        document = json.loads(Path(args.print).read_text())
        print(describe(document) + "\n")
        print(table(document["rows"]))
        return 0

    wanted = args.only.split(",") if args.only else names
    unknown = set(wanted) - set(names)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))} (known: {names})")
    extra = {}
    for item in args.args:
        name, _, options = item.partition("=")
        if name not in names:
            parser.error(f"--args: unknown benchmark {name!r}")
        extra[name] = shlex.split(options)
    databases = None
    if args.database:
        databases = DATABASES if args.database == "both" else (args.database,)
    selected = [b for b in BENCHMARKS if b.name in wanted]
    output = args.output or BENCH / ("results-quick.json" if args.quick else "results.json")
    document = run_all(plan(selected, databases, args.quick, extra), output, args.quick)
    print("\n" + describe(document) + "\n")
    print(table(document["rows"]))
    print(f"\nwrote {output}")
    failed = [b for b in document["benchmarks"] if b["exit_status"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
