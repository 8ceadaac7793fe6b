# scorm/page_start.html.j2, compiled by Jinja 3.1.6: f8c5ed8697b4c2f351ff0a61ff94aa903499c862bff76dc91caff4932750cb0f
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/page_start.html.j2'

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

blocks = {}
debug_info = '2=19&6=21&7=23&12=25&14=27&15=29&17=32&18=34&20=36&21=40&22=46&28=56&29=59'
