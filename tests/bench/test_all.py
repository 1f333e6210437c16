"""bench/all.py: every benchmark registered, one table, one results file (no load is generated:
the benchmarks themselves take minutes to hours, so a stand-in script checks the plumbing)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name, filename):
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench_all = _load("bench_all", "all.py")
rows = sys.modules["rows"]  # imported by all.py from bench/


def _steady(p95, errors=0, requests=800):
    return {"p50_ms": 5.0, "p95_ms": p95, "p99_ms": 9.0, "errors": errors,
            "ok": requests - errors, "requests": requests}  # fmt: skip


def _supports_document(drift=0, p95=40.0, errors=0):
    check = {"counters_differing_from_rows": drift, "allowances_differing_from_rows": 0,
             "acknowledged_presses_not_stored": 0, "acknowledged_presses_checked": 120}  # fmt: skip
    return {"results": [{
        "database": "postgres", "residents": 300, "hot_proposals": 3, "server_tracebacks": 0,
        "max": {"throughput_rps": 120.5, "p50_ms": 100.0, "p99_ms": 200.0, "integrity": check},
        "steady": {**_steady(p95, errors), "integrity": check},
    }]}  # fmt: skip


def test_every_registered_benchmark_accepts_the_options_all_py_gives_it():
    for benchmark in bench_all.BENCHMARKS:
        script = bench_all.script_path(benchmark)
        assert hasattr(bench_all.load_module(script), "result_rows"), script
        usage = subprocess.run(
            [sys.executable, str(script), "--help"], capture_output=True, text=True, check=True,
            timeout=120,
        ).stdout  # fmt: skip
        options = {"--database", "--output", *benchmark.full_args, *benchmark.quick_args,
                   *benchmark.selector[:1]}  # fmt: skip
        for option in (o for o in options if o.startswith("--")):
            assert option in usage, f"{script.name} has no {option}"


def test_pages_and_search_share_one_server_run_per_database():
    selected = [b for b in bench_all.BENCHMARKS if b.name in ("pages", "search", "supports")]

    planned = bench_all.plan(selected, None, False, {})

    assert [(i.names, i.database) for i in planned] == [
        (["pages", "search"], "sqlite"), (["pages", "search"], "postgres"),
        (["supports"], "sqlite"), (["supports"], "postgres"),
    ]  # fmt: skip
    pages = "bare,list_filtered,list_all,proposal,list_all_signed_in,proposal_signed_in,search"
    assert planned[0].args == ["--pages", pages]


def test_quick_and_given_options_replace_a_benchmarks_defaults():
    townhall = [b for b in bench_all.BENCHMARKS if b.name == "townhall"]

    quick = bench_all.plan(townhall, None, True, {})
    given = bench_all.plan(townhall, ("postgres",), True, {"townhall": ["--only", "modes"]})

    assert [(i.database, i.args) for i in quick] == [
        ("sqlite", ["--quick", "--only", "targets", "--scenario", "n1000_10_per_s"])
    ]
    assert [(i.database, i.args) for i in given] == [("postgres", ["--only", "modes"])]


@pytest.mark.parametrize(
    ("document", "verdicts"),
    [
        (_supports_document(), ["PASS", "PASS", "PASS"]),
        (_supports_document(p95=150.0), ["FAIL", "PASS", "PASS"]),
        (_supports_document(errors=3), ["FAIL", "PASS", "PASS"]),
        (_supports_document(drift=1), ["PASS", "FAIL", "FAIL"]),
    ],
)
def test_supports_fail_on_slow_answers_errors_or_a_lost_update(document, verdicts):
    module = bench_all.load_module(BENCH / "supports_bench.py")

    table = rows.check(module.result_rows(document))

    assert [r["verdict"] for r in table if r["verdict"]] == verdicts
    assert {r["benchmark"] for r in table} == {"supports"}


def test_page_rows_keep_search_apart_and_judge_the_ratio_to_the_bare_page():
    module = bench_all.load_module(BENCH / "run.py")
    pages = {
        "bare": {"max": {"throughput_rps": 1000.0}, "steady": _steady(3.0)},
        "list_all": {"max": {"throughput_rps": 390.0}, "steady": _steady(20.0)},
        "search": {"max": {"throughput_rps": 500.0}, "steady": _steady(120.0)},
    }
    document = {"plan": {"rate": 200}, "results": {"sqlite": {"pages": pages}},
                "targets": {"p95_ms_at_rate": {"list_all": 50, "search": 100},
                            "list_max_over_bare_max": 0.40}}  # fmt: skip

    table = rows.check(module.result_rows(document))

    judged = {(r["benchmark"], r["scenario"], r["metric"]): r["verdict"] for r in table
              if r["verdict"]}  # fmt: skip
    assert judged == {
        ("pages", "list_all", "at 200/s: p50 / p95 / p99"): "PASS",
        ("pages", "list_all", "max / bare page's max"): "FAIL",  # 0.39
        ("search", "search", "at 200/s: p50 / p95 / p99"): "FAIL",
    }


def test_summary_rows_judge_the_slowest_of_the_runs():
    module = bench_all.load_module(BENCH / "summary_bench.py")
    document = json.loads((BENCH / "summary_results.json").read_text())

    table = rows.check(module.result_rows(document))

    assert table[0]["target"] == "max < 2.0 s"
    assert table[0]["verdict"] == ("PASS" if document["pass"] else "FAIL")


def test_a_broken_benchmark_is_a_failing_row_and_the_others_still_count(tmp_path, monkeypatch):
    monkeypatch.setattr(bench_all, "WORKDIR", tmp_path)
    supports, summaries = (
        next(b for b in bench_all.BENCHMARKS if b.name == name)
        for name in ("supports", "summaries")
    )
    planned = bench_all.plan([supports, summaries], ("sqlite",), True, {})

    def runner(invocation, run_dir):
        if invocation.names == ["summaries"]:
            return None, 2, 1.5  # crashed before writing anything
        return _supports_document(), 0, 60.0

    output = tmp_path / "results.json"
    bench_all.run_all(planned, output, True, runner=runner)

    saved = json.loads(output.read_text())
    assert saved["rows"][-1] == rows.row("summaries", "sqlite", "the run", "exit status", 2,
                                         "", "0", "FAIL")  # fmt: skip
    assert sum(r["benchmark"] == "supports" for r in saved["rows"]) == 7
    for key in ("cores", "cpu_model", "memory_gib", "python", "sqlite", "postgresql", "redis",
                "git_commit"):  # fmt: skip
        assert key in saved["machine"]
    assert saved["load_average"]["samples"] >= 1
    assert [b["exit_status"] for b in saved["benchmarks"]] == [0, 2]


FAKE = """
import argparse, json

