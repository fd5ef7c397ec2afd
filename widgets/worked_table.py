"""A by-hand table: rows computed by the core, laid out as a plain HTML table."""

import html

import panel as pn

from .readout import fmt

STYLE = """
<style>
table.worked {border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 4px 0 8px 0;}
table.worked th, table.worked td {padding: 3px 12px; text-align: right; border-bottom: 1px solid #d0d0d0;}
table.worked th {border-bottom: 2px solid #888; font-weight: 600;}
table.worked td:first-child, table.worked th:first-child {text-align: center;}
table.worked tr.note td {text-align: left; font-style: italic;}
table.worked tr.alarm td {color: #b3261e; font-weight: 600;}
</style>
"""


def table_html(headers: list[str], rows: list[list], note: str = "", alarm: bool = False) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{fmt(v) if isinstance(v, float) else html.escape(str(v))}</td>" for v in row)
        + "</tr>" for row in rows)
    if note:
        kind = "note alarm" if alarm else "note"
        body += f'<tr class="{kind}"><td colspan="{len(headers)}">{html.escape(note)}</td></tr>'
    return f'{STYLE}<table class="worked"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class WorkedTable(pn.pane.HTML):
    """An HTML pane that is refreshed with `show(headers, rows)`."""

    def show(self, headers: list[str], rows: list[list], note: str = "", alarm: bool = False):
        """Replace the table; `alarm` shows the note as a warning (a diverged run)."""
        self.object = table_html(headers, rows, note, alarm)
