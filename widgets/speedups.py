"""Faster page building for the Bokeh and Panel versions the course pins, with the same documents.

Profiling a visit (the budget is 0.2 s of server CPU per page) showed 18-42% of the time in
Bokeh recomputing property defaults. Bokeh 3.9 works a default out again on every read: it walks
the class's MRO for overridden defaults, copies and validates the value, and looks for theme
overrides through a failing `getattr`. Every walk of a document (collecting references,
`select`, freezing, serialising) reads every property of every model, and serialisation reads
even the properties it is about to drop; checking a dict property spells out its error message
before knowing whether there is an error. Panel 1.9 adds a loop that is quadratic in a
component's parameters and compiles a Jinja template for every FlexBox, and every read of a
setting of `pn.config` (thousands per visit) runs an import statement.

`install()` replaces those spots with versions that give the same answers and remember what
depends only on the class. It is applied only to the versions it was checked against
(`CHECKED`); `tests/test_speedups.py` builds every page in both themes with and without it and
requires the serialised documents to be identical. After upgrading Bokeh or Panel, run that test
with the new versions and update `CHECKED`.
"""

import copy
import enum
import functools
import importlib
import textwrap
from html import escape

import bokeh
import bokeh.model.util as model_util
import jinja2
import panel
import panel.reactive as panel_reactive
import param
from bokeh.core.has_props import HasProps, Intrinsic, Undefined
from bokeh.core.property.container import Dict
from bokeh.core.property.descriptors import PropertyDescriptor, UnsetValueError
from bokeh.core.property.wrappers import PropertyValueContainer
from panel.io.state import state as panel_state
from panel.reactive import Reactive, ReactiveHTML, Syncable
from panel.util import HTML_SANITIZER
from panel.viewable import Layoutable, Viewable

CHECKED = {"bokeh": "3.9.2", "panel": "1.9.4"}
_MISSING = object()


def _immutable(value) -> bool:
    """Whether `value` can be handed to many models at once (Bokeh gives each read its own copy)."""
    if value is None or isinstance(value, str | int | float | bool | enum.Enum):
        return True
    return isinstance(value, tuple) and all(_immutable(item) for item in value)


def applicable() -> bool:
    return bokeh.__version__ == CHECKED["bokeh"] and panel.__version__ == CHECKED["panel"]


def install() -> bool:
    """Apply every patch once (for the checked versions only); whether they are in place."""
    if not applicable():
        return False
    if getattr(HasProps, "_optimizer_lab_speedups", False):
        return True
    _class_defaults()
    _dict_checks_without_messages()
    _serialise_what_is_kept()
    _walk_held_values()
    _panel_once_per_class()
    _config_without_import()
    HasProps._optimizer_lab_speedups = True
    return True


def _class_defaults():
    """Defaults, and whether each is unstable (a mutable or model value), depend only on the class
    and the property when no theme overrides them: work each out once."""
    overridden = HasProps._overridden_defaults.__func__
    HasProps._overridden_defaults = classmethod(functools.cache(overridden))  # callers only read it

    unstable_answers = {}
    has_unstable_default = PropertyDescriptor.has_unstable_default

    def cached_has_unstable_default(self, obj):
        key = (obj.__class__, self.name)
        answer = unstable_answers.get(key)
        if answer is None:
            answer = unstable_answers[key] = has_unstable_default(self, obj)
        return answer

    stable_defaults = {}
    get_default = PropertyDescriptor._get_default

    def cached_get_default(self, obj):
        themed = obj.themed_values()
        if themed is not None and self.name in themed:
            return get_default(self, obj)
        key = (obj.__class__, self.name)
        value = stable_defaults.get(key, _MISSING)
        if value is _MISSING:
            value = get_default(self, obj)
            if not self.has_unstable_default(obj) and _immutable(value):
                stable_defaults[key] = value  # shared by every instance: only values nobody can change
        return value

    def themed_values(self):  # the theme's overrides live in the instance's dict, when there are any
        return self.__dict__.get("__themed_values__")

    unstable_names = {}

    def init(self, **properties):
        super(HasProps, self).__init__()
        self._property_values = {}
        self._unstable_default_values = {}
        self._unstable_themed_values = {}
        for name, value in properties.items():
            if value is Undefined or value is Intrinsic:
                continue
            setattr(self, name, value)
        cls = type(self)
        unstable = unstable_names.get(cls)
        if unstable is None:
            unstable = unstable_names[cls] = [
                (name, self.lookup(name)) for name in self.properties(_with_props=True)
                if self.lookup(name).has_unstable_default(self)]
        for name, descriptor in unstable:
            if name not in properties:
                descriptor._get(self)  # fills in the unstable default, as Bokeh's own __init__ does
        self._initialized = True

    PropertyDescriptor.has_unstable_default = cached_has_unstable_default
    PropertyDescriptor._get_default = cached_get_default
    HasProps.themed_values = themed_values
    HasProps.__init__ = init


def _dict_checks_without_messages():
    """Bokeh's check of a dict property writes its error message (the property type as text, a
    recursive walk) before it knows whether there is an error, for every dict of every model
    made. Here a valid dict passes without the message; an invalid one gets Bokeh's own check."""
    validate = Dict.validate

    def validate_quietly_when_valid(self, value, detail=True):
        if isinstance(value, dict):
            key_is_valid, value_is_valid = self.keys_type.is_valid, self.values_type.is_valid
            if all(key_is_valid(key) and value_is_valid(item) for key, item in value.items()):
                super(Dict, self).validate(value, detail)
                return
        validate(self, value, detail)

    Dict.validate = validate_quietly_when_valid


