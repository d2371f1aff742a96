"""Counts, lists and case histories over a hand-built index whose right answers are known.

The corpus: a source ``kings_ny`` (the Brooklyn DA) and a source ``northshire``. Six releases
mention a gun buyback; one counts for "2025 Brooklyn DA releases": the others are its text
again (spaced differently: a byte-exact copy is skipped at indexing), an undated one, one from 2024, one from the other source, and one that names it only in
a "Related posts" line that two releases share (boilerplate, removed at indexing).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import hash_pipeline, write_release
from rag.index import build_index
from rag.pipeline import Pipeline, make_embedder
from rag.retrieval import NO_FILTERS
from rag.settings import Settings

REPO = Path(__file__).resolve().parents[1]
BUYBACK = ("Brooklyn District Attorney Eric Gonzalez announced a gun buyback in Brownsville on Saturday.\n"
           "Residents turned in 40 firearms, no questions asked.\n")
RELATED = "Related posts: Gun buyback nets dozens of firearms\n"


BRAWL = [("w1.txt", "Five Charged in Coney Island Boardwalk Brawl", "July 8, 2019",
          "Five men were charged with assault and riot after a brawl on the Coney Island boardwalk left two "
          "lifeguards injured.\n"),
         ("w2.txt", "Grand Jury Indicts Five in Coney Island Boardwalk Brawl", "January 14, 2020",
          "A grand jury returned an indictment charging the five men in the Coney Island boardwalk brawl that "
          "injured two lifeguards with gang assault.\n"),
         ("w3.txt", "Five Sentenced for Coney Island Boardwalk Brawl", "March 3, 2021",
          "The five men convicted in the Coney Island boardwalk brawl that injured two lifeguards were sentenced "
          "to between two and four years in prison.\n")]


def _page(folder: Path, name: str, title: str, date: str | None, body: str, tag: str = "") -> None:
    """A scraped page, as the shared corpora hold them: title line, date line, text (long
    enough not to be a stub page; its last line says which release it is, so no two pages
    share it)."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = tag or name[:-4]
    tail = (f"The office thanked the detectives and community partners who worked on matter {tag} "
            f"for their efforts, and asked anyone with information about matter {tag} to call the "
            f"tip line, which is answered day and night by trained staff of the office.\n")
    (folder / name).write_text(f"{title}\n" + (f"{date}\n" if date else "") + body + tail, encoding="utf-8")


def _corpus(root: Path) -> None:
    k = root / "kings_ny"
    _page(k, "a.txt", "Gun Buyback in Brownsville", "March 1, 2025", BUYBACK)
    _page(k, "b.txt", "Gun Buyback in Brownsville", "June 10, 2025",
          BUYBACK.replace(" in Brownsville", " in  Brownsville"), tag="a")  # a again, another day and spacing
    _page(k, "c.txt", "Two Men Charged with Robbery", "July 1, 2025",
          "The District Attorney announced robbery charges against two men in Bushwick on Monday.\n" + RELATED)
    _page(k, "c2.txt", "Man Arraigned on Burglary Charges", "August 1, 2025",
          "A Flatbush man was arraigned on burglary charges after a break-in on Church Avenue.\n" + RELATED)
    _page(k, "d.txt", "Gun Buyback in East New York", None,
          "The DA will hold a gun buyback at a church in East New York, offering gift cards for every handgun.\n")
    _page(k, "e.txt", "Canarsie Gun Buyback", "December 30, 2024",
          "The DA held a gun buyback in Canarsie before the holidays, collecting 12 guns from residents.\n")
    _page(k, "g.txt", "Man Indicted for Flatbush Murder", "September 16, 2016",
          "Brooklyn District Attorney announced that a Flatbush man was indicted for murder in a shooting. "
          "The District Attorney identified the defendant as Jonah Q. Whitlock, 30, of Flatbush, Brooklyn "
          "(Case #16KN0042).\n")
    _page(k, "j.txt", "Flatbush Murder Defendant Arraigned", "November 1, 2016",  # names nobody: its case number
          "The defendant in the Flatbush shooting was arraigned on the indictment (Case #16KN0042) in Kings County "
          "Supreme Court and ordered held without bail until his next court date.\n")
    _page(k, "h.txt", "Man Pleads Guilty to Manslaughter", "May 2, 2017",
          "Brooklyn District Attorney announced that Jonah Whitlock, 31, of Flatbush, pleaded guilty to "
          "manslaughter in the first degree for the shooting.\n")
    _page(k, "i.txt", "Man Sentenced to 18 Years in Prison", "June 20, 2017",
          "Brooklyn District Attorney announced that Jonah Whitlock, 31, of Flatbush, was sentenced to 18 years "
          "in prison for the fatal shooting of a father of two.\n")
    for name, title, date, body in BRAWL:  # a case no release names a defendant in
        _page(k, name, title, date, body)
    write_release(root / "northshire", "f.txt", "Northshire Police supported a gun buyback at the town hall "
                  "where residents handed in 9 weapons.\n", "2025-04-04")


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hash_pipeline(tmp_path_factory, _corpus)


