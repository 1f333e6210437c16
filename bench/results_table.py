"""Print bench/results.json as the Markdown tables of bench/README.md.

.venv/bin/python bench/results_table.py [bench/pages_results.json]
"""

import json
import sys
from pathlib import Path


def number(value):
    if value is None:
        return "—"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def triple(run, keys=("p50_ms", "p95_ms", "p99_ms")):
    return " / ".join(number(run[k]) for k in keys)


def main():
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "pages_results.json")
    document = json.loads(path.read_text())
    machine = document["machine"]
    print(
        f"Measured {machine['date'][:10]} on {machine['nproc']} cores ({machine['cpu_model']}), "
        f"{machine['memory']}, Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"{machine['postgresql']}; `{document['gunicorn']['command']}`.\n"
    )
    print(
        "| database | page | highest throughput (req/s) | at it: p50 / p99 (ms) "
        "| at 200 req/s: p50 / p95 / p99 (ms) | at 200 req/s: errors | below saturation: "
        "rate, p50 / p95 / p99 (ms) | server CPU per request (ms) | other jobs' CPU (% of a core) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for database, result in document["results"].items():
        for page, runs in result["pages"].items():
            peak, steady, below = runs["max"], runs["steady"], runs["half_max"]
            print(
                f"| {database} | {page} | {peak['throughput_rps']} | "
                f"{triple(peak, ('p50_ms', 'p99_ms'))} | {triple(steady)} | "
                f"{steady['errors']} of {steady['requests']} | "
                f"{below['offered_rps']}/s: {triple(below)} | "
                f"{peak['server_cpu_ms_per_request']} | {peak['foreign_cpu_pct']} |"
            )
    print("\n| database | page | metric | value | target | result |")
    print("|---|---|---|---|---|---|")
    for row in document["table"]:
        if row["target"]:
            print(
                f"| {row['database']} | {row['page']} | {row['metric']} | {row['value']} | "
                f"{row['target']} | **{row['result']}** |"
            )
    print()
    for database, result in document["results"].items():
        manifest = result["manifest"]
        timings = manifest["timings_s"]
        print(
            f"- {database}: data loaded in {timings['total']} s "
            f"(migrations {timings['migrate']} s, "
            f"generating {timings['generate']} s, inserting {timings['insert_total']} s, "
            f"checks {timings['check']} s)"
        )


if __name__ == "__main__":
    main()
