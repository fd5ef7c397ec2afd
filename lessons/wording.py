"""Numbers and counts in the sentences a lesson writes. The text is plain Python (-2e-07); the
view that shows it typesets it (−2 × 10⁻⁷)."""


def apart(a: float, b: float, digits: int = 4) -> tuple[str, str]:
    """`a` and `b` in `digits` significant figures, or in as many more as it takes to tell them
    apart (3.0001 and 2.9999 are not both 3; 0.0200001 is not 0.02 beside 0.02)."""
    for shown in (digits, 8, 12, 17):
        if f"{a:.{shown}g}" != f"{b:.{shown}g}":
            break
    return f"{a:.{shown}g}", f"{b:.{shown}g}"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """"1 step", "2 steps": the count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
