# scorm/quiz.html.j2, compiled by Jinja 3.1.6: 491ab337be9813ccc6ed2ab59a5849c75c457f297c4ef2e79e76f956c0e8b448
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'scorm/quiz.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_quiz = resolve('quiz')
    l_0_msg = resolve('msg')
    l_0_passing = resolve('passing')
    l_0_gap = missing
    try:
        t_1 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_2 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_3 = environment.filters['max']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'max' found.")
    try:
        t_4 = environment.tests['number']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No test named 'number' found.")
    pass
    def macro(l_1_q, l_1_g):
        t_5 = []
        l_1_gid = missing
        if l_1_q is missing:
            l_1_q = undefined("parameter 'q' was not provided", name='q')
        if l_1_g is missing:
            l_1_g = undefined("parameter 'g' was not provided", name='g')
        pass
        l_1_gid = markup_join(('q', environment.getattr(l_1_q, 'index'), '-g', environment.getattr(l_1_g, 'index'), ))
        if (environment.getattr(l_1_g, 'type') == 'multichoice'):
            pass
            t_5.extend((
                '<select id="',
                escape((undefined(name='gid') if l_1_gid is missing else l_1_gid)),
                '" class="gap" data-g="',
                escape(environment.getattr(l_1_g, 'index')),
                '" aria-label="',
                escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'gap_n', n=(environment.getattr(l_1_g, 'index') + 1))),
                '"><option value="">',
                escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'choose')),
                '</option>',
            ))
            l_2_loop = missing
            for l_2_a, l_2_loop in LoopContext(environment.getattr(l_1_g, 'answers'), undefined):
                _loop_vars = {}
                pass
                t_5.extend((
                    '<option value="',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '">',
                    escape(l_2_a),
                    '</option>',
                ))
            l_2_loop = l_2_a = missing
            t_5.append(
                '</select>',
            )
        elif (context.call(environment.getattr(environment.getattr(l_1_g, 'type'), 'startswith'), 'multichoice') or context.call(environment.getattr(environment.getattr(l_1_g, 'type'), 'startswith'), 'multiresponse')):
            pass
            t_5.append(
                '<span class="gap choices',
            )
            if context.call(environment.getattr(environment.getattr(l_1_g, 'type'), 'endswith'), 'vertical'):
                pass
                t_5.append(
                    ' vertical',
                )
            t_5.extend((
                '" data-g="',
                escape(environment.getattr(l_1_g, 'index')),
                '" role="',
                escape(('radiogroup' if context.call(environment.getattr(environment.getattr(l_1_g, 'type'), 'startswith'), 'multichoice') else 'group')),
                '" aria-label="',
                escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'gap_n', n=(environment.getattr(l_1_g, 'index') + 1))),
                '">',
            ))
            l_2_loop = missing
            for l_2_a, l_2_loop in LoopContext(environment.getattr(l_1_g, 'answers'), undefined):
                _loop_vars = {}
                pass
                t_5.extend((
                    '<label><input type="',
                    escape(('radio' if context.call(environment.getattr(environment.getattr(l_1_g, 'type'), 'startswith'), 'multichoice', _loop_vars=_loop_vars) else 'checkbox')),
                    '" name="',
                    escape((undefined(name='gid') if l_1_gid is missing else l_1_gid)),
                    '" value="',
                    escape(environment.getattr(l_2_loop, 'index0')),
                    '"> ',
                    escape(l_2_a),
                    '</label>',
                ))
            l_2_loop = l_2_a = missing
            t_5.append(
                '</span>',
            )
        else:
            pass
            t_5.extend((
                '<input type="text" id="',
                escape((undefined(name='gid') if l_1_gid is missing else l_1_gid)),
                '" class="gap" data-g="',
                escape(environment.getattr(l_1_g, 'index')),
                '" aria-label="',
                escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'gap_n', n=(environment.getattr(l_1_g, 'index') + 1))),
                '" size="',
                escape(t_3(environment, [8, (t_3(environment, t_2(context, environment.getattr(l_1_g, 'answers'), 'length')) + 2)])),
                '" autocomplete="off" spellcheck="false"',
            ))
            if (environment.getattr(l_1_g, 'type') == 'numerical'):
                pass
                t_5.append(
                    ' inputmode="decimal"',
                )
            t_5.append(
                '>',
            )
        return concat(t_5)
    context.exported_vars.add('gap')
    context.vars['gap'] = l_0_gap = Macro(environment, macro, 'gap', ('q', 'g'), False, False, False, context.eval_ctx.autoescape)
    yield '<section class="page quiz" id="quiz" data-page="quiz" aria-labelledby="h-quiz">\n<h1 id="h-quiz" tabindex="-1">'
    yield escape(environment.getattr((undefined(name='quiz') if l_0_quiz is missing else l_0_quiz), 'title'))
    yield '</h1>\n<p>'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'quiz_intro', **{'n': environment.getattr((undefined(name='quiz') if l_0_quiz is missing else l_0_quiz), 'scored'), 'pass': (undefined(name='passing') if l_0_passing is missing else l_0_passing), }))
    yield '</p>'
    if environment.getattr((undefined(name='quiz') if l_0_quiz is missing else l_0_quiz), 'has_unscored'):
        pass
        yield '\n<p class="meta">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'quiz_unscored'))
        yield '</p>'
    yield '\n<div id="cb-result" class="result" hidden>\n<h2 id="cb-result-h" tabindex="-1">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'result'))
    yield '</h2>\n<p id="cb-score" class="score"></p>\n<p id="cb-verdict"></p>\n<p id="cb-answered"></p>\n<p class="meta">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'review'))
    yield '</p>\n<p><button type="button" id="cb-retry" class="button" hidden>'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'retry'))
    yield '</button></p>\n<p id="cb-again" hidden>'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'again'))
    yield '</p>\n</div>\n<form id="cb-quiz" novalidate>'
    l_1_loop = missing
    for l_1_q, l_1_loop in LoopContext(environment.getattr((undefined(name='quiz') if l_0_quiz is missing else l_0_quiz), 'views'), undefined):
        l_1_qid = missing
        _loop_vars = {}
        pass
        l_1_qid = markup_join(('q', environment.getattr(l_1_q, 'index'), ))
        _loop_vars['qid'] = l_1_qid
        yield '\n<fieldset class="q q-'
        yield escape(environment.getattr(l_1_q, 'kind'))
        yield '" id="q-'
        yield escape(environment.getattr(l_1_q, 'id'))
        yield '" data-q="'
        yield escape(environment.getattr(l_1_q, 'index'))
        yield '" aria-describedby="'
        yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
        yield '-t">\n<legend><span class="qn">'
        yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'question_n', n=environment.getattr(l_1_loop, 'index'), _loop_vars=_loop_vars))
        yield '</span> <span class="meta">'
        if environment.getattr(l_1_q, 'scored'):
            pass
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'points', n=environment.getattr(l_1_q, 'weight'), _loop_vars=_loop_vars))
        else:
            pass
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'not_scored', _loop_vars=_loop_vars))
        yield '</span></legend>'
        if (environment.getattr(l_1_q, 'kind') == 'cl'):
            pass
            yield '\n<div class="qtext" id="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-t">'
            for l_2_part in environment.getattr(l_1_q, 'parts'):
                _loop_vars = {}
                pass
                if t_4(l_2_part):
                    pass
                    yield escape(context.call((undefined(name='gap') if l_0_gap is missing else l_0_gap), l_1_q, environment.getitem(environment.getattr(l_1_q, 'gaps'), l_2_part), _loop_vars=_loop_vars))
                else:
                    pass
                    yield escape(l_2_part)
            l_2_part = missing
            yield '</div>'
        else:
            pass
            yield '\n<div class="qtext" id="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-t">'
            yield escape(environment.getattr(l_1_q, 'text'))
            yield '</div>'
        if (environment.getattr(l_1_q, 'kind') == 'mc'):
            pass
            yield '\n<ol class="opts"'
            if (environment.getattr(l_1_q, 'numbering') != 'none'):
                pass
                yield ' type="'
                yield escape(environment.getitem(environment.getattr(l_1_q, 'numbering'), 0))
                yield '"'
            yield '>'
            for l_2_c in environment.getattr(l_1_q, 'choices'):
                _loop_vars = {}
                pass
                yield '\n<li class="opt"><input type="'
                yield escape(('radio' if environment.getattr(l_1_q, 'single') else 'checkbox'))
                yield '" name="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '" id="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '-'
                yield escape(environment.getattr(l_2_c, 'value'))
                yield '" value="'
                yield escape(environment.getattr(l_2_c, 'value'))
                yield '"'
                if environment.getattr(l_2_c, 'name'):
                    pass
                    yield ' aria-label="'
                    yield escape(environment.getattr(l_2_c, 'name'))
                    yield '"'
                yield '> <label for="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '-'
                yield escape(environment.getattr(l_2_c, 'value'))
                yield '">'
                yield escape(environment.getattr(l_2_c, 'html'))
                yield '</label></li>'
            l_2_c = missing
            yield '\n</ol>'
        elif (environment.getattr(l_1_q, 'kind') == 'tf'):
            pass
            yield '\n<div class="opts">\n<div class="opt"><input type="radio" name="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '" id="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-1" value="1"><label for="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-1">'
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'true', _loop_vars=_loop_vars))
            yield '</label></div>\n<div class="opt"><input type="radio" name="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '" id="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-0" value="0"><label for="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-0">'
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'false', _loop_vars=_loop_vars))
            yield '</label></div>\n</div>'
        elif (environment.getattr(l_1_q, 'kind') in ('sa', 'nu')):
            pass
            yield '\n<p class="field"><label for="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-a">'
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'answer', _loop_vars=_loop_vars))
            yield '</label>'
            if (((environment.getattr(l_1_q, 'kind') == 'nu') and (environment.getattr(l_1_q, 'show_units') == 'input')) and environment.getattr(l_1_q, 'units_left')):
                pass
                yield ' <span class="meta">'
                yield escape(t_1(context.eval_ctx, environment.getattr(l_1_q, 'units'), ' / '))
                yield '</span>'
            yield '\n<input type="text" id="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-a" class="ans" autocomplete="off" spellcheck="false" maxlength="255"'
            if (environment.getattr(l_1_q, 'kind') == 'nu'):
                pass
                yield ' inputmode="'
                yield escape(('text' if (environment.getattr(l_1_q, 'show_units') == 'input') else 'decimal'))
                yield '"'
            yield '>'
            if ((environment.getattr(l_1_q, 'kind') == 'nu') and (environment.getattr(l_1_q, 'show_units') in ('choice', 'select'))):
                pass
                yield '\n<label for="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '-u">'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'unit', _loop_vars=_loop_vars))
                yield '</label>\n<select id="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '-u" class="unit">'
                l_2_loop = missing
                for l_2_unit, l_2_loop in LoopContext(environment.getattr(l_1_q, 'units'), undefined):
                    _loop_vars = {}
                    pass
                    yield '<option value="'
                    yield escape(environment.getattr(l_2_loop, 'index0'))
                    yield '">'
                    yield escape(l_2_unit)
                    yield '</option>'
                l_2_loop = l_2_unit = missing
                yield '</select>'
            yield '</p>'
        elif (environment.getattr(l_1_q, 'kind') == 'ma'):
            pass
            yield '\n<div class="pairs">'
            l_2_loop = missing
            for l_2_stem, l_2_loop in LoopContext(environment.getattr(l_1_q, 'stems'), undefined):
                _loop_vars = {}
                pass
                yield '\n<div class="pair"><label for="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '-'
                yield escape(environment.getattr(l_2_loop, 'index0'))
                yield '">'
                yield escape(l_2_stem)
                yield '</label>\n<select id="'
                yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
                yield '-'
                yield escape(environment.getattr(l_2_loop, 'index0'))
                yield '" data-stem="'
                yield escape(environment.getattr(l_2_loop, 'index0'))
                yield '"'
                if environment.getitem(environment.getattr(l_1_q, 'stem_names'), environment.getattr(l_2_loop, 'index0')):
                    pass
                    yield ' aria-label="'
                    yield escape(environment.getitem(environment.getattr(l_1_q, 'stem_names'), environment.getattr(l_2_loop, 'index0')))
                    yield '"'
                yield '><option value="">'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'choose', _loop_vars=_loop_vars))
                yield '</option>'
                l_3_loop = missing
                for l_3_target, l_3_loop in LoopContext(environment.getattr(l_1_q, 'targets'), undefined):
                    _loop_vars = {}
                    pass
                    yield '<option value="'
                    yield escape(environment.getattr(l_3_loop, 'index0'))
                    yield '">'
                    yield escape(l_3_target)
                    yield '</option>'
                l_3_loop = l_3_target = missing
                yield '</select></div>'
            l_2_loop = l_2_stem = missing
            yield '\n</div>'
        elif (environment.getattr(l_1_q, 'kind') == 'or'):
            pass
            yield '\n<ol class="order '
            yield escape(environment.getattr(l_1_q, 'layout'))
            yield '"'
            if (environment.getattr(l_1_q, 'numbering') != 'none'):
                pass
                yield ' type="'
                yield escape(environment.getitem(environment.getattr(l_1_q, 'numbering'), 0))
                yield '"'
            yield '>'
            l_2_loop = missing
            for l_2_item, l_2_loop in LoopContext(environment.getattr(l_1_q, 'entries'), undefined):
                _loop_vars = {}
                pass
                yield '\n<li data-v="'
                yield escape(environment.getattr(l_2_loop, 'index0'))
                yield '"><span class="item">'
                yield escape(l_2_item)
                yield '</span><span class="moves"><button type="button" class="mv" data-d="-1" aria-label="'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'move_up', item=l_2_item, _loop_vars=_loop_vars))
                yield '"><span aria-hidden="true">↑</span></button><button type="button" class="mv" data-d="1" aria-label="'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'move_down', item=l_2_item, _loop_vars=_loop_vars))
                yield '"><span aria-hidden="true">↓</span></button></span></li>'
            l_2_loop = l_2_item = missing
            yield '\n</ol>\n<p class="vh" aria-live="polite" data-live></p>'
        elif (environment.getattr(l_1_q, 'kind') == 'es'):
            pass
            yield '\n<p class="field"><label for="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-e">'
            yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'your_answer', _loop_vars=_loop_vars))
            yield '</label>\n<textarea id="'
            yield escape((undefined(name='qid') if l_1_qid is missing else l_1_qid))
            yield '-e" rows="'
            yield escape(environment.getattr(l_1_q, 'lines'))
            yield '">'
            yield escape(environment.getattr(l_1_q, 'template'))
            yield '</textarea></p>'
        if environment.getattr(l_1_q, 'scored'):
            pass
            yield '\n<div class="qfb" hidden>\n<p class="verdict"></p>'
            for (l_2_key, l_2_html) in context.call(environment.getattr(environment.getattr(l_1_q, 'feedback'), 'items'), _loop_vars=_loop_vars):
                _loop_vars = {}
                pass
                yield '\n<div class="fb" data-fb="'
                yield escape(l_2_key)
                yield '" hidden>'
                yield escape(l_2_html)
                yield '</div>'
            l_2_key = l_2_html = missing
            if environment.getattr(l_1_q, 'right'):
                pass
                yield '\n<p class="right" hidden><strong>'
                yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'right_answer', _loop_vars=_loop_vars))
                yield '</strong> '
                yield escape(environment.getattr(l_1_q, 'right'))
                yield '</p>'
            if environment.getattr(l_1_q, 'general'):
                pass
                yield '\n<div class="gen">'
                yield escape(environment.getattr(l_1_q, 'general'))
                yield '</div>'
            yield '\n</div>'
        yield '\n</fieldset>'
    l_1_loop = l_1_q = l_1_qid = missing
    yield '\n<p class="actions"><button type="submit" class="button primary" id="cb-submit">'
    yield escape(context.call((undefined(name='msg') if l_0_msg is missing else l_0_msg), 'submit'))
    yield '</button></p>\n</form>\n<p class="vh" aria-live="polite" id="cb-live"></p>\n</section>\n'

blocks = {}
debug_info = '1=39&2=47&3=48&4=52&5=62&6=76&7=81&8=96&11=118&15=139&16=141&17=143&18=146&21=149&25=151&26=153&27=155&30=158&31=162&32=165&33=173&34=182&35=185&36=187&39=201&41=205&42=208&43=214&44=218&47=242&49=245&50=253&52=261&53=264&54=268&55=274&56=282&57=285&58=289&59=292&62=303&64=307&65=311&66=317&67=332&71=344&72=347&73=356&74=360&78=370&79=373&80=377&82=383&85=386&86=390&88=395&89=398&91=402&92=405&98=411'
