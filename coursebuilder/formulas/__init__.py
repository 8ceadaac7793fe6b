"""Formulas written as TeX between dollar signs: where they are, whether they are valid TeX
the converter handles, and the two forms the targets write (Moodle's delimiters, MathML).

`notation` knows the `$…$` / `$$…$$` syntax (mdit-py-plugins' dollarmath, with pandoc's
rules); `tex` checks one formula; `moodle` and `mathml` write it.
"""
