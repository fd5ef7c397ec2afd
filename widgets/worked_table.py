"""By-hand tables: rows computed by the core, laid out as plain HTML tables, and the boxes that
let a learner change the numbers they start from."""

import html
from collections.abc import Callable
from dataclasses import dataclass

import panel as pn
import param

from lessons.links import text_of
from lessons.numbers import typeset

from .inputs import InputError, parse_number
from .links import copy_link_button
from .readout import fmt
from .sizing import sideways_scroll

STYLE = """
<style>
table.worked {border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 4px 0 8px 0;}
table.worked th, table.worked td {padding: 3px 10px; text-align: right; border-bottom: 1px solid #d0d0d0;}
table.worked th {border-bottom: 2px solid #888; font-weight: 600;}
table.worked td:first-child, table.worked th:first-child {text-align: center;}
table.worked.words td, table.worked.words th {text-align: left; vertical-align: top;}
table.worked.words td.long {min-width: 9em;}
table.worked.words td.short {white-space: nowrap;}
p.worked-note {font-style: italic; margin: 0 0 8px 0;}
p.worked-note.alarm {color: #b3261e; font-weight: 600;}
div.scroll {""" + sideways_scroll("var(--panel-background-color, #ffffff)", "rgba(0, 0, 0, .25)") + """}
</style>
"""
"""A table wider than the screen scrolls sideways, with a shadow on the side where more of it
lies. The note sits under the table, not in it, so that it wraps at the screen's width rather
than the table's."""


@dataclass(frozen=True)
class Table:
    """One computed table: headers, rows, a note under it, and whether the note is a warning."""

    headers: list[str]
    rows: list[list]
    note: str = ""
    alarm: bool = False
    words: bool = False
    """Cells of text (left-aligned) rather than numbers."""


SHORT = 20
"""In a table of words, a column whose cells are all at most this many characters keeps each
cell on one line (a name, a year, a range of rates); longer ones wrap, at least 9em wide."""


def _cell(value) -> str:
    return fmt(value) if isinstance(value, float) else html.escape(typeset(str(value)))


def table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    cells = [[_cell(v) for v in row] for row in table.rows]
    kinds = [""] * len(table.headers)
    if table.words:
        kinds = [' class="short"' if all(len(html.unescape(row[i])) <= SHORT for row in cells) else ' class="long"'
                 for i in range(len(table.headers))]
    body = "".join("<tr>" + "".join(f"<td{kind}>{cell}</td>" for kind, cell in zip(kinds, row, strict=True))
                   + "</tr>" for row in cells)
    note = ""
    if table.note:
        kind = "worked-note alarm" if table.alarm else "worked-note"
        note = f'<p class="{kind}">{html.escape(typeset(table.note))}</p>'
    kind = "worked words" if table.words else "worked"
    return f'{STYLE}<div class="scroll"><table class="{kind}"><thead><tr>{head}</tr></thead><tbody>{body}' \
           f'</tbody></table></div>{note}'


class WorkedTable(pn.pane.HTML):
    """An HTML pane that is refreshed with `show(table)`."""

    def __init__(self, **params):
        super().__init__(sizing_mode="stretch_width", **params)

    def show(self, table: Table):
        self.object = table_html(table)


class EditableTable(pn.viewable.Viewer):
    """Boxes for some Number parameters of `model`, above the tables `compute(model)` returns.

    Typed text is parsed, never evaluated. Text that is not a number in the parameter's bounds
    shows a message beside the boxes and leaves the model and the tables as they were.
    """

    def __init__(self, model: param.Parameterized, names: tuple[str, ...], compute: Callable[[], list[Table]],
                 *, name: str):
        super().__init__()
        self.model, self.names, self.compute = model, names, compute
        self.boxes = {n: pn.widgets.TextInput(label=model.param[n].label, value=text_of(getattr(model, n)),
                                              width=150, css_classes=[f"{name}-{n}"]) for n in names}
        self._writing = False
        self.message = pn.pane.HTML("", visible=False, name=f"{name}-message",
                                    styles={"color": "#b3261e", "font-weight": "600"})
        self.tables = [WorkedTable(name=f"{name}-{i}") for i in range(len(compute()))]
        self.copy = copy_link_button(name)
        for box in self.boxes.values():
            box.param.watch(self._typed, "value")
        model.param.watch(self._refresh, list(names))
        self._refresh()

    def _typed(self, _):
        """Every box that reads as a number in its range is applied; each one that does not keeps
        its text and is named in the message, and its parameter keeps its value."""
        if self._writing:  # the boxes are following the model, not the reader
            return
        values, problems = {}, []
        for n, box in self.boxes.items():
            low, high = self.model.param[n].bounds
            try:
                values[n] = parse_number(box.value, name=self.model.param[n].label, low=low, high=high)
            except InputError as problem:
                problems.append(str(problem))
        if problems:
            kept = " The table uses what the other boxes say." if values else ""
            self.message.object = "<br>".join(html.escape(problem) for problem in problems) + kept
        self.message.visible = bool(problems)
        self.model.param.update(**values)

    def _refresh(self, *events):
        """The boxes of the parameters that changed (all of them at first) show the model's values;
        a box whose text already reads as its value is left as typed (0.50 stays 0.50)."""
        changed = [event.name for event in events] or self.names
        self._writing = True
        try:
            for n in changed:
                box, value = self.boxes[n], getattr(self.model, n)
                try:
                    if parse_number(box.value, name="", low=value, high=value) == value:
                        continue
                except InputError:
                    pass
                box.value = text_of(value)
        finally:
            self._writing = False
        for pane, table in zip(self.tables, self.compute(), strict=True):
            pane.show(table)

    def __panel__(self):
        return pn.Column(pn.FlexBox(*self.boxes.values(), pn.Column(pn.Spacer(height=22), self.copy)),
                         self.message, pn.FlexBox(*self.tables), sizing_mode="stretch_width")
