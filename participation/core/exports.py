"""Downloads: CSV that spreadsheets open safely (UTF-8 with BOM, no formulas), streamed."""

import csv
import io

from flask import Response, stream_with_context

# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(cell):
    return "'" + cell if isinstance(cell, str) and cell.startswith(RISKY_STARTS) else cell


def csv_response(filename, header, rows):
    """Stream ``header`` and ``rows`` (an iterable of lists) as a CSV attachment."""

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        yield "\ufeff" + buffer.getvalue()
        for row in rows:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([safe_cell(cell) for cell in row])
            yield buffer.getvalue()

    return Response(
        stream_with_context(lines()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
