"""Moodle's import formats: Moodle XML question banks, glossary exports and GIFT.

`writer`, `glossary` and `gift` write them from the course model; reading them is the
importer's (`coursebuilder.importer`).
"""
