"""Frozen dataclasses without importing :mod:`dataclasses` until someone looks.

``import dataclasses`` imports :mod:`inspect` (and with it ``ast``, ``dis``,
``tokenize``, ``re``, ``enum``...): about half of this package's import time, for a
program that only creates a client and calls it. :func:`dataclass` here makes the
same class as ``dataclasses.dataclass(frozen=True)`` for what this package uses
(annotated fields, defaults, ``field(default=, default_factory=, repr=, compare=)``,
``__post_init__``, a class's own ``__repr__``) and refuses anything else:

* ``__init__`` is made from the fields, as the standard one (same signature,
  annotations and defaults, ``<factory>`` for a default factory, ``__post_init__``),
  but without compiling source text;
  ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` behave
  as the standard ones of the running Python (``__eq__`` as 3.13's from 3.13 on),
  raising :class:`dataclasses.FrozenInstanceError`; ``__match_args__`` (3.10+) and
  ``__replace__`` (3.13+) as there.
* ``__dataclass_fields__`` and ``__dataclass_params__``, which every function of
  :mod:`dataclasses` reads (``is_dataclass``, ``fields``, ``asdict``, ``astuple``,
  ``replace``), are made on first access by running the real
  ``dataclasses.dataclass(frozen=True)`` on a twin class built from the same body:
  they are the standard module's own objects, from the one definition.

Type checkers see ``dataclasses.dataclass`` itself (the modules import it under
``TYPE_CHECKING``). tests/test_tokenbridge.py checks every public class against its
twin.
"""

from __future__ import annotations

import builtins
import sys
from _thread import get_ident

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Tuple

_MISSING: Any = object()
_SUPPORTED_OWN = frozenset(("__repr__",))  # methods a class may define itself
# What a class's __dict__ holds that its body did not (or that type() makes anew).
_NOT_BODY = frozenset(("__dict__", "__weakref__", "__dataclass_fields__", "__dataclass_params__"))
_GENERATED = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__")


class _Factory:
    """The default of a field with a default factory, in ``__init__``'s signature
    (the standard module's is shown as ``<factory>`` too)."""

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


class _Field:
    """What :func:`field` returns: the arguments for ``dataclasses.field``."""

    __slots__ = ("default", "default_factory", "repr", "compare")

    def __init__(self, default: Any, default_factory: Any, repr: bool, compare: bool) -> None:
        self.default = default
        self.default_factory = default_factory
        self.repr = repr
        self.compare = compare


def field(
    *, default: Any = _MISSING, default_factory: Any = _MISSING, repr: bool = True, compare: bool = True
) -> Any:
    """``dataclasses.field`` for the arguments this package uses."""
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _Field(default, default_factory, repr, compare)


class _Lazy:
    """``__dataclass_fields__`` / ``__dataclass_params__`` until first read: then
    the standard module's objects, which replace this in the class."""

    def __init__(self, cls: type, name: str) -> None:
        self.cls = cls
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        cls = self.cls
        _materialize(cls)
        return cls.__dict__[self.name]


def _template(self: Any) -> None:
    # The code of every generated __init__, given the fields as its parameters
    # (_make_init): it hands them, by name, to the class's own setter.
    __dataclass_init__(self, locals())  # type: ignore[name-defined]  # noqa: F821 - the namespace's


def _make_init(cls: type, names: Tuple[Tuple[str, _Field], ...], post_init: bool) -> Any:
    """The ``__init__`` the standard module would generate: the same parameters,
    defaults (``<factory>`` for a default factory) and annotations, each value set
    with ``object.__setattr__``, then ``__post_init__``. Made without compiling
    anything (the standard module compiles source text, which cost most of the
    making of a class): the code of :func:`_template` with the fields as its
    parameters."""
    fields = tuple(n for n, _ in names)
    factories = {n: f.default_factory for n, f in names if f.default_factory is not _MISSING}
    defaults = tuple(
        _FACTORY if f.default_factory is not _MISSING else f.default
        for _, f in names
        if f.default_factory is not _MISSING or f.default is not _MISSING
    )
    setattr_ = object.__setattr__

    def __dataclass_init__(self: Any, values: Dict[str, Any]) -> None:
        for name in fields:
            value = values[name]
            if value is _FACTORY and name in factories:
                value = factories[name]()
            setattr_(self, name, value)
        if post_init:
            self.__post_init__()

    code = _template.__code__
    replace: Dict[str, Any] = {
        "co_argcount": 1 + len(fields),
        "co_nlocals": 1 + len(fields),
        "co_varnames": ("self",) + fields,
        "co_name": "__init__",
    }
    if sys.version_info >= (3, 11):
        replace["co_qualname"] = "{}.__init__".format(cls.__qualname__)
    namespace = {"__dataclass_init__": __dataclass_init__, "__builtins__": builtins, "__name__": cls.__module__}
    function: Any = type(_template)  # types.FunctionType, without importing types
    init = function(code.replace(**replace), namespace, "__init__", defaults or None)
    init.__annotations__ = dict(cls.__dict__["__annotations__"], **{"return": None})
    init.__qualname__ = "{}.__init__".format(cls.__qualname__)
    return init


def _twin(cls: type) -> type:
    """The class ``dataclasses.dataclass(frozen=True)`` makes of ``cls``'s body."""
    import dataclasses

    specs, added = cls.__dict__["__dataclass_specs__"]
    # The class's own body: what this module added and the fields left out.
    ns: Dict[str, Any] = {
        k: v for k, v in cls.__dict__.items() if k not in added and k not in specs and k not in _NOT_BODY
    }
    ns["__annotations__"] = dict(ns["__annotations__"])
    ns["__qualname__"] = cls.__qualname__
    for name, spec in specs.items():
        if isinstance(spec, _Field):
            kw: Dict[str, Any] = {"repr": spec.repr, "compare": spec.compare}
            if spec.default is not _MISSING:
                kw["default"] = spec.default
            if spec.default_factory is not _MISSING:
                kw["default_factory"] = spec.default_factory
            ns[name] = dataclasses.field(**kw)
        elif spec is not _MISSING:
            ns[name] = spec
    return dataclasses.dataclass(frozen=True)(type(cls.__name__, (), ns))


