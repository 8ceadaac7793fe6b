# scorm/page.html.j2, compiled by Jinja 3.1.6: 9e86a66e8c751f4805bf74bb4fb18b3d835ee4596ec974e448c9b9c379b8a519
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/page.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_lang = resolve('lang')
    l_0_csp = resolve('csp')
    l_0_title = resolve('title')
    l_0_msg = resolve('msg')
    l_0_info = resolve('info')
    l_0_toc = resolve('toc')
    l_0_progress = resolve('progress')
    l_0_sections = resolve('sections')
    l_0_data = resolve('data')
    try:
        t_1 = environment.filters['tojson']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'tojson' found.")
    pass
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape((undefined(name='lang') if l_0_lang is missing else l_0_lang))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta http-equiv="Content-Security-Policy" content="'
    yield escape((undefined(name='csp') if l_0_csp is missing else l_0_csp))
    yield '">\n<title>'
    yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
    yield '</title>\n<link rel="stylesheet" href="player.css">\n<script src="player.js" defer></script>\n</head>\n<body>\n<a class="skip" href="#main">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'skip'))
    yield '</a>\n<header class="bar">\n<p class="course-title">'
    yield escape(environment.getattr((undefined(name='info') if l_0_info is missing else l_0_info), 'title'))
    yield '</p>'
    if (undefined(name='toc') if l_0_toc is missing else l_0_toc):
        pass
        yield '\n<details class="toc">\n<summary>'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'contents'))
        yield '</summary>\n<nav aria-label="'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'contents'))
        yield '">\n<ol>'
        for l_1_entry in (undefined(name='toc') if l_0_toc is missing else l_0_toc):
            _loop_vars = {}
            pass
            yield '\n<li><a href="#'
            yield escape(environment.getattr(l_1_entry, 'id'))
            yield '" data-nav="'
            yield escape(environment.getattr(l_1_entry, 'id'))
            yield '">'
            yield escape(environment.getattr(l_1_entry, 'title'))
            yield '</a>'
            if environment.getattr(l_1_entry, 'lesson'):
                pass
                yield ' <span class="tick" data-tick="'
                yield escape(environment.getattr(l_1_entry, 'id'))
                yield '" hidden><span aria-hidden="true">✓</span><span class="vh">'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'read', _loop_vars=_loop_vars))
                yield '</span></span>'
            yield '</li>'
        l_1_entry = missing
        yield '\n</ol>\n</nav>\n</details>'
    if (undefined(name='progress') if l_0_progress is missing else l_0_progress):
        pass
        yield '\n<p class="progress"><progress id="cb-progress" max="'
        yield escape((undefined(name='progress') if l_0_progress is missing else l_0_progress))
        yield '" value="0" aria-labelledby="cb-progress-text"></progress> <span id="cb-progress-text">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'progress', n=0, total=(undefined(name='progress') if l_0_progress is missing else l_0_progress)))
        yield '</span></p>'
    yield '\n<p id="cb-notice" class="notice" role="status"></p>\n</header>\n<main id="main" tabindex="-1">\n'
    for l_1_section in (undefined(name='sections') if l_0_sections is missing else l_0_sections):
        _loop_vars = {}
        pass
        template = environment.get_or_select_template(markup_join(('scorm/', environment.getattr(l_1_section, 'kind'), '.html.j2', )), 'scorm/page.html.j2')
        gen = template.root_render_func(template.new_context(context.get_all(), True, {'section': l_1_section}))
        try:
            for event in gen:
                yield event
        finally: gen.close()
        yield '\n'
    l_1_section = missing
    yield '</main>\n<script type="application/json" id="cb-data">'
    yield escape(t_1(context.eval_ctx, (undefined(name='data') if l_0_data is missing else l_0_data)))
    yield '</script>\n</body>\n</html>\n'

blocks = {}
debug_info = '2=27&6=29&7=31&12=33&14=35&15=37&17=40&18=42&20=44&21=48&22=54&28=64&29=67&34=72&35=75&38=84'
