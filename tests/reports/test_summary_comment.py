"""The summary's one-line comment: a written comment's first sentences, cut to fit."""

from __future__ import annotations

from bibliotal.reports.document import COMMENT_CHARACTERS, one_line


def test_a_short_comment_is_its_first_paragraph():
    text = "Vejledningen faldt under nedlukningen.\n\nTelefonvejledning hjalp."
    assert one_line(text) == "Vejledningen faldt under nedlukningen."


def test_a_long_comment_is_cut_after_a_sentence():
    first = "Besøgene faldt, fordi bibliotekerne var lukket i fire måneder af året."
    text = f"{first} {'Genåbningen med coronapas holdt mange borgere væk i foråret. ' * 3}"
    cut = one_line(text)
    assert cut.startswith(first) and cut.endswith(".")
    assert len(cut) <= COMMENT_CHARACTERS


def test_a_long_sentence_is_cut_at_a_word_with_an_ellipsis():
    text = " ".join(["nedlukning"] * 40)
    cut = one_line(text)
    assert cut.endswith(" …") and len(cut) <= COMMENT_CHARACTERS + 2
    assert cut[:-2].split() == ["nedlukning"] * len(cut[:-2].split())


def test_no_comment_gives_nothing():
    assert one_line("  \n ") == ""
