# scorm/section.html.j2, compiled by Jinja 3.1.6: 9b87c8c83088cdacfa69386e655a73b92e3d7d595740283d65ce868fa6a7e5e8
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/section.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_section = resolve('section')
    pass
    template = environment.get_or_select_template(markup_join(('scorm/', environment.getattr((undefined(name='section') if l_0_section is missing else l_0_section), 'kind'), '.html.j2', )), 'scorm/section.html.j2')
    gen = template.root_render_func(template.new_context(context.get_all(), True, {}))
    try:
        for event in gen:
            yield event
    finally: gen.close()
    yield '\n'

blocks = {}
debug_info = '1=12'
