"""Whether the converter (latex2mathml) handles a formula, and what is wrong when it does not.

latex2mathml is lenient: it writes an unknown command as the text `\\foo` and ignores an
unbalanced brace. A formula that renders one way in Moodle (MathJax) and another in a
package, or not at all, is an error in the source, so this module refuses what the
converter would silently get wrong, naming the problem.
"""

from __future__ import annotations

import functools
import re

CHEMISTRY = frozenset({r"\ce", r"\pu"})
"""mhchem's commands: no maintained Python converter to MathML exists."""
MACROS = frozenset({r"\newcommand", r"\renewcommand", r"\def", r"\newenvironment", r"\DeclareMathOperator"})
"""Definitions: each formula is rendered on its own in Moodle, so a definition would not carry."""
REFUSED = frozenset({r"\href", r"\class", r"\style", r"\cssId"})
"""Commands that link or style: a package must load nothing and Moodle's cleaner drops them."""

_INSIDE_MATH = frozenset(
    {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "smallmatrix", "array", "cases", "split"}
)
"""Environments MathJax accepts inside `\\( \\)` and `\\[ \\]` (`align` is a display of its own and
is an error there: "Erroneous nesting of equation structures")."""
_ENVIRONMENT = re.compile(r"\\(begin|end)\{([^}]*)\}")
_COMMAND_TEXT = re.compile(r"\\[A-Za-z]+")
_MOODLE_END = re.compile(r"\\[)\]]")
"""`\\)` or `\\]`: filter/tex's regular expressions end a formula there, even after `\\`."""


@functools.cache
def _environments() -> frozenset[str]:
    """The environments of `_INSIDE_MATH` the converter knows (latex2mathml is loaded only for
    courses with formulas: it is a fifth of start-up)."""
    from latex2mathml import commands

    return _INSIDE_MATH & frozenset(name[1:] for name in commands.MATRICES)


@functools.cache
def _messages() -> dict[type[Exception], str]:
    """The converter's exceptions, each as the problem it means in the source."""
    from latex2mathml import exceptions as errors

    return {
        errors.NumeratorNotFoundError: "a fraction has no numerator",
        errors.DenominatorNotFoundError: "a fraction has no denominator",
        errors.ExtraLeftOrMissingRightError: r"a \left has no matching \right",
        errors.MissingSuperScriptOrSubscriptError: "a `^` or `_` has nothing after it",
        errors.DoubleSubscriptsError: "double subscript: group with braces, e.g. x_{a_b}",
        errors.DoubleSuperscriptsError: "double superscript: group with braces, e.g. x^{a^b}",
        errors.NoAvailableTokensError: "the formula ends where a command still needs an argument",
        errors.InvalidStyleForGenfracError: r"invalid style in \genfrac",
        errors.MissingEndError: r"a \begin has no matching \end",
        errors.InvalidAlignmentError: "invalid column alignment",
        errors.InvalidWidthError: "invalid width",
        errors.LimitsMustFollowMathOperatorError: r"\limits must follow a math operator",
    }


@functools.lru_cache(maxsize=8192)
def problem(tex: str) -> str | None:
    """What keeps `tex` from being written for every target, or None when it is fine.

    Memoised: a formula repeated across texts is checked once.
    """
    from latex2mathml.converter import convert
    from latex2mathml.tokenizer import tokenize

    if _MOODLE_END.search(tex):
        return r"contains `\)` or `\]`, which Moodle's filters read as the end of the formula"
    depth = 0
    environments: list[str] = []
    try:
        tokens = list(tokenize(tex))
    except Exception as exc:  # the tokenizer is a regular expression; be safe all the same
        return f"cannot be read as TeX ({exc})"
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return "unbalanced braces: a `}` closes nothing"
        elif token in CHEMISTRY:
            return (
                f"{token}{{…}} (mhchem chemistry) is not supported: no maintained converter to MathML "
                r"exists; write formulas with \mathrm, e.g. \mathrm{H_2O} or \mathrm{CO_2}"
            )
        elif token in MACROS:
            return f"{token} is not supported: each formula must stand alone (Moodle renders each one separately)"
        elif token in REFUSED:
            return f"{token} is not supported: formulas may not link or style"
        elif token.startswith((r"\begin", r"\end")):
            match = _ENVIRONMENT.match(token)
            name = match.group(2) if match else token
            if name not in _environments():
                supported = ", ".join(sorted(_environments()))
                return f"environment {name!r} is not supported (use one of {supported}; `split` aligns equations)"
            if token.startswith(r"\begin"):
                environments.append(name)
            elif not environments or environments.pop() != name:
                return rf"\end{{{name}}} does not close the last \begin"
    if depth > 0:
        return "unbalanced braces: a `{` is never closed"
    if environments:
        return rf"\begin{{{environments[-1]}}} is never closed by \end{{{environments[-1]}}}"
    try:
        mathml = convert(tex)
    except Exception as exc:
        return _messages().get(type(exc), f"the converter cannot handle it ({type(exc).__name__})")
    return _unknown_command(mathml)


def _unknown_command(mathml: str) -> str | None:
    """latex2mathml writes a command it does not know as its name, in an `<mi>` or `<mo>`."""
    from lxml import etree  # with latex2mathml: only for a course with formulas

    from coursebuilder.safexml import parse_xml_bytes

    root = parse_xml_bytes(mathml.encode(), "MathML")
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).localname == "mtext":
            continue
        found = _COMMAND_TEXT.search(element.text or "")
        if found:
            return f"unknown command {found.group()}"
    return None
