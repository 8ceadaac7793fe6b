"""The program's stand-in for pydantic's plugin loader: pydantic calls it, and the real
loader (with `importlib.metadata`) is never imported."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import sys
from coursebuilder import pydanticplugins
{before}
pydanticplugins.skip_plugin_discovery()
asked = []
loader = sys.modules[pydanticplugins.LOADER]
real = getattr(loader, "get_plugins")
loader.get_plugins = lambda: asked.append(1) or real()
import pydantic

class Item(pydantic.BaseModel):
    count: int

assert Item.model_validate({{"count": "3"}}).count == 3
print(len(asked), "importlib.metadata" in sys.modules, hasattr(loader, "entry_points"))
"""


def probe(before: str = "") -> str:
    return subprocess.run(
        [sys.executable, "-c", PROBE.format(before=before)], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()


def test_pydantic_asks_the_stand_in_for_plugins() -> None:
    """Pydantic asks for plugins as it makes each validator (`create_schema_validator`
    imports `get_plugins` from its loader then): if it stopped asking there, the real loader
    would go unused too, and this test says the stand-in has become needless."""
    asked, metadata_imported, real_loader = probe().split()
    assert int(asked) >= 1
    assert (metadata_imported, real_loader) == ("False", "False")


def test_a_loader_pydantic_already_imported_stays() -> None:
    asked, metadata_imported, real_loader = probe("import pydantic.plugin._loader").split()
    assert int(asked) >= 1
    assert (metadata_imported, real_loader) == ("True", "True")
