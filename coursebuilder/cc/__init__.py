"""IMS Common Cartridge 1.1: the whole course as pages, quizzes and a question bank for any LMS."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coursebuilder.cc.package import build_cartridge

__all__ = ["build_cartridge"]


def __getattr__(name: str) -> object:
    """Imported on first use: `validate` needs the package's checks, not its writer."""
    if name in __all__:
        from coursebuilder.cc.package import build_cartridge

        return {"build_cartridge": build_cartridge}[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