def test_count_counts_each_release_once_and_says_what_it_left_out(pipe):
    answer, hits = pipe.ask("How many 2025 Brooklyn DA press releases mention a gun buyback?")
    assert answer.route == "count" and not answer.refused
    assert answer.text.startswith("1 release from kings_ny dated 2025-01-01 to 2025-12-31")
    assert "1 more release repeats the text of one counted" in answer.text
    assert "1 undated release also matches and cannot be placed in the window (not counted): " \
           "\u201cGun Buyback in East New York\u201d (kings_ny/d.txt)." in answer.text
    listed = {m.release_id: m for m in answer.matches}
    assert set(listed) == {"kings_ny/a.txt", "kings_ny/b.txt", "kings_ny/d.txt"}  # not c (boilerplate), e, f
    assert listed["kings_ny/b.txt"].duplicate_of == listed["kings_ny/a.txt"].n
    assert listed["kings_ny/d.txt"].label == "undated" and listed["kings_ny/d.txt"].n is None
    assert {c.release_id for c in answer.citations} == {"kings_ny/a.txt", "kings_ny/b.txt"}
    for c in answer.citations:  # every cited passage holds the topic
        assert "gun buyback" in c.quote.lower()
    assert [h.release.id for h in hits][:1] == ["kings_ny/a.txt"]


def test_count_without_a_window_or_topic_counts_every_release_of_the_source(pipe):
    answer, _ = pipe.ask("How many press releases did the Northshire Police publish?")
    assert answer.text.startswith("1 release from northshire.")
    answer, _ = pipe.ask("How many press releases did the Manhattan DA publish in 2025?")
    assert answer.refused and "Manhattan DA" in answer.note and "kings_ny" in answer.note


def test_case_history_in_date_order_latest_first(pipe):
    answer, hits = pipe.ask("What happened in the case against Jonah Whitlock?")
    assert answer.route == "case"
    assert [m.release_id for m in answer.matches] == ["kings_ny/g.txt", "kings_ny/j.txt", "kings_ny/h.txt",
                                                      "kings_ny/i.txt"]  # j by its case number
    assert [m.label for m in answer.matches] == ["indicted", "arraigned", "pleaded", "sentenced"]
    first = answer.text.splitlines()[0]
    assert first.startswith("Latest (2017-06-20, sentenced):") and "18 years" in first
    assert answer.text.index("indicted") < answer.text.index("pleaded") < answer.text.rindex("sentenced")


def test_a_case_asked_with_a_possessive_or_a_word_before_the_name(pipe):
    for question in ("Give me the history of Jonah Whitlock's prosecution.",
                     "Trace Jonah Whitlock's case from charges to sentencing."):
        answer, _ = pipe.ask(question)
        assert answer.route == "case" and len(answer.matches) == 4, question


def test_a_case_nobody_is_named_in_gets_the_normal_answer(pipe):
    answer, _ = pipe.ask("What happened in the case against Nobody Atall?")
    assert answer.route == "fact"


