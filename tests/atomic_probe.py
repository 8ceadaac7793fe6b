"""Run the `coursebuilder` command with one more target, `probe`, for the atomic-output test.

The probe writes large artefacts (a well-formed XML bank, a zip of every question, a copy of
the bank) through `coursebuilder.output`, like every real target, so the kill test exercises
the writer whether or not output targets are registered yet. Usage is the CLI's:
`python tests/atomic_probe.py build COURSE -o DIST -t probe`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from coursebuilder import targets
from coursebuilder.model import Course
from coursebuilder.output import write_bytes, zip_bytes
from coursebuilder.targets.base import Artifact, BuildOptions, Target


def _filler(seed: str, size: int) -> str:
    """Deterministic text that compresses poorly, so files are large on disk too."""
    out, block = [], seed.encode()
    while sum(map(len, out)) < size:
        block = hashlib.sha256(block).digest()
        out.append(block.hex())
    return "".join(out)[:size]


class ProbeTarget(Target):
    name = "probe"
    summary = "test target: large XML and zip artefacts written through coursebuilder.output"

    def build(self, course: Course, out_dir: Path, options: BuildOptions) -> list[Artifact]:
        bank = etree.Element("bank", course=course.info.id, version=course.info.version)
        files: list[tuple[str, bytes]] = []
        for question in course.questions:
            extra = _filler(question.id + course.info.version, 1500)
            element = etree.SubElement(bank, "question", id=question.id, type=question.type)
            etree.SubElement(element, "text").text = question.text
            etree.SubElement(element, "padding").text = extra
            files.append((f"questions/{question.id}.txt", (question.text + extra).encode()))
        xml = etree.tostring(bank, xml_declaration=True, encoding="UTF-8")
        files.append(("bank.xml", xml))
        artifacts = []
        for name, data in (("bank.xml", xml), ("package.zip", zip_bytes(files)), ("bank-copy.xml", xml)):
            path = out_dir / "probe" / name
            artifacts.append(Artifact(path, write_bytes(path, data)))
        return artifacts


if __name__ == "__main__":
    targets.TARGET_CLASSES = (*targets.TARGET_CLASSES, ProbeTarget)
    from coursebuilder.cli import main

    main()
