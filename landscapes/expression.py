"""A landscape typed by the learner: `from_expression("x**2 + 3*sin(y)")`.

The text is read by Python's parser into a syntax tree and then checked against a small
whitelist (numbers, x, y, pi, e, + - * / **, a few functions); anything else is refused with a
message that names it and says where it is. Nothing is ever evaluated as code: the checked tree
is rebuilt from the node classes below, which compute with NumPy and differentiate themselves
exactly. Derivatives share their sub-expressions (every node is built once per formula), so
even a 200-character product stays a small graph.
"""

import ast
import keyword
import math
import re
from dataclasses import dataclass, field

import numpy as np

from .base import Landscape, coordinates, pair

MAX_LENGTH = 200
MAX_NESTING = 20
"""Brackets inside brackets."""
MAX_DEPTH = 100
"""Operations inside operations (1+1+1+... counts one per +)."""
MAX_EXPONENT = 10.0
MAX_NUMBER = 1e15
ALLOWED_CHARACTERS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_+-*/(). \t")
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
FUNCTIONS = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh")
CHECK_POINTS = 101
"""The map is checked for finite values on a grid of this many points a side."""
SEARCH_POINTS = 201
"""The minimum is first looked for on a grid of this many points a side, then refined."""
ZOOMS = 12
"""Each refinement looks five times closer: after twelve, the point is within about 1e-10 of the
grid's best cell's minimum, so no run's loss falls measurably below the minimum the charts use."""

_REFUSED = {
    ast.Attribute: "attribute access with '.'",
    ast.Subscript: "indexing with [ ]",
    ast.Lambda: "lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and' or 'or'",
    ast.IfExp: "'if ... else'",
    ast.Tuple: "a comma",
    ast.List: "a list",
    ast.Dict: "a dictionary",
    ast.Set: "a set",
    ast.NamedExpr: "':='",
    ast.Starred: "'*' before a name",
    ast.JoinedStr: "a string",
    ast.Await: "'await'",
}
_WORDS = re.compile(r"(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?P<name>[A-Za-z_]\w*)")
"""Numbers (skipped, so the e of 1e5 is no name) and names, in the order they are written."""
_KEYWORDS = {"lambda": "lambda", "for": "a comprehension (for ... in)", "in": "a comprehension (for ... in)",
             "import": "import"}
_OPERATOR_NAMES = {ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.MatMult: "'@'", ast.BitAnd: "'&'", ast.BitOr: "'|'",
                   ast.BitXor: "'^' (write powers as **)", ast.LShift: "'<<'", ast.RShift: "'>>'",
                   ast.Invert: "'~'", ast.Not: "'not'"}


# --- the formula's nodes ------------------------------------------------------------------

@dataclass(eq=False)
class Node:
    """A formula in x and y. `value(x, y, cache)` computes it on arrays; `derivative(var)` is
    another Node, built once and kept."""

    _derivatives: dict = field(default_factory=dict, init=False, repr=False)

    def value(self, x, y, cache):
        key = id(self)
        if key not in cache:
            cache[key] = self._compute(x, y, cache)
        return cache[key]

    def derivative(self, var: str) -> "Node":
        if var not in self._derivatives:
            self._derivatives[var] = self._differentiate(var)
        return self._derivatives[var]

    def _compute(self, x, y, cache):
        raise NotImplementedError

    def _differentiate(self, var):
        raise NotImplementedError


@dataclass(eq=False)
class Number(Node):
    number: float = 0.0

    def _compute(self, x, y, cache):
        return np.float64(self.number)  # NumPy arithmetic: 1/0 is inf with no exception

    def _differentiate(self, var):
        return ZERO


@dataclass(eq=False)
class Variable(Node):
    name: str = "x"

    def _compute(self, x, y, cache):
        return x if self.name == "x" else y

    def _differentiate(self, var):
        return ONE if var == self.name else ZERO


ZERO, ONE = Number(number=0.0), Number(number=1.0)


def _is(node, number):
    return isinstance(node, Number) and node.number == number


@dataclass(eq=False)
class Sum(Node):
    left: Node = None
    right: Node = None
    sign: float = 1.0

    def _compute(self, x, y, cache):
        a, b = self.left.value(x, y, cache), self.right.value(x, y, cache)
        return a + b if self.sign > 0 else a - b

    def _differentiate(self, var):
        return add(self.left.derivative(var), self.right.derivative(var), self.sign)


