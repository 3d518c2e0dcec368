"""CSV downloads that open cleanly in a spreadsheet."""

import csv

from django.http import HttpResponse
from django.utils.http import content_disposition_header

# A cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(...)"):
# such text is prefixed with an apostrophe, which shows it as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    """UTF-8 with a byte-order mark (so Excel reads accents right), formulas neutralised.

    The file name can be a teacher's class name: any script, quotes, even a line break. Django writes
    it as RFC 6266 asks (`filename*=utf-8''...` when plain ASCII will not do), so it downloads under its
    own name and nothing in it can end the header early."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return response


def results_csv_response(filename: str, results) -> HttpResponse:
    header = [
        "place",
        "factor",
        "borda_points",
        "share_of_maximum_percent",
        "top3_percent",
        "disagreement_percent",
        "voters",
    ]
    # No votes, no places: every factor would be "=1". A tie's "=4" starts like a formula, so
    # csv_response writes it as text ("'=4"), which a spreadsheet shows as =4 rather than computing 4.
    rows = (
        [
            row.place_label if results.voters else "",
            row.factor.name,
            row.score,
            f"{row.share:.1f}",
            f"{row.top3_share:.1f}",
            f"{row.spread:.1f}",
            results.voters,
        ]
        for row in results.sorted_by("score")
    )
    return csv_response(filename, header, rows)