def test_a_case_asked_by_description_follows_the_defendant_of_the_best_release(pipe):
    answer, hits = pipe.ask("What happened in the case of the man indicted for the Flatbush murder?")
    assert answer.route == "case" and "the best-matching release names as its defendant" in answer.note
    assert [m.release_id for m in answer.matches] == ["kings_ny/g.txt", "kings_ny/j.txt", "kings_ny/h.txt",
                                                      "kings_ny/i.txt"]
    assert answer.text.startswith("Latest (2017-06-20, sentenced):")


def test_a_case_asked_by_description_takes_the_releases_about_it(pipe):
    from rag.collect import run

    question = "What came of the prosecution over the boardwalk brawl that injured two lifeguards?"
    answer, hits = pipe.ask(question)
    assert answer.route == "case" and "the question names nobody" in answer.note
    assert [m.release_id for m in answer.matches] == ["kings_ny/w1.txt", "kings_ny/w2.txt", "kings_ny/w3.txt"]
    assert answer.text.startswith("Latest (2021-03-03, sentenced):") and "(scored by the fitted topic match)" in answer.text
    assert [h.release.id for h in hits] == [m.release_id for m in answer.matches]
    try:
        run.CASE_TOPIC = False  # the defendant of the best release only: these releases name none
        assert pipe.ask(question)[0].route == "fact"
    finally:
        run.CASE_TOPIC = True


def test_a_list_only_the_fitted_router_reads_needs_a_topic_and_two_releases(pipe, monkeypatch):
    from rag.collect import feedback, run

    monkeypatch.setattr(run, "read_route", lambda text: ("list", True))  # as if the model read every question so
    # these pages share a long last paragraph, so to the topic match's second look (rag.collect.feedback) they
    # all read alike: this test is about the way back, with the topic match alone
    monkeypatch.setattr(feedback, "FEEDBACK", False)
    answer, _ = pipe.ask("Tally the Brooklyn DA's releases on gun buybacks.")
    assert answer.route == "list" and len({m.release_id for m in answer.matches}) >= 2
    for question in ("Tally the Brooklyn DA's releases on robbery charges.",  # one release: the normal answer's
                     "Tally the Brooklyn DA's releases."):  # no topic said, and no release holds "Tally"
        answer, _ = pipe.ask(question)
        assert answer.route == "fact" and not answer.matches, question
    # no word after "about", "on", "mention" ... says the topic: the question's content words are it
    answer, _ = pipe.ask("Gun buybacks by the Brooklyn DA, please.")
    assert answer.route == "list" and "Gun buybacks" in answer.criteria
    assert {"kings_ny/a.txt", "kings_ny/e.txt"} <= {m.release_id for m in answer.matches}
    monkeypatch.setattr(run, "read_route", lambda text: ("list", False))  # the patterns' list has no way back
    answer, _ = pipe.ask("Tally the Brooklyn DA's releases on robbery charges.")
    assert answer.route == "list" and [m.release_id for m in answer.matches] == ["kings_ny/c.txt"]


def test_fact_questions_are_untouched(pipe):
    answer, _ = pipe.ask("How many firearms were turned in at the Brownsville buyback?")
    assert answer.route == "fact" and not answer.matches