@dataclass(eq=False)
class Product(Node):
    left: Node = None
    right: Node = None

    def _compute(self, x, y, cache):
        return self.left.value(x, y, cache) * self.right.value(x, y, cache)

    def _differentiate(self, var):
        a, b = self.left, self.right
        return add(multiply(a.derivative(var), b), multiply(a, b.derivative(var)))


@dataclass(eq=False)
class Quotient(Node):
    left: Node = None
    right: Node = None

    def _compute(self, x, y, cache):
        return self.left.value(x, y, cache) / self.right.value(x, y, cache)

    def _differentiate(self, var):
        a, b = self.left, self.right
        return add(divide(a.derivative(var), b), divide(multiply(self, b.derivative(var)), b), -1.0)


@dataclass(eq=False)
class Power(Node):
    base: Node = None
    exponent: float = 1.0

    def _compute(self, x, y, cache):
        base = self.base.value(x, y, cache)
        if self.exponent == int(self.exponent) and self.exponent >= 0:
            return base ** int(self.exponent)
        return np.power(np.asarray(base, dtype=np.float64), self.exponent)

    def _differentiate(self, var):
        lower = power(self.base, self.exponent - 1)
        return multiply(multiply(Number(number=self.exponent), lower), self.base.derivative(var))


_NUMPY = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
          "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "sign": np.sign}


@dataclass(eq=False)
class Function(Node):
    name: str = "sin"
    argument: Node = None

    def _compute(self, x, y, cache):
        return _NUMPY[self.name](self.argument.value(x, y, cache))

    def _differentiate(self, var):
        u = self.argument
        outer = {
            "sin": lambda: call("cos", u),
            "cos": lambda: multiply(Number(number=-1.0), call("sin", u)),
            "tan": lambda: power(call("cos", u), -2.0),
            "exp": lambda: self,
            "log": lambda: power(u, -1.0),
            "sqrt": lambda: divide(Number(number=0.5), self),
            "abs": lambda: call("sign", u),
            "tanh": lambda: add(ONE, power(self, 2.0), -1.0),
            "sinh": lambda: call("cosh", u),
            "cosh": lambda: call("sinh", u),
            "sign": lambda: ZERO,
        }[self.name]
        inner = u.derivative(var)
        return ZERO if _is(inner, 0.0) else multiply(outer(), inner)


# --- building nodes, folding what is known ------------------------------------------------

def _number(value):
    return Number(number=float(value))


def add(a, b, sign=1.0):
    if isinstance(a, Number) and isinstance(b, Number):
        return _number(a.number + sign * b.number)
    if _is(b, 0.0):
        return a
    if _is(a, 0.0) and sign > 0:
        return b
    return Sum(left=a, right=b, sign=sign)


def multiply(a, b):
    if isinstance(a, Number) and isinstance(b, Number):
        return _number(a.number * b.number)
    if _is(a, 0.0) or _is(b, 0.0):
        return ZERO
    if _is(a, 1.0):
        return b
    if _is(b, 1.0):
        return a
    return Product(left=a, right=b)


def divide(a, b):
    if _is(a, 0.0):
        return ZERO
    if _is(b, 1.0):
        return a
    if isinstance(a, Number) and isinstance(b, Number) and b.number != 0:
        return _number(a.number / b.number)
    return Quotient(left=a, right=b)


def power(base, exponent):
    if exponent == 0:
        return ONE
    if exponent == 1:
        return base
    if isinstance(base, Number):
        with np.errstate(all="ignore"):
            folded = np.power(base.number, exponent)
        if np.isfinite(folded):
            return _number(folded)
    return Power(base=base, exponent=float(exponent))


def call(name, argument):
    if isinstance(argument, Number):
        with np.errstate(all="ignore"):
            folded = _NUMPY[name](argument.number)
        if np.isfinite(folded):
            return _number(folded)
    return Function(name=name, argument=argument)


# --- reading the text ----------------------------------------------------------------------

def _at(node) -> str:
    return f" (at character {node.col_offset + 1})"


