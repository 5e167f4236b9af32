"""Names a module hands out on first use (PEP 562), so that a cold start imports only
what it uses: one ``__getattr__`` for every module of the package that has such names."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, MutableMapping


def getattr_for(
    module: str, package: str, lazy: "Dict[str, str]", namespace: "MutableMapping[str, Any]"
) -> "Callable[[str], Any]":
    """A module ``__getattr__`` for ``module`` (its ``__name__``): each name of ``lazy``
    comes from the submodule of ``package`` that ``lazy`` names for it, imported on
    first use, and is kept in ``namespace`` (the module's ``globals()``), so that it is
    looked up once; any other name is the usual ``AttributeError``."""

    def __getattr__(name: str) -> Any:
        source = lazy.get(name)
        if source is None:
            raise AttributeError("module {!r} has no attribute {!r}".format(module, name))
        import importlib

        value = getattr(importlib.import_module("." + source, package), name)
        namespace[name] = value
        return value

    return __getattr__
