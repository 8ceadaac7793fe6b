"""What coursebuilder knows of Moodle's formats, in one place: cloze syntax and code tables.

The writers (Moodle XML, GIFT, the course backup) and the importer all take it from here.
"""
