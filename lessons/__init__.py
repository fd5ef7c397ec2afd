"""Lesson state: what every widget shows, as `param.Parameterized` models that know nothing of
panel or bokeh. Views draw them, tests check their claims, links are made from them."""

from .links import Link
from .player import Player
from .race import Entry, Lane, Race, RaceResult

__all__ = ["Entry", "Lane", "Link", "Player", "Race", "RaceResult"]