def test_cli_case_and_ask_json(pipe):
    env = {"PYTHONPATH": str(REPO), "RAG_EMBEDDER": "hash", "PATH": "/usr/bin:/bin"}
    idx = pipe.settings.index_dir
    out = subprocess.run([sys.executable, "-m", "rag.cli", "case", "Jonah Whitlock", "--index", idx, "--json"],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["route"] == "case" and len(data["matches"]) == 4
    out = subprocess.run([sys.executable, "-m", "rag.cli", "case", "Nobody Atall", "--index", idx],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 1 and out.stderr.strip() == "error: no release names Nobody Atall"
    out = subprocess.run([sys.executable, "-m", "rag.cli", "ask", "How many 2025 Brooklyn DA press releases "
                          "mention a gun buyback?", "--index", idx, "--json"],
                         capture_output=True, text=True, env=env, cwd=REPO)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["route"] == "count" and [m["release_id"] for m in data["matches"]][0] == "kings_ny/a.txt"


def test_the_other_releases_of_a_cited_case(pipe):
    from rag.collect.run import case_siblings

    name, others = case_siblings(pipe.index.store.release("kings_ny/i.txt"), pipe.index)
    assert name == "Jonah Whitlock"
    assert [r.id for r in others] == ["kings_ny/g.txt", "kings_ny/j.txt", "kings_ny/h.txt"]
    assert case_siblings(pipe.index.store.release("kings_ny/e.txt"), pipe.index) is None  # names nobody


def test_names_and_case_numbers_are_stored_at_index_time(pipe):
    store = pipe.index.store
    assert store.names_ready
    assert store.ids_stating("16KN0042", "case") == ["kings_ny/g.txt", "kings_ny/j.txt"]
    assert "Jonah Q. Whitlock" in store.people() and "Jonah Whitlock" in store.people()
    answer = pipe.case("Jonah Whitlok")
    assert answer.refused and answer.note == ("no release names Jonah Whitlok; names like it: Jonah Whitlock, Jonah Q. Whitlock")


def test_an_index_from_before_the_names_table_gets_them_on_the_next_update(tmp_path):
    import sqlite3

    root = tmp_path / "corpus"
    _corpus(root)
    settings = Settings(index_dir=str(tmp_path / "idx")).with_(embedder="hash")
    build_index([root], tmp_path / "idx", make_embedder(settings), settings.chunking)
    meta = Pipeline(settings).index.folder / "meta.sqlite"
    db = sqlite3.connect(meta)  # as an older version left it: no names recorded
    db.execute("DELETE FROM names")
    db.execute("DELETE FROM meta WHERE key='names'")
    db.commit()
    db.close()
    from dataclasses import replace

    from rag.index.manifest import Manifest, record_files

    folder = meta.parent  # its checksums as that version recorded them
    replace(Manifest.read(folder), files=record_files(folder)).write(folder)
    old = Pipeline(settings)
    assert not old.index.store.names_ready
    assert old.index.store.ids_stating("16KN0042", "case") == ["kings_ny/g.txt", "kings_ny/j.txt"]  # read as text
    report = build_index([root], tmp_path / "idx", make_embedder(settings), settings.chunking)
    assert report.written and not report.changed
    store = Pipeline(settings).index.store
    assert store.names_ready and "Jonah Whitlock" in store.people()


def test_a_sentence_asked_reads_the_sentencing_release_of_the_named_defendant(pipe):
    from rag.collect.run import sentencing_passage

    asked = pipe.analyse("Jonah Whitlock was indicted in 2016 for a Flatbush murder. What sentence did he receive?")
    found = sentencing_passage(asked, pipe.index)
    assert found is not None and found.release.id == "kings_ny/i.txt" and "18 years" in found.chunk.text
    # what he faced, a place, or nobody the releases name as a defendant: nothing added
    for text in ("What maximum sentence did Jonah Whitlock face?",
                 "What sentence did the shooter in East New York receive?",
                 "What sentence did Nobody Atall receive?"):
        assert sentencing_passage(pipe.analyse(text), pipe.index) is None, text
    # the answerer reads it first, whatever the search ranked first; switched off, the search's passages alone
    gen = pipe.refresh()
    hits = pipe.search(asked, 5, generation=gen)
    read = pipe.read(asked, hits[:5], NO_FILTERS, gen)
    assert read[0].release.id == "kings_ny/i.txt" and len(read) == min(5, len(hits) + 1)
    off = Pipeline(pipe.settings.with_(retrieval__case_passages=False))
    assert [h.release.id for h in off.read(asked, hits[:5], NO_FILTERS, off.refresh())] == [h.release.id for h in hits[:5]]



def test_a_sentence_asked_of_a_described_defendant_follows_the_case_the_read_release_names(pipe):
    from rag.collect.run import sentencing_passage

    asked = pipe.analyse("The Flatbush gunman indicted in 2016: what sentence did he receive?")
    releases = {r.id: r for r in pipe.index.store.releases_where(release_ids=["kings_ny/g.txt", "kings_ny/e.txt",
                                                                                "kings_ny/j.txt"])}
    # the first release read that holds every name asked ("Flatbush") and names a defendant leads to his case
    found = sentencing_passage(asked, pipe.index, read=[releases["kings_ny/e.txt"], releases["kings_ny/g.txt"]])
    assert found is not None and found.release.id == "kings_ny/i.txt"
    # nothing read, or only a release naming no defendant: nothing added
    assert sentencing_passage(asked, pipe.index) is None
    assert sentencing_passage(asked, pipe.index, read=[releases["kings_ny/j.txt"]]) is None
    # a question naming its person is answered by that name, never by the release read
    named = pipe.analyse("What sentence did Nobody Atall receive?")
    assert sentencing_passage(named, pipe.index, read=[releases["kings_ny/g.txt"]]) is None


def test_topic_features_fill_every_named_feature(pipe):
    from rag.collect.criteria import topic_runs
    from rag.collect.topic import FEATURES, scored_releases
    store = pipe.index.store
    window = store.releases_where(sources=["kings_ny"], dated=True)
    scored = scored_releases(window, pipe.index.lexical, "gun buyback", topic_runs("gun buyback"), "gun buyback")
    assert scored and all(len(row) == len(FEATURES) for _, row in scored)
    row = dict(zip(FEATURES, scored[0][1]))
    assert scored[0][0].id in {"kings_ny/a.txt", "kings_ny/b.txt", "kings_ny/e.txt"}  # best BM25 first
    assert row["runs_sentence"] == 1.0 and row["body_cov"] == pytest.approx(1.0) and row["bm25_rank"] == 0.0


def test_word_runs_and_the_fitted_topic_match_count_the_same_buyback(pipe):
    from rag.collect.criteria import criteria_for
    from rag.collect.find import find_matches
    from rag.question import analyse
    question = analyse("How many 2025 Brooklyn DA press releases mention a gun buyback?")
    criteria = criteria_for(question, pipe.index.store.sources())
    for fitted in (True, False):
        found = find_matches(pipe.index.store, pipe.index.lexical, criteria, topic_model=fitted)
        assert [m.release.id for m in found.counted] == ["kings_ny/a.txt"], fitted
        assert found.criteria.fitted is fitted
        assert ("fitted topic match" in found.criteria.describe()) is fitted


def test_a_window_stated_beside_latest_bounds_the_count(pipe):
    import datetime as dt

    from rag.collect.criteria import criteria_for
    from rag.question import analyse
    question = analyse("Which gun buyback releases are in the DA's latest news (May-June 2025)?", dt.date(2026, 1, 1))
    criteria = criteria_for(question, pipe.index.store.sources())
    assert (criteria.start, criteria.end) == ("2025-05-01", "2025-06-30")


def test_a_list_of_people_names_each_release_s_defendant(pipe):
    answer, _ = pipe.ask("List the people the Brooklyn DA charged in murder cases announced in 2016.")
    assert answer.route == "list", answer.note
    assert "identified the defendant as Jonah Q. Whitlock" in answer.text, answer.text  # its "Named:" line


def test_a_window_with_more_candidates_than_are_scored_says_so(pipe, monkeypatch):
    from rag.collect import find, topic
    monkeypatch.setattr(find, "MAX_CANDIDATES", 1)
    monkeypatch.setattr(topic, "MAX_CANDIDATES", 1)
    answer, _ = pipe.ask("How many Brooklyn DA press releases mention a gun buyback?")
    assert "scored over the 1 releases of the window that best match its words (of " in answer.text, answer.text
    monkeypatch.undo()
    answer, _ = pipe.ask("How many Brooklyn DA press releases mention a gun buyback?")
    assert "scored over the" not in answer.text
