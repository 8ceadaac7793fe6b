# scorm/lesson.html.j2, compiled by Jinja 3.1.6: 800a421ced9defac5f98313413e50e3fa193d0b7271b07242dfbf5c5b88cf4ff
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/lesson.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_section = resolve('section')
    l_0_msg = resolve('msg')
    pass
    yield '<section class="page lesson" id="'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '" data-page="'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '" aria-labelledby="h-'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '">\n<p class="where">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'lesson_n', n=environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'number'), total=environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'total')))
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'minutes'):
        pass
        yield ' · '
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'minutes', n=environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'minutes')))
    yield '</p>\n<h1 id="h-'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '" tabindex="-1">'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'title'))
    yield '</h1>'
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'objectives'):
        pass
        yield '\n<div class="objectives">\n<p>'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'objectives'))
        yield '</p>\n<ul>'
        for l_1_objective in environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'objectives'):
            _loop_vars = {}
            pass
            yield '\n<li>'
            yield escape(l_1_objective)
            yield '</li>'
        l_1_objective = missing
        yield '\n</ul>\n</div>'
    yield '\n<div class="body">\n'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'body'))
    yield '\n</div>\n<div class="end" data-end></div>\n<nav class="pager" aria-label="'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'lesson_nav'))
    yield '">'
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'prev'):
        pass
        yield '\n<a class="button" rel="prev" href="#'
        yield escape(environment.getattr(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'prev'), 'id'))
        yield '"><span aria-hidden="true">← </span>'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'previous'))
        yield '<span class="vh">: '
        yield escape(environment.getattr(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'prev'), 'title'))
        yield '</span></a>'
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'glossary'):
        pass
        yield '\n<a class="button quiet" href="#glossary">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'glossary'))
        yield '</a>'
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'next'):
        pass
        yield '\n<a class="button primary" rel="next" href="#'
        yield escape(environment.getattr(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'next'), 'id'))
        yield '">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'next'))
        yield '<span class="vh">: '
        yield escape(environment.getattr(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'next'), 'title'))
        yield '</span><span aria-hidden="true"> →</span></a>'
    yield '\n</nav>'
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'menu_hint'):
        pass
        yield '\n<p class="hint">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'continue_menu'))
        yield '</p>'
    yield '\n</section>\n'

blocks = {}
debug_info = '1=14&2=20&3=26&4=30&6=33&8=35&9=39&15=44&18=46&19=48&20=51&22=57&23=60&25=62&26=65&29=72&30=75'