def _check_text(text: str) -> None:
    if not isinstance(text, str):
        raise ValueError("the formula must be text")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"the formula is {len(text)} characters long; at most {MAX_LENGTH} are allowed")
    if not text.strip():
        raise ValueError("type a formula in x and y, for example x**2 + 3*y**2")
    for word in _WORDS.finditer(text):
        name = word.group("name")
        if name is None or name in VARIABLES or name in CONSTANTS or name in FUNCTIONS:
            continue
        where = f" (at character {word.start() + 1})"
        if text[:word.start()].rstrip().endswith("."):
            raise ValueError(f"attribute access with '.' is not allowed{where}")
        if keyword.iskeyword(name):
            raise ValueError(f"{_KEYWORDS.get(name, repr(name))} is not allowed in a formula{where}")
        raise ValueError(f"unknown name {name!r}{where}; use x, y, pi, e and {', '.join(FUNCTIONS)}")
    for position, character in enumerate(text, start=1):
        if character not in ALLOWED_CHARACTERS:
            shown = repr(character) if character.isprintable() else f"U+{ord(character):04X}"
            raise ValueError(f"the character {shown} (at character {position}) is not allowed; use numbers, x, y, "
                             f"+ - * / ** and brackets")
    depth = 0
    for position, character in enumerate(text, start=1):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth > MAX_NESTING:
            raise ValueError(f"brackets are nested more than {MAX_NESTING} deep (at character {position})")


def _exponent(node) -> float:
    """The number after **, which must be a literal (optionally signed) of size at most 10."""
    sign = 1.0
    literal = node
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        literal = node.operand
    if not (isinstance(literal, ast.Constant) and type(literal.value) in (int, float)):
        raise ValueError(f"the power after ** must be a plain number such as 2 or -0.5, not a formula{_at(node)}")
    value = sign * float(literal.value)
    if not abs(value) <= MAX_EXPONENT:
        raise ValueError(f"the power after ** must be between -{MAX_EXPONENT:g} and {MAX_EXPONENT:g}; "
                         f"got {value:g}{_at(node)}")
    return value


def _build(node, depth=0) -> Node:
    if depth > MAX_DEPTH:
        raise ValueError(f"the formula nests more than {MAX_DEPTH} operations deep")
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float):
            raise ValueError(f"only numbers, x and y may appear, not {type(node.value).__name__} values{_at(node)}")
        value = float(node.value) if abs(node.value) <= MAX_NUMBER else math.inf
        if not abs(value) <= MAX_NUMBER:
            raise ValueError(f"numbers must be at most {MAX_NUMBER:g} in size{_at(node)}")
        return _number(value)
    if isinstance(node, ast.Name):
        if node.id in VARIABLES:
            return Variable(name=node.id)
        if node.id in CONSTANTS:
            return _number(CONSTANTS[node.id])
        if node.id in FUNCTIONS:
            raise ValueError(f"{node.id} needs brackets, as in {node.id}(x){_at(node)}")
        raise ValueError(f"unknown name {node.id!r}{_at(node)}; use x, y, pi, e and {', '.join(FUNCTIONS)}")
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.USub):
            return multiply(Number(number=-1.0), _build(node.operand, deeper))
        if isinstance(node.op, ast.UAdd):
            return _build(node.operand, deeper)
        raise ValueError(f"{_OPERATOR_NAMES.get(type(node.op), 'that operator')} is not allowed{_at(node)}")
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow):
            exponent = _exponent(node.right)
            return power(_build(node.left, deeper), exponent)
        left, right = _build(node.left, deeper), _build(node.right, deeper)
        if isinstance(node.op, ast.Add):
            return add(left, right)
        if isinstance(node.op, ast.Sub):
            return add(left, right, -1.0)
        if isinstance(node.op, ast.Mult):
            return multiply(left, right)
        if isinstance(node.op, ast.Div):
            return divide(left, right)
        raise ValueError(f"{_OPERATOR_NAMES.get(type(node.op), 'that operator')} is not allowed{_at(node)}")
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            called = repr(name) if name else "that"
            raise ValueError(f"unknown function {called}{_at(node)}; use {', '.join(FUNCTIONS)}")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ValueError(f"{name} takes exactly one number, as in {name}(x){_at(node)}")
        return call(name, _build(node.args[0], deeper))
    refused = _REFUSED.get(type(node), "this kind of expression")
    raise ValueError(f"{refused} is not allowed{_at(node)}")


