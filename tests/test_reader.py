"""The fitted sentence reader: the shipped weights load, match the features this version
computes, and reproduce their committed score on the bundled set."""
from __future__ import annotations

import json

from conftest import BUNDLED, REPO
from rag.answer.reader import FEATURES, WEIGHTS, asked_kinds, focus_stems, holds, load_reader
from rag.question import analyse


def test_shipped_weights_load_for_these_features():
    reader = load_reader()
    assert reader.features == FEATURES and len(reader.coef) == len(FEATURES)
    fit = json.loads(WEIGHTS.read_text(encoding="utf-8"))["fit"]
    assert set(fit["per_file"]) == {"dev", "dev-more-a", "dev-more-b", "facts-f", "facts-g"}
    for scores in fit["per_file"].values():  # the committed cross-validated scores beat the rule they replace
        assert scores["reader_out_of_fold"]["top1"] >= scores["hand_set_rank"]["top1"]


def test_what_a_question_asks_and_what_a_sentence_holds():
    assert asked_kinds(analyse("How much restitution was she ordered to pay?")) >= {"money"}
    assert "duration" in asked_kinds(analyse("What sentence did Luther Brown receive?"))
    assert "place" in asked_kinds(analyse("Where was Parrott arrested?"))
    assert holds("money", "ordered to pay $845,700 in restitution") and not holds("money", "sentenced to 12 years")
    assert holds("duration", "sentenced to seven months in jail") and holds("duration", "15 years to life")
    assert not holds("duration", "a 79-year-old woman") and holds("duration", "five years and eight months")
    assert "duration" not in asked_kinds(analyse("How was the theft from her 94-year-old client uncovered?"))
    assert not holds("count", "held on December 7, 2019 at the church") and holds("count", "turned in 261 guns")
    # how something came about: a means or a discovery, not a comparison and not a figure
    assert "manner" in asked_kinds(analyse("How was the theft from her 94-year-old client uncovered?"))
    assert "manner" not in asked_kinds(analyse("How did their sentences differ?"))
    assert "manner" not in asked_kinds(analyse("How many guns were turned in?"))
    assert holds("manner", "Investigators at Capital One alerted the Postal Service to the purchases")
    assert holds("manner", "Martinez was able to enter the home by pretending to be a prospective buyer.")
    assert not holds("manner", "The defendant faces a maximum sentence of 12 years in state prison.")


def test_the_focus_of_a_question():
    assert focus_stems(analyse("What prison sentence did Robert Young get?")) == {"prison", "sentenc"}
    assert focus_stems(analyse("At the exchange, how many guns were turned in?")) == {"gun"}
    assert focus_stems(analyse("Where was Parrott arrested?")) == frozenset()


def test_shipped_weights_reproduce_their_bundled_score(tmp_path_factory):
    """Rebuilt here with the shipped embedder. Its int8 kernels round differently on another
    CPU, which can move a near tie in retrieval or in the dense feature: one question either
    way."""
    from eval.dataset import read_dataset
    from eval.reader import collect, top1
    from rag.answer.evidence import SentenceRanker
    from rag.pipeline import Pipeline, index_corpus
    from rag.settings import Settings

    settings = Settings(index_dir=str(tmp_path_factory.mktemp("reader-idx")), corpus=str(BUNDLED))
    index_corpus(settings)
    pipe = Pipeline(settings)
    records = collect(pipe, SentenceRanker(pipe.embedder, settings.extractive.evidence),
                      read_dataset(REPO / "eval" / "datasets" / "bundled.jsonl"), "bundled")
    reader = load_reader()
    got = top1(records, [reader.logits(r["X"]) for r in records])
    committed = json.loads(WEIGHTS.read_text(encoding="utf-8"))["fit"]["bundled"]["reader"]
    assert abs(got["answerable"] - committed["answerable"]) <= 1, (got, committed)
    correct = round(got["top1"] * got["answerable"]), round(committed["top1"] * committed["answerable"])
    assert abs(correct[0] - correct[1]) <= 1, (got, committed)


def test_a_possible_outcome_is_marked_against_the_question_asked():
    """"What sentence did he receive?" is not answered by "if convicted, he faces ...": the
    reader sees which of the two the question asks and which the sentence states."""
    from rag.answer.evidence import Candidate
    from rag.answer.reader import features
    from rag.models import Release

    body = ("If convicted, Dunn faces a maximum sentence of 11 years and four months in state prison. "
            "Dunn was sentenced today to one year in jail.")
    rel = Release("r", "Contractor sentenced", "2015-01-01", None, "s", body, "r")
    cut = body.index("Dunn was")
    cands = [Candidate(0, rel, 0, cut - 1, body[:cut - 1], frozenset()),
             Candidate(0, rel, cut, len(body), body[cut:], frozenset())]
    column = {name: i for i, name in enumerate(FEATURES)}

    def marks(question):
        rows = features(analyse(question), cands)
        return [(row[column["outcome_hypothetical"]], row[column["potential_hypothetical"]]) for row in rows]

    assert marks("Brian Dunn was charged in 2014. What sentence did he receive?") == [(1.0, 0.0), (0.0, 0.0)]
    assert marks("Brian Dunn was charged in 2014. What maximum term did he face?") == [(0.0, 1.0), (0.0, 0.0)]


def test_the_asked_clause_is_told_from_the_context_that_describes():
    """A lead sentence restating the question's description ("a Spring man ... his ex-girlfriend's new
    boyfriend") shares the context's words; the sentence that answers shares the asked clause's."""
    from rag.answer.evidence import Candidate
    from rag.answer.reader import features
    from rag.models import Release
    from rag.text.tokenize import content_stems

    lead = "A jury sentenced a Spring man to 23 years for the murder of his ex-girlfriend's new boyfriend."
    answer = "This man decided to lie in wait for three hours for his ex-girlfriend to arrive."
    body = f"{lead} {answer}"
    rel = Release("r", "Spring man sentenced", "2019-01-01", None, "s", body, "r")
    cands = [Candidate(0, rel, 0, len(lead), lead, frozenset(content_stems(lead))),
             Candidate(0, rel, len(lead) + 1, len(body), answer, frozenset(content_stems(answer)))]
    column = {name: i for i, name in enumerate(FEATURES)}
    rows = features(analyse("In the case of the Spring man who murdered his ex-girlfriend's new boyfriend, how long"
                            " had he been lying in wait?"), cands)
    asked = [row[column["lexical_asked"]] for row in rows]
    echo = [row[column["context_echo"]] for row in rows]
    assert asked[1] > asked[0] == 0.0 and echo[0] > echo[1]
