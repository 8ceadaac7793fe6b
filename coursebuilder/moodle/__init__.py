"""What coursebuilder knows of Moodle's formats, in one place.

`cloze` (the embedded-answers syntax: Moodle's parser and our two encoders), `codes` (the
numbers and names Moodle stores for our settings), `params` (PARAM_TEXT's cleaning of names)
and `terms` (when Moodle takes two glossary terms for one). The writers (Moodle XML, GIFT, the
course backup), the checks and the importer all take it from here.
"""
