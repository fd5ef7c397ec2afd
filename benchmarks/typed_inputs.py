"""Generated inputs for typed landscapes: the benchmark times the answers to them, and the fuzz
test in tests/test_expression.py checks them."""

from landscapes.expression import FUNCTIONS

OPERANDS = ["x", "y", "pi", "e", "0", "1", "2.5", "10", "1e3", "1e-3", "-", "(", *[f"{name}(" for name in FUNCTIONS]]
OPERATORS = ["+", "-", "*", "/", "**2", "**-1", "**0.5", "**10", ")", " "]
"""Pieces of the grammar. The token fuzz mostly alternates operands and operators, with one piece
in ten drawn at random: so its inputs are often formulas and reach the derivatives, the checks on
the map and the search for the minimum, and often nearly formulas that the parser must refuse."""
ALPHABET = [*"0123456789xyzeEpi+-*/(). ,_'\"[]{}:;=<>!@#$%^&|~`?\\\t\n", "\x00", "é", "ｘ", "∞", "😀"]


def token_sequence(rng):
    """A random run of grammar pieces: often a formula, often nearly one."""
    pieces, expecting_operand, open_brackets = [], True, 0
    for _ in range(int(rng.integers(1, 30))):
        choices = OPERANDS if expecting_operand else OPERATORS
        piece = str(rng.choice(OPERANDS + OPERATORS if rng.random() < 0.1 else choices))
        pieces.append(piece)
        open_brackets += piece.count("(") - piece.count(")")
        expecting_operand = piece in ("-", "+", "*", "/") or piece.endswith("(")
    if rng.random() < 0.9:
        pieces += [")"] * max(open_brackets, 0)
    return "".join(pieces)