def _serialise_what_is_kept():
    """Serialising without defaults reads only the properties it keeps (Bokeh reads all, then
    drops the unselected ones)."""
    query_properties_with_values = HasProps.query_properties_with_values

    def selected_properties_with_values(self, query, *, include_defaults=True, include_undefined=False):
        if include_defaults:
            return query_properties_with_values(self, query, include_defaults=True,
                                                include_undefined=include_undefined)
        themed = self.themed_values()
        themed_keys = set(themed) if themed is not None else set()
        selected = set(self._property_values) | set(self._unstable_default_values) | themed_keys
        result = {}
        for key in self.properties(_with_props=True):
            descriptor = self.lookup(key)
            if key not in selected:
                if descriptor.property._default is Undefined and not include_undefined and query(descriptor):
                    descriptor.get_value(self)  # a required property left unset raises, as in Bokeh
                continue
            if not query(descriptor):
                continue
            try:
                value = descriptor.get_value(self)
            except UnsetValueError:
                if not include_undefined:
                    raise
                value = Undefined
            else:
                if (key not in themed_keys and isinstance(value, PropertyValueContainer)
                        and key in self._unstable_default_values):
                    continue  # an untouched default container, as Bokeh drops it
            result[key] = value
        return result

    HasProps.query_properties_with_values = selected_properties_with_values


def _walk_held_values():
    """A walk of the document's references reads a value the model holds from where it is held
    (the same order of precedence as Bokeh's descriptor: set, then unstable default unless a theme
    overrides it, then everything else through the descriptor)."""
    visit_value = model_util.visit_value_and_its_immediate_references

    def visit_immediate_value_references(value, visitor):
        if not isinstance(value, HasProps):
            visit_value(value, visitor)
            return
        held, unstable = value._property_values, value._unstable_default_values
        themed = value.__dict__.get("__themed_values__")
        for attr in value.properties_with_refs():
            if attr in held:
                child = held[attr]
            elif attr in unstable and not (themed and attr in themed):
                child = unstable[attr]
            else:
                child = getattr(value, attr)
            visit_value(child, visitor)

    model_util.visit_immediate_value_references = visit_immediate_value_references


def _panel_once_per_class():
    """Panel computes a component's synced parameters once per parameter (quadratic) and compiles
    a FlexBox's Jinja template for every instance: once each."""

    def init_params(self):
        synced = set(self._synced_params)
        values = {}
        for name in self.param:
            if name in synced:
                value = getattr(self, name)
                if value is not None:
                    values[name] = value
        return values

    class CompiledOnce:
        Template = staticmethod(functools.lru_cache(maxsize=256)(jinja2.Template))

    Syncable._init_params = init_params
    panel_reactive.jinja2 = CompiledOnce
    ReactiveHTML._init_params = _reactive_html_init_params


def _config_without_import():
    """Panel's `_config.__getattribute__` with the session state it imports on every call looked up
    once: the same rules, in the same order."""
    panel_config = importlib.import_module("panel.config")  # `panel.config` is also the settings object
    config_class = panel_config._config
    base_getattribute = super(config_class, config_class).__getattribute__
    own = frozenset({"_param__private", "_globals", "_parameter_set", "__class__", "param"})
    copied = frozenset({"raw_css", "global_css", "css_files", "js_files", "js_modules"})

    def config_getattribute(self, attr):
        if panel_config._config_uninitialized or attr in own:
            return base_getattribute(self, attr)
        session_config = base_getattribute(self, "_session_config")
        curdoc = panel_state.curdoc
        if curdoc and curdoc not in session_config:
            session_config[curdoc] = {}
        if attr in copied and curdoc and attr not in session_config[curdoc]:
            setattr(self, attr, copy.copy(base_getattribute(self, attr)))
        if attr in config_class._globals or attr == "theme":
            return base_getattribute(self, attr)
        if curdoc and curdoc in session_config and attr in session_config[curdoc]:
            return session_config[curdoc][attr]
        if f"_{attr}" in config_class._parameter_set and getattr(self, f"_{attr}_") is not None:
            return base_getattribute(self, f"_{attr}_")
        return base_getattribute(self, attr)

    config_class.__getattribute__ = config_getattribute


def _reactive_html_init_params(self):
    """Panel's ReactiveHTML._init_params, reading each parameter's settings from the instance's own
    copy where it has one and from the class otherwise, instead of `self.param[name]`, which makes
    a copy of every parameter for every instance (FlexBox has dozens)."""
    ignored = list(Reactive.param)
    for child in self._parser.children.values():
        if self._child_config.get(child) != "literal":
            ignored.append(child)
    params = {p: getattr(self, p) for p in list(Layoutable.param) if getattr(self, p) is not None and p != "name"}
    data_params, event_params = {}, []
    parameters = self.param.objects(instance="existing")
    for k in self.param:
        pobj = parameters[k]
        v = getattr(self, k)
        if ((k in ignored and k != "name") or ((pobj.precedence or 0) < 0)
                or (isinstance(v, Viewable) and not isinstance(pobj, param.ClassSelector))):
            continue
        if isinstance(v, str):
            v = HTML_SANITIZER.clean(v)
        data_params[k] = v
        if isinstance(pobj, param.Event):
            event_params.append(k)
    html, nodes, self._attrs = self._get_template()
    params.update({
        "attrs": self._attrs,
        "callbacks": self._node_callbacks,
        "data": self._data_model(**self._process_param_change(data_params)),
        "events": self._get_events(),
        "event_params": event_params,
        "html": escape(textwrap.dedent(html)),
        "nodes": nodes,
        "looped": [node for node, _ in self._parser.looped],
        "scripts": {},
    })
    for trigger, scripts in self._scripts.items():
        if not isinstance(scripts, list):
            scripts = [scripts]
        params["scripts"][trigger] = [escape(textwrap.dedent(script).strip()) for script in scripts]
    return params
