"""The shape of a Chinese personal name: a surname + a given name of one or two
characters, and where it ends (the finders of :mod:`~kg.names.persons` give the
evidence that it is a name; the left scan of :mod:`~kg.names.boundary` stops at
the end of a credited name)."""
from __future__ import annotations

import re

from kg.names.context import Context

__all__ = ["NAME_END", "name_at", "function_word", "verb_after", "common_word"]

_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")

#: characters that end a name written before them (punctuation, brackets, bars)
NAME_END = frozenset("，。、；：！？,;:!? （(）)“”\"\n[]【】|｜")


def name_at(text: str, i: int, ctx: Context, *, strict_end: bool = True) -> tuple[int, int] | None:
    """A surname + given name starting at ``i``; returns its span or None.

    The name ends where the text shows it: punctuation, a speech verb, a byline
    mark, a follower (等, 在); or, with ``strict_end`` false, a word boundary
    after a two-character given name; or a verb word after a one-character one
    (某某出席).  A given name never ends in a function character (郭某等) and
    is never a title (任组长); a surname written as a function word before an
    ordinary word is none (和部分, 向记者), nor is one function word (关于).
    """
    w = ctx.words
    if text[i:i + 2] in w.surnames2:
        sur = 2
    elif i < len(text) and text[i] in w.surnames1:
        sur = 1
        if function_word(text, i, ctx):
            return None
    else:
        return None
    best = None
    for given in (2, 1):
        e = i + sur + given
        if e > len(text):
            continue
        piece = text[i:e]
        if not _CJK_RUN.fullmatch(piece):
            continue
        if given == 2 and (text.startswith(w.speech, e - 1) or text[e - 1] in w.given_name_stops):
            continue  # 赵强说, 郭某等: the last character is the verb or a function word
        if piece in w.not_names or text[i + sur:e] in w.not_names or text[i + sur:e] in w.title_set:
            continue
        if e in ctx.token_ends and ctx.tag(i, e) in w.function_surname_tags:
            continue  # 关于, 要求: one function word or verb
        if given == 1 and verb_after(text, e, ctx):
            best = (i, e)  # 张某致辞: a verb word right after the name
            break
        after = text[e:e + 4]
        ends_here = (e == len(text) or text[e] in NAME_END or text[e].isspace()
                     or after.startswith(w.speech) or after.startswith(w.byline)
                     or after.startswith(w.honorifics) or (after[:1] != "" and after[:1] in w.name_followers))
        if ends_here:
            best = (i, e)
            break
        if not strict_end and given == 2 and (e in ctx.token_starts or not ctx.token_starts):
            best = (i, e)
            break
    return best


def function_word(text: str, i: int, ctx: Context) -> bool:
    """The surname character at ``i`` is a function word of its own before an
    ordinary word (和|部分, 向|记者, 要|持续), not a surname (于|建国: a name word)."""
    w = ctx.words
    if i + 1 not in ctx.token_ends or ctx.tag(i, i + 1) not in w.function_surname_tags:
        return False
    after = ctx.tag_starting_at(i + 1)
    return after is not None and after != "" and after not in w.name_word_tags


def verb_after(text: str, e: int, ctx: Context) -> bool:
    """A verb word starts at ``e`` (某某出席, 某某致辞), or a word opening with a
    clause verb (某某主持会议: the segmenter's noun)."""
    if e not in ctx.token_starts:
        return False
    w = ctx.words
    return ctx.tag_starting_at(e) in w.verb_tags_after_name or text.startswith(w.clause_verbs, e)


def common_word(text: str, span: tuple[int, int], ctx: Context) -> bool:
    """The would-be name is one dictionary word of a common class (单位/n): a title
    or a speech verb next to it is no evidence of a person (a credit is)."""
    return span[1] in ctx.token_ends and ctx.tag(span[0], span[1]) in ctx.words.common_word_tags