def parse(text: str) -> Node:
    """The formula `text` as a Node, or ValueError saying what is wrong and where."""
    _check_text(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as problem:
        where = f" at character {problem.offset}" if problem.offset else ""
        raise ValueError(f"cannot read the formula{where}: check the brackets and write products with *, "
                         f"as in 2*x") from None
    return _build(tree.body)


# --- the landscape -------------------------------------------------------------------------

def _evaluator(node: Node):
    def evaluate(points):
        x, y = coordinates(points)
        with np.errstate(all="ignore"):
            return np.broadcast_to(node.value(x, y, {}), x.shape).astype(np.float64)

    return evaluate


def _pair_of(dx: Node, dy: Node):
    def evaluate(points):
        x, y = coordinates(points)
        cache = {}
        with np.errstate(all="ignore"):
            along_x, along_y = dx.value(x, y, cache), dy.value(x, y, cache)
            return pair(np.broadcast_to(along_x, x.shape), np.broadcast_to(along_y, x.shape))

    return evaluate


def _grid(x_range, y_range, points):
    xs, ys = np.linspace(*x_range, points), np.linspace(*y_range, points)
    return np.stack(np.meshgrid(xs, ys), axis=-1)


def _lowest_point(f, x_range, y_range) -> tuple[float, float]:
    """The lowest point on the map: best of a grid, then ZOOMS zooms around it."""
    grid = _grid(x_range, y_range, SEARCH_POINTS)
    values = f(grid)
    best = grid.reshape(-1, 2)[np.nanargmin(values)]
    span = np.array([np.diff(x_range)[0], np.diff(y_range)[0]]) / (SEARCH_POINTS - 1)
    for _ in range(ZOOMS):
        low, high = best - 2 * span, best + 2 * span
        low = np.maximum(low, [x_range[0], y_range[0]])
        high = np.minimum(high, [x_range[1], y_range[1]])
        local = _grid((low[0], high[0]), (low[1], high[1]), 21)
        best = local.reshape(-1, 2)[np.nanargmin(f(local))]
        span = span / 5
    return float(best[0]), float(best[1])


def from_expression(text: str, x_range=(-3.0, 3.0), y_range=(-3.0, 3.0)) -> Landscape:
    """A Landscape for the formula `text` in x and y over the given map, or ValueError with a
    message for the learner (what is wrong and where)."""
    root = parse(text)
    dx, dy = root.derivative("x"), root.derivative("y")
    f, grad, hess = _evaluator(root), _pair_of(dx, dy), _pair_of(dx.derivative("x"), dy.derivative("y"))
    grid = _grid(x_range, y_range, CHECK_POINTS)
    values, slopes = f(grid), grad(grid)
    for what, sample in (("the formula", values), ("its slope", slopes)):
        bad = ~np.isfinite(sample)
        if bad.ndim == 3:
            bad = bad.any(axis=-1)
        if bad.any():
            row, column = np.argwhere(bad)[0]
            x, y = grid[row, column]
            raise ValueError(f"{what} is not a finite number at x = {x:.3g}, y = {y:.3g} on the map "
                             f"(a log or square root of a negative number, a division by zero, or too large)")
    if not np.all(np.abs(values) < 1e12):
        raise ValueError("the formula reaches values beyond 10¹² on the map; scale it down")
    lowest = _lowest_point(f, x_range, y_range)
    floor = float(f(np.array(lowest)))
    if not np.isfinite(floor):
        raise ValueError(f"the formula is not a finite number near x = {lowest[0]:.3g}, y = {lowest[1]:.3g}, "
                         f"where it falls without bound (a log of 0 or a division by zero between the points "
                         f"checked)")
    spread = np.percentile(values, 50) - floor
    log_contours = bool(spread > 0 and (values.max() - floor) / spread > 30)
    start = (0.9 * x_range[0] + 0.1 * x_range[1], 0.1 * y_range[0] + 0.9 * y_range[1])
    name = f"typed {text.strip()} on {tuple(x_range)} x {tuple(y_range)}"  # views tell two formulas apart by name
    return Landscape(name, "Your landscape", f, grad, hess, tuple(x_range), tuple(y_range), (lowest,), start,
                     log_contours=log_contours, summary=f"f = {text.strip()}")
