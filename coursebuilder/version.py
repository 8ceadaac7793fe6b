"""The version of coursebuilder (one home: the package, the build cache and the wheel read it here)."""

__version__ = "0.1.0"
