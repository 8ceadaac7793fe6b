"""IMS Common Cartridge 1.1: the whole course as pages, quizzes and a question bank for any LMS."""

from coursebuilder.cc.package import build_cartridge

__all__ = ["build_cartridge"]
