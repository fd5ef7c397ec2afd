"""Hyperparameters other than the rate, given to one optimizer as text: read, checked, written.

A learner types `momentum=0.95, weight_decay=0.01` for one optimizer; the arena keeps every
optimizer's choices in one line of its link, `adam:betas=0.8/0.99,eps=1e-06;momentum:momentum=0.95`.
A pair of numbers (Adam's betas) is written with a slash. Every value is checked by the core's
own rules (`optimizers.hyper.resolve`), so a refusal reads like torch.optim's.
"""


from optimizers import get_spec, names
from optimizers.hyper import resolve

from .numbers import read_number

MAX_TEXT = 400
"""The longest text for one optimizer's settings."""
MAX_TABLE = 1000
"""The longest line of every optimizer's settings that the arena keeps (and accepts from a link)."""
TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def adjustable(name: str) -> dict:
    """The settings of `name` a learner may change here, with their defaults: everything but the
    rate (set elsewhere) and what the method's name pins (Nesterov's nesterov=True)."""
    spec = get_spec(name)
    return {key: value for key, value in spec.defaults.items() if key != "lr" and key not in spec.fixed}


def name_value_pairs(text: str, what: str, example: str) -> list[tuple[str, str]]:
    """'a=1, b=2' as [('a', '1'), ('b', '2')] (blank parts skipped), or ValueError asking for each
    `what` as name=value, like `example`."""
    pairs = []
    for part in filter(None, (part.strip() for part in text.split(","))):
        key, equals, value = part.partition("=")
        if not equals:
            raise ValueError(f"write each {what} as name=value, e.g. {example}")
        pairs.append((key.strip(), value))
    return pairs


def _number(key: str, text: str) -> float:
    """A number written any way the page writes one (−0.8, 10⁻⁸, 1e-8)."""
    try:
        return read_number(text)
    except ValueError:
        raise ValueError(f"{key} must be a finite number, got {text[:20]!r}") from None


def _value(key: str, default, text: str):
    """`text` read as the same kind of value as `default`."""
    text = text.strip()
    if isinstance(default, bool):
        if text.lower() not in TRUE + FALSE:
            raise ValueError(f"{key} is on or off: write true or false, not {text[:20]!r}")
        return text.lower() in TRUE
    if isinstance(default, tuple):
        parts = text.split("/")
        if len(parts) != len(default):
            raise ValueError(f"{key} is {len(default)} numbers written with a slash, such as "
                             f"{format_value(default)}")
        return tuple(None if part.strip().lower() == "none" and was is None else _number(key, part)
                     for part, was in zip(parts, default, strict=True))
    value = _number(key, text)
    if isinstance(default, int):
        if value != int(value):
            raise ValueError(f"{key} must be a whole number, got {text[:20]!r}")
        return int(value)
    return value


def read_settings(name: str, text: str) -> dict:
    """`text` such as 'momentum=0.95, weight_decay=0.01' as the settings it gives optimizer `name`,
    or ValueError saying what is wrong. Blank text gives no settings (every default)."""
    if name not in names():
        raise ValueError(f"{name[:20]!r} is not an optimizer of the course")
    if len(text) > MAX_TEXT:
        raise ValueError(f"the settings are longer than {MAX_TEXT} characters")
    allowed = adjustable(name)
    title = get_spec(name).title
    given = {}
    for key, value in name_value_pairs(text, "setting", defaults_text(name)):
        if key == "lr":
            raise ValueError("the rate is set with the slider above, not here")
        if key not in allowed:
            choices = ", ".join(allowed) or "nothing but its rate"
            raise ValueError(f"{title} has no setting {key[:20]!r}; it takes {choices}")
        given[key] = _value(key, allowed[key], value)
    resolve(name, get_spec(name).defaults, given)
    return given


def format_value(value) -> str:
    """A setting as text that reads back as exactly the same value (0.9999999 stays 0.9999999)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "/".join("none" if part is None else repr(part) for part in value)
    return repr(value)


def settings_text(settings: dict) -> str:
    """One optimizer's settings as the text a learner would type for them."""
    return ", ".join(f"{key}={format_value(value)}" for key, value in settings.items())


def defaults_text(name: str) -> str:
    """The text of `name`'s default settings (what its box shows before anything is typed)."""
    return settings_text(adjustable(name)) or "(none: only its rate can change)"


def read_table(text: str) -> dict[str, dict]:
    """The arena's line 'adam:betas=0.8/0.99;momentum:momentum=0.95' as {optimizer: settings}."""
    if len(text) > MAX_TABLE:
        raise ValueError(f"all optimizers' settings together must fit in {MAX_TABLE} characters")
    table = {}
    for part in filter(None, (part.strip() for part in text.split(";"))):
        name, colon, settings = part.partition(":")
        if not colon:
            raise ValueError("write each optimizer's settings as name:setting=value")
        given = read_settings(name.strip(), settings)
        if given:
            table[name.strip()] = given
    return table


def table_text(table: dict[str, dict]) -> str:
    return ";".join(f"{name}:{settings_text(settings).replace(', ', ',')}"
                    for name, settings in table.items() if settings)
