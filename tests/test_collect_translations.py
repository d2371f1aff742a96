"""A release posted again in another language counts once (rag/collect/translations.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import hash_pipeline
from rag.collect import find
from rag.collect.translations import best_candidate, load_translation, translations, translations_of
from rag.models import Release
from rag.text.language import language

EN = ("Dallas County District Attorney John Creuzot announced today that Benjamin Spencer, 59, was exonerated of "
      "a 1987 aggravated robbery conviction after serving 34 years, following a review by the Conviction "
      "Integrity Unit of the office.\n")
ES = ("El Fiscal de Distrito del Condado de Dallas, John Creuzot, anunció hoy que Benjamin Spencer, de 59 años, "
      "fue exonerado de una condena por robo agravado de 1987 después de cumplir 34 años, tras una revisión de "
      "la Unidad de Integridad de Condenas de la oficina.\n")
ES_OTHER = ("La Oficina del Fiscal de Distrito del Condado de Dallas advierte al público sobre una estafa telefónica "
            "en la que los estafadores se hacen pasar por empleados de la oficina y piden pagos con tarjetas de "
            "regalo para evitar un arresto.\n")
LATER = ("The Dallas County District Attorney's Office held a ceremony honoring Benjamin Spencer and the families "
         "of the people the Conviction Integrity Unit has exonerated.\n")


def _release(rid: str, title: str, date: str, body: str) -> Release:
    return Release(rid, title, date, None, "dallas_tx", body, rid)


class _Store:
    """The one store query the translations read: releases of a source within a window."""

    def __init__(self, releases):
        self.releases = releases

    def releases_where(self, *, sources=(), date_from=None, date_to=None, dated=None, release_ids=None):
        return [r for r in self.releases if r.source in sources and date_from <= r.date <= date_to]


def test_language_of_a_text():
    assert language(EN) == "en"
    assert language(ES) == "es"
    assert language("") == "" and language("2024 - 59") == ""


def test_a_translation_is_paired_with_its_original_and_nothing_else():
    en = _release("en.txt", "DA Announces Exoneration of Benjamin Spencer", "2024-08-29", EN)
    es = _release("es.txt", "Exoneración de Benjamin Spencer", "2024-08-29", ES)
    scam = _release("scam.txt", "Alerta de estafa", "2024-08-30", ES_OTHER)
    store = _Store([en, es, scam])
    found = best_candidate(es, [en], None)
    assert found is not None and found[0] is en and found[1][2] == 0.0  # same day
    model = load_translation()
    assert model.model.predict([found[1]])[0] >= model.threshold
    later = _release("later.txt", "Ceremony Honors Benjamin Spencer", "2024-12-03", LATER)
    assert translations([en, es, later], store, None) == {"es.txt": "en.txt"}  # in the language most are in
    assert translations([en, later, scam], store, None) == {}  # nothing it shares names and numbers with
    # the original is not among the matches: the Spanish release counts on its own
    assert translations([es, later, _release("x.txt", "Other", "2024-01-02", EN.replace("Spencer", "Roark"))],
                        store, None) == {}


def _corpus(root: Path) -> None:
    d = root / "dallas_tx"
    d.mkdir(parents=True)
    tail = ("The office thanked everyone who worked on matter {0} and asked anyone with information about "
            "matter {0} to call the tip line, answered day and night by trained staff of the office.\n")
    tail_es = ("La oficina agradeció a todos los que trabajaron en el asunto {0} y pidió a quien tenga información "
               "sobre el asunto {0} que llame a la línea de denuncias, atendida día y noche por personal de la oficina.\n")
    pages = {"en.txt": ("DA Announces Exoneration of Benjamin Spencer", "August 29, 2024", EN + tail.format("en")),
             "es.txt": ("Exoneración de Benjamin Spencer", "August 30, 2024", ES + tail_es.format("es")),
             "scam.txt": ("Alerta de estafa", "August 31, 2024", ES_OTHER + tail_es.format("scam")),
             "later.txt": ("Ceremony Honors Benjamin Spencer", "December 3, 2024", LATER + tail.format("later"))}
    for name, (title, date, body) in pages.items():  # a date line two pages share would be boilerplate
        (d / name).write_text(f"{title}\n{date}\n{body}", encoding="utf-8")


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hash_pipeline(tmp_path_factory, _corpus)


def test_a_count_marks_the_translation_and_counts_the_release_once(pipe):
    answer, _ = pipe.ask("How many 2024 Dallas County DA releases mention Benjamin Spencer?")
    assert answer.route == "count"
    listed = {m.release_id: m for m in answer.matches}
    assert set(listed) == {"dallas_tx/en.txt", "dallas_tx/es.txt", "dallas_tx/later.txt"}
    assert listed["dallas_tx/es.txt"].label == "translation"
    assert listed["dallas_tx/es.txt"].duplicate_of == listed["dallas_tx/en.txt"].n
    assert listed["dallas_tx/later.txt"].duplicate_of is None
    assert answer.text.startswith("2 releases from dallas_tx dated 2024-01-01 to 2024-12-31")
    assert "1 more release is a translation of one counted (not counted again)." in answer.text
    assert f"(translation of [{listed['dallas_tx/en.txt'].n}])" in answer.text


def test_a_counted_release_brings_its_translation_the_topic_cannot_find():
    en = _release("en.txt", "DA Announces Exoneration of Benjamin Spencer", "2024-08-29", EN)
    es = _release("es.txt", "Exoneración de Benjamin Spencer", "2024-08-29", ES)
    scam = _release("scam.txt", "Alerta de estafa", "2024-08-30", ES_OTHER)
    later = _release("later.txt", "Ceremony Honors Benjamin Spencer", "2024-12-03", LATER)
    store = _Store([en, es, scam, later])
    assert translations_of([en, later], store, None) == [(es, "en.txt")]  # not the Spanish scam warning
    assert translations_of([en, es, later], store, None) == []  # already a match: marked by ``translations``
    assert translations_of([en, later], store, None, keep=lambda r: r.date >= "2024-09-01") == []  # outside the window
    assert translations_of([later], store, None) == []  # no release of its days in another language


def test_a_count_lists_a_translation_its_topic_words_miss(pipe, monkeypatch):
    question = "How many 2024 Dallas County DA releases mention the Conviction Integrity Unit?"
    answer, _ = pipe.ask(question)
    listed = {m.release_id: m for m in answer.matches}
    assert {"dallas_tx/en.txt", "dallas_tx/later.txt"} <= set(listed)
    assert listed["dallas_tx/es.txt"].label == "translation"  # no English topic word: joined as a translation
    assert listed["dallas_tx/es.txt"].duplicate_of == listed["dallas_tx/en.txt"].n
    assert "dallas_tx/scam.txt" not in listed
    assert answer.text.startswith("2 releases from dallas_tx dated 2024-01-01 to 2024-12-31")
    monkeypatch.setattr(find, "TRANSLATIONS_JOIN", False)
    answer, _ = pipe.ask(question)
    assert "dallas_tx/es.txt" not in {m.release_id for m in answer.matches}


def test_a_case_marks_the_translation_and_counts_the_release_once(pipe):
    answer = pipe.case("Benjamin Spencer")
    listed = {m.release_id: m for m in answer.matches}
    assert set(listed) == {"dallas_tx/en.txt", "dallas_tx/es.txt", "dallas_tx/later.txt"}
    assert listed["dallas_tx/es.txt"].label == "translation"
    assert listed["dallas_tx/es.txt"].duplicate_of == listed["dallas_tx/en.txt"].n
    assert listed["dallas_tx/later.txt"].duplicate_of is None
    assert ("2 releases naming Benjamin Spencer, in date order (1 more release is a translation of one listed, "
            "not counted again):") in answer.text
    assert f"[{listed['dallas_tx/es.txt'].n}] (translation of [{listed['dallas_tx/en.txt'].n}])" in answer.text


def test_a_translation_is_never_the_latest_step():
    from rag.collect.case import CaseStep
    from rag.collect.compose import answer_case

    en = _release("en.txt", "DA Announces Exoneration of Benjamin Spencer", "2024-08-29", EN)
    es = _release("es.txt", "Exoneración de Benjamin Spencer", "2024-08-30", ES)  # posted a day later
    steps = [CaseStep(en, "dismissed", 0, len(EN) - 1), CaseStep(es, "dismissed", 0, len(ES) - 1, "en.txt")]
    answer = answer_case("Benjamin Spencer", steps, "case")
    assert answer.text.startswith("Latest (2024-08-29, dismissed): Dallas County District Attorney")
    assert [(m.label, m.duplicate_of) for m in answer.matches] == [("dismissed", None), ("translation", 1)]
    assert "1 release naming Benjamin Spencer, in date order (1 more release is a translation" in answer.text


def test_a_translation_is_no_other_release_of_the_case(pipe):
    from rag.collect.run import case_siblings

    index = pipe.refresh().index
    name, others = case_siblings(index.store.release("dallas_tx/en.txt"), index)
    assert name == "Benjamin Spencer"
    assert [r.id for r in others] == ["dallas_tx/later.txt"]  # not its Spanish version, which names him too
