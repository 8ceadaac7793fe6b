# scorm/home.html.j2, compiled by Jinja 3.1.6: 5464e0c5cd725263f35f092460a90b875bb5124ce616a4c945ba7cf0a089a082
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/home.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_section = resolve('section')
    l_0_info = resolve('info')
    l_0_msg = resolve('msg')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<section class="page" id="'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '" data-page="'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '" aria-labelledby="h-'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '">\n<h1 id="h-'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'id'))
    yield '" tabindex="-1">'
    yield escape(environment.getattr((undefined(name='info') if l_0_info is missing else l_0_info), 'title'))
    yield '</h1>\n'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'summary'))
    yield '\n<p>'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'home_intro', n=t_1(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'lessons'))))
    yield '</p>\n<h2>'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'lessons'))
    yield '</h2>\n<ol class="lesson-list">'
    for l_1_lesson in environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'lessons'):
        _loop_vars = {}
        pass
        yield '\n<li><a href="#'
        yield escape(environment.getattr(l_1_lesson, 'id'))
        yield '">'
        yield escape(environment.getattr(l_1_lesson, 'title'))
        yield '</a>'
        if environment.getattr(l_1_lesson, 'minutes'):
            pass
            yield ' <span class="meta">('
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'minutes', n=environment.getattr(l_1_lesson, 'minutes'), _loop_vars=_loop_vars))
            yield ')</span>'
        yield '</li>'
    l_1_lesson = missing
    yield '\n</ol>'
    if environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'extras'):
        pass
        yield '\n<ul class="lesson-list">'
        for l_1_extra in environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'extras'):
            _loop_vars = {}
            pass
            yield '\n<li><a href="#'
            yield escape(environment.getattr(l_1_extra, 'id'))
            yield '">'
            yield escape(environment.getattr(l_1_extra, 'title'))
            yield '</a></li>'
        l_1_extra = missing
        yield '\n</ul>'
    yield '\n<p><a class="button primary" href="#'
    yield escape(environment.getattr(environment.getitem(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'lessons'), 0), 'id'))
    yield '">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'start_course'))
    yield '</a></p>\n</section>\n'

blocks = {}
debug_info = '1=21&2=27&3=31&4=33&5=35&7=37&8=41&11=53&13=56&14=60&18=67'
