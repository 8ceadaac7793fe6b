# scorm/page_end.html.j2, compiled by Jinja 3.1.6: 1b3fe2c717029088aa22b25eb8cb1a41f4afb4e40a82f31f1c8122e0dd22a4ae
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/page_end.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_data = resolve('data')
    try:
        t_1 = environment.filters['tojson']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'tojson' found.")
    pass
    yield '</main>\n<script type="application/json" id="cb-data">'
    yield escape(t_1(context.eval_ctx, (undefined(name='data') if l_0_data is missing else l_0_data)))
    yield '</script>\n</body>\n</html>\n'

blocks = {}
debug_info = '2=19'
