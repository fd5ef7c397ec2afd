"""Numbers as a reader writes them: a minus sign rather than a hyphen, and powers of ten rather
than the e-notation Python prints (5.0 × 10⁻⁴, not 5.0e-04).

`typeset` rewrites the numbers in a finished text and leaves alone what a reader copies or a
program reads: TeX between $$, code between backticks, HTML tags and link targets. `read_number`
goes the other way: it reads a number typed in any of the ways the page writes one.
"""

import math
import re

SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_E_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[eE]([+-]?\d+)(?!\w|\.\d)")
_NEGATIVE = re.compile(r"(?<![\w.)\]}])-(?=\.?\d)")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TYPED_POWER = re.compile(r"(?:(?P<mantissa>[^×xX*·]+?)\s*[×xX*·]\s*|(?P<sign>[+-]?))10\s*"
                          r"(?:\^\s*(?P<caret>[+-]?\d+)|(?P<raised>[⁺⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))")
_LEFT_ALONE = re.compile(r"\$\$.+?\$\$|`[^`]*`|<[^>]*>|\]\([^)]*\)|https?://\S+", re.DOTALL)


def scientific(mantissa: str, exponent: int) -> str:
    """1e-05 as 10⁻⁵; a mantissa written with decimals keeps them (1.000 × 10⁻³ lines up in a
    column with 9.698 × 10⁻⁴), and zero is 0."""
    if float(mantissa) == 0:
        return "0"
    power = "10" + str(exponent).translate(SUPERSCRIPT)
    return power if mantissa == "1" else f"{mantissa} × {power}"


def _power_of_ten(match: re.Match) -> str:
    return scientific(match.group(1), int(match.group(2)))


def number(value: float, digits: int = 4) -> str:
    """A finite float in `digits` significant figures, written as `typeset` writes it; called for
    every step of a map's read-out, so it formats the number directly instead of searching text.
    Zero is 0 whatever its sign bit (−0.0 is what −η·0 gives)."""
    text = f"{value + 0.0:.{digits}g}"
    sign, text = ("−", text[1:]) if text.startswith("-") else ("", text)
    mantissa, _, exponent = text.partition("e")
    return sign + (scientific(mantissa, int(exponent)) if exponent else mantissa)


def _typeset_plain(text: str) -> str:
    return _NEGATIVE.sub("−", _E_NUMBER.sub(_power_of_ten, text))


def typeset(text: str) -> str:
    """`text` with −2 for -2 and 7.89 × 10⁻³¹ for 7.89e-31, outside TeX, code, tags and links."""
    pieces, done = [], 0
    for kept in _LEFT_ALONE.finditer(text):
        pieces += [_typeset_plain(text[done:kept.start()]), kept.group(0)]
        done = kept.end()
    pieces.append(_typeset_plain(text[done:]))
    return "".join(pieces)


class TooLargeError(ValueError):
    """A number written correctly but too large for a float (1e400)."""


def read_number(text: str) -> float:
    """The finite number in `text`, typed or copied from the page: −0.8 with a minus sign, 0,5
    with a decimal comma, 5 × 10⁻⁴ or 10^-4 as well as 5e-4. A number too large for a float
    raises TooLargeError; anything else, nan and infinity included, ValueError."""
    cleaned = text.strip().replace("−", "-")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    power = _TYPED_POWER.fullmatch(cleaned)
    if power:
        exponent = power["caret"] or power["raised"].translate(_FROM_SUPERSCRIPT)
        cleaned = f"{power['mantissa'] or power['sign'] + '1'}e{exponent}"
    value = float(cleaned)
    if math.isinf(value) and cleaned.lstrip("+-")[:1].isdigit():
        raise TooLargeError(f"{text!r} is beyond the largest float")
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value
