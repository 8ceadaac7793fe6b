"""SCORM 1.2 and 2004 packages: pages, player data, manifests (used by `targets.scorm`)."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursebuilder.scorm.package import build_package, runtime_size

__all__ = ["build_package", "runtime_size"]


def __getattr__(name: str) -> object:
    """Imported on first use: `validate` needs the package's checks, not its writer."""
    if name in __all__:
        from coursebuilder.scorm.package import build_package, runtime_size

        return {"build_package": build_package, "runtime_size": runtime_size}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
