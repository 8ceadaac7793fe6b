# cc/page.html.j2, compiled by Jinja 3.1.6: bd2edf0b09f7eb4647107f824bba97383ea1c8994d5100fd32b72d7519672534
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'cc/page.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_title = resolve('title')
    l_0_lesson = resolve('lesson')
    l_0_msg = resolve('msg')
    l_0_glossary = resolve('glossary')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    pass
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape((undefined(name='lang') if l_0_lang is missing else l_0_lang))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>'
    yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
    yield '</title>\n</head>\n<body>'
    if (undefined(name='lesson') if l_0_lesson is missing else l_0_lesson):
        pass
        yield '\n<p class="where">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'lesson_n', n=environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'number'), total=environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'total')))
        if environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'minutes'):
            pass
            yield ' · '
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'minutes', n=environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'minutes')))
        yield '</p>\n<h1>'
        yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
        yield '</h1>'
        if environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'objectives'):
            pass
            yield '\n<div class="objectives">\n<p>'
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'objectives'))
            yield '</p>\n<ul>'
            for l_1_objective in environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'objectives'):
                _loop_vars = {}
                pass
                yield '\n<li>'
                yield escape(l_1_objective)
                yield '</li>'
            l_1_objective = missing
            yield '\n</ul>\n</div>'
        yield '\n'
        yield escape(environment.getattr((undefined(name='lesson') if l_0_lesson is missing else l_0_lesson), 'body'))
    else:
        pass
        yield '\n<h1>'
        yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
        yield '</h1>\n'
        yield escape(environment.getattr((undefined(name='glossary') if l_0_glossary is missing else l_0_glossary), 'intro'))
        yield '\n<dl class="terms">'
        for l_1_entry in environment.getattr((undefined(name='glossary') if l_0_glossary is missing else l_0_glossary), 'entries'):
            _loop_vars = {}
            pass
            yield '\n<div class="entry" id="'
            yield escape(environment.getattr(l_1_entry, 'anchor'))
            yield '">\n<dt>'
            yield escape(environment.getattr(l_1_entry, 'term'))
            yield '</dt>\n<dd>'
            yield escape(environment.getattr(l_1_entry, 'html'))
            if environment.getattr(l_1_entry, 'aliases'):
                pass
                yield '<p class="meta">'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'also_called', _loop_vars=_loop_vars))
                yield ' '
                yield escape(t_1(context.eval_ctx, environment.getattr(l_1_entry, 'aliases'), ', '))
                yield '</p>'
            yield '</dd>\n</div>'
        l_1_entry = missing
        yield '\n</dl>'
    yield '\n</body>\n</html>\n'

blocks = {}
debug_info = '2=23&6=25&9=27&10=30&11=36&12=38&14=41&16=43&17=47&22=52&24=56&25=58&27=60&28=64&29=66&30=68&31=69'
