"""The only package that imports Rich: text, tables, summaries, the timeline, errors.

Every value from the database is wrapped in :class:`rich.text.Text` after
control characters are stripped, so markup in a name (``[/bold]``) is shown
as typed and an escape sequence in a note never reaches the terminal.
"""

from cases.render.summary import print_source, print_summary
from cases.render.tables import print_records, print_stats, print_timeline
from cases.render.text import (
    emit_json,
    make_console,
    plain,
    print_added,
    print_error,
    print_notice,
    safe,
)

__all__ = [
    "emit_json",
    "make_console",
    "plain",
    "print_added",
    "print_error",
    "print_notice",
    "print_records",
    "print_source",
    "print_stats",
    "print_summary",
    "print_timeline",
    "safe",
]
