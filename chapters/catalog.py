"""The ten chapters: number, title and a one-line promise (the home page and the sidebar list them)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChapterInfo:
    number: int
    title: str
    promise: str


CHAPTERS = (
    ChapterInfo(0, "The landscape problem", "Why one learning rate can diverge, crawl, or stall."),
    ChapterInfo(1, "Stochastic gradient descent", "Estimating the gradient from a few examples."),
    ChapterInfo(2, "Momentum and Nesterov", "Giving the ball mass, then letting it look ahead."),
    ChapterInfo(3, "AdaGrad and RMSProp", "A learning rate for every parameter."),
    ChapterInfo(4, "Adam", "Momentum and per-parameter scaling, with the early steps corrected."),
    ChapterInfo(5, "AdamW", "Weight decay that is not divided by the gradient's size."),
    ChapterInfo(6, "Beyond Adam", "LAMB, RAdam, AMSGrad, NAdam, Adamax, AdaFactor, Lion and Sophia."),
    ChapterInfo(7, "Learning-rate schedules", "Warmup, decay, and why the rate should change."),
    ChapterInfo(8, "The Optimizer Arena", "Every optimizer on the same landscape, at once."),
    ChapterInfo(9, "Cheat sheet", "Which optimizer, learning rate and schedule to start from."),
)
