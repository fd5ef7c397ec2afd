"""A multiple-choice question that explains every answer, right or wrong."""

import zlib
from dataclasses import dataclass, replace

import panel as pn

from lessons.numbers import typeset


@dataclass(frozen=True)
class Choice:
    text: str
    correct: bool
    why: str


def arranged(question: str, choices: list[Choice]) -> list[Choice]:
    """The choices with the right one moved to a place that the question decides, the same on every
    visit, so that the right answer's place says nothing (authors tend to write it first)."""
    right = next(c for c in choices if c.correct)
    others = [c for c in choices if not c.correct]
    place = zlib.crc32(question.encode()) % len(choices)
    return [*others[:place], right, *others[place:]]


class Quiz(pn.viewable.Viewer):
    def __init__(self, question: str, choices: list[Choice], name: str = "quiz"):
        super().__init__()
        if sum(c.correct for c in choices) != 1:
            raise ValueError("a quiz needs exactly one right answer")
        self.choices = [replace(c, text=typeset(c.text), why=typeset(c.why)) for c in arranged(question, choices)]
        self.question = pn.pane.Markdown(f"**Check yourself.** {typeset(question)}", sizing_mode="stretch_width")
        self.options = pn.widgets.RadioBoxGroup(options=[c.text for c in self.choices], sizing_mode="stretch_width",
                                                stylesheets=["label { white-space: normal; }"])
        self.options.value = None  # Panel pre-selects the first option; a quiz must start unanswered
        self.feedback = pn.pane.Alert("Pick an answer.", alert_type="light", name=f"{name}-feedback",
                                      sizing_mode="stretch_width")
        self.options.param.watch(self._answer, "value")

    def _answer(self, event):
        choice = next((c for c in self.choices if c.text == event.new), None)
        if choice is None:
            return
        verdict = "Right." if choice.correct else "Not quite."
        self.feedback.object = f"**{verdict}** {choice.why}"
        self.feedback.alert_type = "success" if choice.correct else "warning"

    def __panel__(self):
        return pn.Column(self.question, self.options, self.feedback, sizing_mode="stretch_width",
                         styles={"border-left": "4px solid #0072B2", "padding-left": "12px"})
