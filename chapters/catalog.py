"""The ten chapters: number, title, a one-line promise, and an outline for pages not written yet."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ChapterInfo:
    number: int
    title: str
    promise: str
    outline: tuple[str, ...]


CHAPTERS = (
    ChapterInfo(0, "The landscape problem", "Why one learning rate can diverge, crawl, or stall.",
                ("The gradient as a local slope", "Gradient descent by hand", "The Loss Landscape Explorer",
                 "Three ways to fail", "Why saddles outnumber minima")),
    ChapterInfo(1, "Stochastic gradient descent", "Estimating the gradient from a few examples.",
                ("The loss as an average", "Mini-batch gradients by hand", "Full-batch vs mini-batch arrows",
                 "Why the noise helps", "Epochs and shuffling")),
    ChapterInfo(2, "Momentum and Nesterov", "Giving the ball mass, then letting it look ahead.",
                ("Velocity as a sum of past gradients", "Five steps by hand", "SGD vs momentum on a ravine",
                 "Nesterov's lookahead", "Choosing beta")),
    ChapterInfo(3, "AdaGrad and RMSProp", "A learning rate for every parameter.",
                ("Accumulating squared gradients", "Effective rates by hand", "AdaGrad vs RMSProp on an ellipse",
                 "Effective rate over a long run", "Rare and frequent features")),
    ChapterInfo(4, "Adam", "Momentum and per-parameter scaling, with the early steps corrected.",
                ("The five lines of Adam", "Three steps by hand", "Adam's internals step by step",
                 "Bias correction, on and off", "Why Adam ignores the loss's scale")),
    ChapterInfo(5, "AdamW", "Weight decay that is not divided by the gradient's size.",
                ("L2 penalty vs weight decay", "The decay share by hand", "Two weights under Adam+L2 and AdamW",
                 "The PyTorch trap")),
    ChapterInfo(6, "Beyond Adam", "LAMB, RAdam, AMSGrad, NAdam, Adamax, AdaFactor, Lion and Sophia.",
                ("The family tree", "One key idea each", "Memory per parameter", "Racing them")),
    ChapterInfo(7, "Learning-rate schedules", "Warmup, decay, and why the rate should change.",
                ("Warmup", "Step, cosine, linear, inverse square root, WSD", "Cosine with warmup by hand",
                 "The Schedule Visualiser")),
    ChapterInfo(8, "The Optimizer Arena", "Every optimizer on the same landscape, at once.",
                ("Choosing a landscape and the contestants", "The leaderboard",
                 "What a 2-D race can and cannot tell")),
    ChapterInfo(9, "Cheat sheet", "Which optimizer, learning rate and schedule to start from.",
                ("A decision tree", "Quick-reference tables", "Every chapter in one page")),
)
