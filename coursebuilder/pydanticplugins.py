"""Pydantic's plugins are not looked for in the `coursebuilder` program.

Before it builds its first model's validator, pydantic imports its plugin loader, which
imports `importlib.metadata` (and with it `email`) and reads every installed distribution's
entry points: about 0.025 s of a `validate` that takes 0.27 s, more than anything of ours
but the model itself. The program's models use no plugin (one that watches every validation
would only slow a large course down), so `run` puts a loader that finds none where pydantic
imports its own, before any model exists. Imported by another program, the library leaves
pydantic as it is. Pydantic's own switch (`PYDANTIC_DISABLE_PLUGINS`) skips the entry points
but not the import.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable

LOADER = "pydantic.plugin._loader"
"""The module from which pydantic imports `get_plugins` when it makes a validator
(`pydantic.plugin._schema_validator.create_schema_validator`)."""


def _no_plugins() -> Iterable[object]:
    """What pydantic's `get_plugins` returns when no plugin is installed."""
    return ()


def skip_plugin_discovery() -> None:
    """Stand in for pydantic's plugin loader, unless pydantic has already imported it."""
    if LOADER in sys.modules:
        return
    loader = types.ModuleType(LOADER, "Pydantic's plugin loader, standing in: no plugins.")
    loader.get_plugins = _no_plugins  # type: ignore[attr-defined]
    sys.modules[LOADER] = loader
