"""A by-hand table: rows computed by the core, laid out as a plain HTML table."""

import html
from collections.abc import Callable
from dataclasses import dataclass

import panel as pn

from .inputs import InputError, parse_number
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


@dataclass(frozen=True)
class Field:
    """A number the learner may type: its key, box label, starting text and allowed range."""

    key: str
    label: str
    default: str
    low: float
    high: float


@dataclass(frozen=True)
class Table:
    """One computed table: headers, rows, a note under it, and whether the note is a warning."""

    headers: list[str]
    rows: list[list]
    note: str = ""
    alarm: bool = False


class EditableTable(pn.viewable.Viewer):
    """Boxes for a few numbers above one or more tables that `compute(values)` fills.

    Typed text is parsed, never evaluated. Text that is not a number in range shows a message
    beside the boxes and leaves `values` and the tables as they were.
    """

    def __init__(self, fields: list[Field], compute: Callable[[dict], list[Table]], *, name: str):
        super().__init__()
        self.fields, self.compute = fields, compute
        self.boxes = {f.key: pn.widgets.TextInput(label=f.label, value=f.default, width=160) for f in fields}
        self.message = pn.pane.Alert("", alert_type="danger", visible=False, name=f"{name}-message")
        self.values = {f.key: parse_number(f.default, name=f.label, low=f.low, high=f.high) for f in fields}
        self.tables = [WorkedTable(name=f"{name}-{i}") for i in range(len(compute(self.values)))]
        for box in self.boxes.values():
            box.param.watch(self._typed, "value")
        self._refresh()

    def _typed(self, _):
        try:
            values = {f.key: parse_number(self.boxes[f.key].value, name=f.label, low=f.low, high=f.high)
                      for f in self.fields}
        except InputError as problem:
            self.message.object, self.message.visible = str(problem), True
            return
        self.message.visible = False
        self.values = values
        self._refresh()

    def _refresh(self):
        for pane, table in zip(self.tables, self.compute(self.values), strict=True):
            pane.show(table.headers, table.rows, table.note, table.alarm)

    def __panel__(self):
        return pn.Column(pn.Row(*self.boxes.values()), self.message, pn.Row(*self.tables))
