"""The files Moodle's import pages take: the question bank as Moodle XML and GIFT, the glossary as XML.

`moodlexml`, `gift` and `glossary` write them from the course model, `checks` says what Moodle's
importers would refuse or change; reading them back is the importer's (`coursebuilder.importer`).
The Moodle-format knowledge they share with the other targets (cloze, codes, terms) lives in
`coursebuilder.moodle`.
"""
