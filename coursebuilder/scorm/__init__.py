"""SCORM 1.2 and 2004 packages: pages, player data, manifests (used by `targets.scorm`)."""

from coursebuilder.scorm.package import build_package, runtime_size

__all__ = ["build_package", "runtime_size"]