def result_rows(document):
    from rows import row
    return [row("fake", document["database"], "one", "speed", document["speed"], "x/s",
                "> 1 x/s", "PASS" if document["speed"] > 1 else "FAIL")]

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--database")
    parser.add_argument("--output")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    with open(args.output, "w") as out:
        json.dump({"database": args.database, "speed": 0.5 if args.quick else 2.5}, out)
"""


def test_all_py_runs_a_registered_script_and_prints_one_table(tmp_path, monkeypatch, capsys):
    script = tmp_path / "fake_bench.py"
    script.write_text(FAKE)
    monkeypatch.setattr(bench_all, "WORKDIR", tmp_path)
    monkeypatch.setattr(bench_all, "BENCHMARKS", [bench_all.Benchmark("fake", str(script))])
    output = tmp_path / "results.json"

    status = bench_all.main(["--quick", "--database", "both", "--output", str(output)])

    printed = capsys.readouterr().out
    assert status == 0
    assert [(r["database"], r["value"], r["verdict"]) for r in json.loads(output.read_text())[
        "rows"]] == [("sqlite", 0.5, "FAIL"), ("postgres", 0.5, "FAIL")]  # fmt: skip
    assert "benchmark | database | scenario" in printed
    bench_all.main(["--print", str(output), "--markdown"])
    assert "| fake | sqlite | one | speed | 0.5 | x/s | > 1 x/s | **FAIL** |" in (
        capsys.readouterr().out
    )
