"""The one shape every benchmark reports in, and the table bench/all.py prints.

A row: benchmark, database, scenario, metric, value, unit, target, verdict (PASS, FAIL or "").
Each benchmark module has ``result_rows(document)`` turning its own JSON into rows.
"""

FIELDS = ("benchmark", "database", "scenario", "metric", "value", "unit", "target", "verdict")


def row(benchmark, database, scenario, metric, value, unit="", target="", verdict=""):
    return {
        "benchmark": benchmark, "database": database, "scenario": scenario, "metric": metric,
        "value": value, "unit": unit, "target": target, "verdict": verdict,
    }  # fmt: skip


def _cell(value):
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _cells(rows):
    return [[_cell(r[field]) for field in FIELDS] for r in rows]


def format_table(rows):
    """The rows as a plain-text table (what a terminal shows)."""
    table = [list(FIELDS), *_cells(rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(FIELDS))]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in table]  # fmt: skip
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows):
    """The rows as a Markdown table (for bench/README.md), verdicts in bold."""
    lines = ["| " + " | ".join(FIELDS) + " |", "|" + "---|" * len(FIELDS)]
    for cells in _cells(rows):
        if cells[-1]:
            cells[-1] = f"**{cells[-1]}**"
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def write_report(path, document, rows):
    """Write a benchmark's ``document`` as JSON to ``path`` and print its ``rows``."""
    import json
    from pathlib import Path

    Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print_table(rows)
    print(f"wrote {path} in {document['duration_s']} s")


def print_table(rows):
    print(format_table(rows))


def check(rows):
    """Raise ValueError unless every row has exactly the fields and a known verdict."""
    for r in rows:
        if tuple(r) != FIELDS:
            raise ValueError(f"a row must have the fields {FIELDS}, not {tuple(r)}")
        if r["verdict"] not in ("PASS", "FAIL", ""):
            raise ValueError(f"unknown verdict {r['verdict']!r}")
        if r["verdict"] and not r["target"]:
            raise ValueError(f"a verdict without a target: {r}")
    return rows
