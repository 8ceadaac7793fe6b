"""Moodle's import formats: Moodle XML question banks, glossary exports and GIFT.

`writer`, `glossary` and `gift` write them from the course model; `reader` reads Moodle XML
back into the model (for round-trip tests and for importing existing Moodle content).
"""