def _materialize(cls: type) -> None:
    twin = _twin(cls)
    type.__setattr__(cls, "__dataclass_fields__", twin.__dict__["__dataclass_fields__"])
    type.__setattr__(cls, "__dataclass_params__", twin.__dict__["__dataclass_params__"])


def _frozen_error(message: str) -> Exception:
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


def dataclass(*, frozen: bool) -> Callable[[type], type]:
    """``dataclasses.dataclass(frozen=True)`` (the only form this package uses)."""
    if frozen is not True:
        raise TypeError("tokenbridge._dataclass makes frozen dataclasses only")
    return _process


def _process(cls: type) -> type:
    body = cls.__dict__
    for base in cls.__mro__[1:]:
        if "__dataclass_fields__" in base.__dict__ or "__dataclass_specs__" in base.__dict__:
            raise TypeError("tokenbridge._dataclass: dataclass inheritance is not supported")
    for name in _GENERATED + ("__hash__",):
        if name in body and name not in _SUPPORTED_OWN and not (name == "__hash__" and body[name] is None):
            raise TypeError("tokenbridge._dataclass: {} may not define {}".format(cls.__name__, name))
    annotations: Dict[str, Any] = body.get("__annotations__", {})
    specs: Dict[str, Any] = {}
    names = []
    seen_default = False
    for name, annotation in annotations.items():
        if not isinstance(annotation, str) or "ClassVar" in annotation or "InitVar" in annotation:
            raise TypeError("tokenbridge._dataclass: {}.{}: only plain string annotations".format(cls.__name__, name))
        if name in ("self", "locals") or name.startswith("__dataclass"):  # _template's names
            raise TypeError("tokenbridge._dataclass: field name {!r} is not supported".format(name))
        spec = body.get(name, _MISSING)
        specs[name] = spec
        f = spec if isinstance(spec, _Field) else _Field(spec, _MISSING, True, True)
        if f.default is not _MISSING and type(f.default).__hash__ is None:
            raise ValueError(
                "mutable default {} for field {} is not allowed: use default_factory".format(type(f.default), name)
            )
        if f.default is _MISSING and f.default_factory is _MISSING:
            if seen_default:
                raise TypeError("non-default argument {!r} follows default argument".format(name))
        else:
            seen_default = True
        names.append((name, f))
        # As the standard module: a plain default stays as the class attribute,
        # field(default=x) becomes x, field() or a default factory none.
        if isinstance(spec, _Field):
            if f.default is _MISSING:
                delattr(cls, name)
            else:
                type.__setattr__(cls, name, f.default)
    fields = tuple(n for n, _ in names)
    shown = tuple(n for n, f in names if f.repr)
    compared = tuple(n for n, f in names if f.compare)
    methods: Dict[str, Any] = {}
    if "__repr__" not in body:
        methods["__repr__"] = _repr(shown)
    methods["__eq__"] = _eq(compared)
    methods["__hash__"] = _hash(compared)
    methods["__setattr__"], methods["__delattr__"] = _frozen(cls, fields)
    if sys.version_info >= (3, 13):  # one function for every class, as there
        methods["__replace__"] = _replace
    for name, fn in methods.items():
        if fn is not _replace:
            fn.__qualname__ = "{}.{}".format(cls.__qualname__, fn.__name__)
        type.__setattr__(cls, name, fn)
    added = set(methods) | {"__init__", "__dataclass_specs__"}
    if sys.version_info >= (3, 10):
        type.__setattr__(cls, "__match_args__", fields)
        added.add("__match_args__")
    type.__setattr__(cls, "__init__", _make_init(cls, tuple(names), "__post_init__" in body))
    type.__setattr__(cls, "__dataclass_specs__", (specs, frozenset(added)))
    for lazy in ("__dataclass_fields__", "__dataclass_params__"):
        type.__setattr__(cls, lazy, _Lazy(cls, lazy))
    return cls


_repr_running: "set[Tuple[int, int]]" = set()  # the reprs under way (recursion)


def _repr(shown: Tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        key = id(self), get_ident()
        if key in _repr_running:
            return "..."
        _repr_running.add(key)
        try:
            return "{}({})".format(
                self.__class__.__qualname__, ", ".join("{}={!r}".format(n, getattr(self, n)) for n in shown)
            )
        finally:
            _repr_running.discard(key)

    return __repr__


def _eq(compared: Tuple[str, ...]) -> Callable[[Any, Any], Any]:
    if sys.version_info >= (3, 13):  # field by field, `a == b and c == d`

        def __eq__(self: Any, other: Any) -> Any:
            if self is other:
                return True
            if other.__class__ is self.__class__:
                result: Any = True
                for n in compared:
                    result = getattr(self, n) == getattr(other, n)
                    if not result:
                        return result
                return result
            return NotImplemented

    else:  # as tuples

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)
            return NotImplemented

    return __eq__


def _hash(compared: Tuple[str, ...]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, n) for n in compared))

    return __hash__


def _frozen(cls: type, fields: Tuple[str, ...]) -> Tuple[Callable[..., None], Callable[..., None]]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in fields:
            raise _frozen_error("cannot assign to field {!r}".format(name))
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in fields:
            raise _frozen_error("cannot delete field {!r}".format(name))
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return __setattr__, __delattr__


def _replace(self: Any, /, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(self, **changes)
