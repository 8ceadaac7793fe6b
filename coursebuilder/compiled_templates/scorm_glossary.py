# scorm/glossary.html.j2, compiled by Jinja 3.1.6: 9a0d8fd3f7c7475979029385050c69bb362391b3af09d441a7fae65dc19e4617
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/glossary.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_section = resolve('section')
    l_0_msg = resolve('msg')
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    pass
    yield '<section class="page glossary" id="glossary" data-page="glossary" aria-labelledby="h-glossary">\n<h1 id="h-glossary" tabindex="-1">'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'title'))
    yield '</h1>\n'
    yield escape(environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'intro'))
    yield '\n<div class="search">\n<label for="cb-search">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'glossary_search'))
    yield '</label>\n<input type="search" id="cb-search" autocomplete="off" aria-describedby="cb-count">\n<p id="cb-count" aria-live="polite"></p>\n</div>\n<dl class="terms">'
    for l_1_entry in environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'entries'):
        _loop_vars = {}
        pass
        yield '\n<div class="entry" id="'
        yield escape(environment.getattr(l_1_entry, 'anchor'))
        yield '" data-search="'
        yield escape(environment.getattr(l_1_entry, 'search'))
        yield '" tabindex="-1">\n<dt>'
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
    yield '\n</dl>\n<p><button type="button" class="button" data-back hidden>'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'back'))
    yield '</button></p>\n</section>\n'

blocks = {}
debug_info = '2=20&3=22&5=24&10=26&11=30&12=34&13=36&14=37&18=47'
