"""LLMAnswerer with scripted backends: streaming, citation check, fallback, registry."""
import pytest

from rag.answer import ANSWERERS, get_answerer
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.llm import LLMAnswerer
from rag.answer.policy import lead_quotes
from rag.config import LLM_STEPS as ALL_STEPS
from rag.errors import ConfigError, RagError
from rag.models import Answer, Chunk, Citation, Hit, Release

BODY = ("Officers seized 10 knives during 20 weapons sweeps in Luton parks. "
        "More than 21 arrests have been made since the operation began.")


def hits():
    rel = Release("a.txt", "Knife sweeps in Luton", "2022-04-12", "https://example.org/a", "beds", BODY, "/a.txt")
    return [Hit(Chunk("a.txt", 0, 0, len(BODY), BODY), rel, 0.9, 1)]


class Scripted:
    name = "scripted"

    def __init__(self, pieces=None, error=None):
        self.pieces, self.error, self.messages = pieces or [], error, None

    def stream(self, messages):
        self.messages = messages
        for p in self.pieces:
            yield p
        if self.error:
            raise self.error


def test_streams_deltas_then_a_checked_answer():
    backend = Scripted(["Officers seized ", "10 knives in Luton parks [1]."])
    items = list(LLMAnswerer(backend).stream("How many knives were seized?", hits()))
    assert items[:2] == ["Officers seized ", "10 knives in Luton parks [1]."]
    final = items[-1]
    assert isinstance(final, Answer) and not final.refused
    assert final.citations[0].release_id == "a.txt"
    c = final.citations[0]
    assert BODY[c.start:c.end] == c.quote
    assert {"first_token", "answer"} <= set(final.timings_ms)
    prompt = " ".join(m["content"] for m in backend.messages)
    assert "10 knives" in prompt and "Knife sweeps in Luton" in prompt


def test_invented_citation_numbers_are_dropped():
    answer = LLMAnswerer(Scripted(["Officers seized 10 knives in Luton parks [1][7]."])).answer("knives?", hits())
    assert "[7]" not in answer.text and [c.n for c in answer.citations] == [1]


def test_refusal_from_the_model_has_no_citations():
    answer = LLMAnswerer(Scripted(["I could not find the answer in the releases."])).answer("Capital?", hits())
    assert answer.refused and answer.citations == ()


def test_backend_failure_falls_back_to_extractive_labelled():
    failing = Scripted(["Officers"], error=RagError("cannot reach the model server: connection refused"))
    answer = LLMAnswerer(failing, fallback=ExtractiveAnswerer()).answer(
        "How many knives were seized in Luton parks during weapons sweeps?", hits())
    assert answer.answerer == "extractive (fallback from scripted)"
    assert "connection refused" in answer.note
    with pytest.raises(RagError, match="connection refused"):
        LLMAnswerer(Scripted(error=RagError("connection refused"))).answer("knives?", hits())


def test_no_hits_is_a_refusal():
    assert LLMAnswerer(Scripted(["x"])).answer("knives?", []).refused


def test_registry_and_argument_checks():
    assert {"extractive", "local", "openai"} <= set(ANSWERERS)
    with pytest.raises(ConfigError, match="unsupported"):
        LLMAnswerer(Scripted(), unsupported="maybe")
    with pytest.raises(ConfigError, match="model file not found"):
        get_answerer("local", model_path="/no/such.gguf")
    with pytest.raises(ConfigError, match="OPENAI_BASE_URL"):
        import os
        saved = os.environ.pop("OPENAI_BASE_URL", None)
        try:
            get_answerer("openai")
        finally:
            if saved:
                os.environ["OPENAI_BASE_URL"] = saved


# ---- guided by the extractive answerer ------------------------------------------


def test_guided_declines_a_name_no_release_contains_without_calling_the_model():
    backend = Scripted(["Officers seized 10 knives [1]."])
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer()).answer(
        "How many knives did Sergeant Zorblax Quist seize?", hits())
    assert answer.refused and answer.citations == () and "Zorblax Quist" in answer.note
    assert backend.messages is None  # no generation spent on it


def test_guided_passages_are_centred_on_the_best_sentence():
    long_body = " ".join(f"Filler sentence number {i} about the weather in town." for i in range(12))
    body = long_body + " More than 21 arrests have been made since the operation began. " + long_body
    rel = Release("b.txt", "Luton operation", "2022-04-12", None, "beds", body, "/b.txt")
    h = [Hit(Chunk("b.txt", 0, 0, len(body), body), rel, 0.9, 1)]
    backend = Scripted(["More than 21 arrests have been made [1]."])
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), max_chars=150).answer(
        "How many arrests have been made?", h)
    prompt = backend.messages[-1]["content"]
    assert "21 arrests" in prompt and not answer.refused
    unguided = Scripted(["x"])
    LLMAnswerer(unguided, fallback=ExtractiveAnswerer(), max_chars=150, steps=()).answer(
        "How many arrests have been made?", h)
    assert unguided.messages is not None


def test_a_declined_question_the_releases_clearly_answer_gets_the_extractive_answer():
    backend = Scripted(["I could not find the answer in the releases."])
    q = "How many knives were seized during weapons sweeps in Luton parks?"
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), rescue_support=0.3).answer(q, hits())
    assert not answer.refused and "10 knives" in answer.text
    assert answer.answerer == "extractive (scripted declined)" and "no supported answer (the model refused)" in answer.note
    assert answer.citations and answer.citations[0].quote in BODY


def test_a_decline_is_rescued_below_the_support_bar_when_the_sentence_shows_what_was_asked():
    backend = Scripted(["I could not find the answer in the releases."])
    q = "How many arrests in Luton?"  # extractive: "More than 21 arrests ..." (support 0.75)
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), rescue_support=0.8).answer(q, hits())
    assert not answer.refused and "21 arrests" in answer.text
    assert "they state what was asked" in answer.note
    # the counted thing is not in the quoted sentences: the decline stays
    backend = Scripted(["I could not find the answer in the releases."])
    q = "How many knives and how many firearms were seized?"
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), rescue_support=0.8).answer(q, hits())
    assert answer.refused


def test_a_decline_is_rescued_below_the_support_bar_when_the_sentence_states_the_figure_asked():
    body = "The judge ordered Smith held on $250,000 bail. Smith is due back in court in May."
    rel = Release("c.txt", "Man held on bail", "2022-04-12", None, "beds", body, "/c.txt")
    h = [Hit(Chunk("c.txt", 0, 0, len(body), body), rel, 0.9, 1)]
    q = "What bail was Smith held on at arraignment?"  # a money amount beside "bail"; support 0.65
    answer = LLMAnswerer(Scripted(["I could not find the answer in the releases."]), fallback=ExtractiveAnswerer(),
                         rescue_support=0.9).answer(q, h)
    assert not answer.refused and "$250,000 bail" in answer.text
    assert "they state the figure asked, a money amount (bail)" in answer.note


def test_a_decline_stays_when_the_extractive_support_is_weak_or_rescue_is_off():
    q = "What did the operation in Luton achieve?"
    for kwargs in ({"rescue_support": 0.8}, {"steps": ("ground", "lookup", "centre")}, {"steps": ()}):
        backend = Scripted(["I could not find the answer in the releases."])
        answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), **kwargs).answer(q, hits())
        assert answer.refused and answer.citations == (), kwargs
    with pytest.raises(ConfigError, match="rescue_support must be a number between 0 and 1"):
        LLMAnswerer(Scripted(), rescue_support=2)
    with pytest.raises(ConfigError, match="unknown LLM step.*'guess'.*valid: ground, outcome, figure, lookup, centre"):
        LLMAnswerer(Scripted(), steps=("ground", "guess"))


def test_extractive_answers_carry_their_support_as_confidence():
    a = ExtractiveAnswerer().answer("How many knives were seized during weapons sweeps in Luton parks?", hits())
    assert not a.refused and 0 < a.confidence <= 1 and f"{a.confidence:.2f}" in a.note
    assert ExtractiveAnswerer().answer("capital of France?", []).confidence is None


def test_which_release_questions_get_title_and_date_from_the_index_without_the_model():
    backend = Scripted(["I could not find the answer in the releases."])
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer()).answer(
        "Which release reported that officers seized 10 knives in Luton parks? Give its title and date.", hits())
    assert not answer.refused and "Knife sweeps in Luton" in answer.text and "2022-04-12" in answer.text
    assert answer.answerer == "extractive (lookup; scripted not needed)" and backend.messages is None


# ---- the best sentence quoted after a small model's answer ----------------------

OTHER = "The Dunstable team held a bike marking event in the town centre on Saturday."


def two_releases():
    other = Release("b.txt", "Bike marking", "2022-05-01", None, "beds", OTHER, "/b.txt")
    return hits() + [Hit(Chunk("b.txt", 0, 0, len(OTHER), OTHER), other, 0.5, 2)]


def test_the_best_sentence_is_quoted_when_the_model_answers_from_the_wrong_passage():
    q = "How many knives were seized during weapons sweeps in Luton parks?"
    backend = Scripted(["The Dunstable team held a bike marking event [2]."])
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(q, two_releases())
    assert not answer.refused
    assert answer.text.startswith("The Dunstable team held a bike marking event [1].")
    assert "The release says: “Officers seized 10 knives during 20 weapons sweeps in Luton parks.” [2]" in answer.text
    assert [c.release_id for c in answer.citations] == ["b.txt", "a.txt"]
    quoted = answer.citations[1]
    assert BODY[quoted.start:quoted.end] == quoted.quote and "best-matching sentence quoted" in answer.note
    # off by default (a strong remote model does not need it)
    plain = LLMAnswerer(Scripted(["The Dunstable team held a bike marking event [2]."]),
                        fallback=ExtractiveAnswerer()).answer(q, two_releases())
    assert "The release says" not in plain.text and len(plain.citations) == 1


def test_no_quote_when_the_answer_already_says_it_and_a_covering_citation_is_reused():
    q = "How many knives were seized during weapons sweeps in Luton parks?"
    said = LLMAnswerer(Scripted(["Officers seized 10 knives during 20 weapons sweeps in Luton parks [1]."]),
                       fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(q, hits())
    assert "The release says" not in said.text and len(said.citations) == 1
    # the model cites the passage holding the best sentence but says something else from it
    other = LLMAnswerer(Scripted(["More than 21 arrests have been made since the operation began [1]."]),
                        fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(q, hits())
    assert other.text.endswith("“Officers seized 10 knives during 20 weapons sweeps in Luton parks.” [1]")
    assert len(other.citations) == 1  # the passage [1] already quotes that sentence
    # a refusal stays a refusal
    declined = LLMAnswerer(Scripted(["I could not find the answer in the releases."]), fallback=ExtractiveAnswerer(),
                           steps=("ground", "lookup", "centre", "quote_lead")).answer(q, hits())
    assert declined.refused and declined.citations == ()


def cite(n, quote):
    return Citation(n, f"r{n}.txt", f"Release {n}", "2024-01-01", None, 0, len(quote), quote)


TRIAL = cite(1, "Third-striker John Nilsen, 49, will face trial for murdering a cashier at a 99 Cent Store.")
PRIORS = cite(2, "Nilsen is a third striker with six prior strike convictions for rape and robbery.")


def test_best_lead_quote_is_the_sentence_showing_what_was_asked_when_the_answer_does_not():
    q = "How many prior strike convictions did the third-striker on trial for the 99 Cent Store murder have?"
    # the model restated the best-ranked sentence but not the count: the count's sentence is quoted
    said = "John Nilsen, 49, will face trial for murdering a cashier at a 99 Cent Store [1]."
    assert lead_quotes(q, said, [TRIAL, PRIORS], which="best") == [PRIORS]
    # an answer showing the count gets the best sentence, unless it already says most of it
    assert lead_quotes(q, "He had six prior strike convictions [1].", [TRIAL, PRIORS], which="best") == [TRIAL]
    assert lead_quotes(q, said + " He had six prior strike convictions [2].", [TRIAL, PRIORS], which="best") == []
    # no ranked sentence shows it: the best one as before
    assert lead_quotes(q, said, [TRIAL], which="best") == []
    assert lead_quotes(q, "Nobody knows [1].", [TRIAL], which="best") == [TRIAL]
    assert lead_quotes(q, "Nobody knows [1].", [], which="best") == []


def test_best_lead_quotes_take_two_sentences_for_a_question_asking_two_things():
    project = cite(1, "Bedfordshire pioneered clear hold build through the Dallow Cares project.")
    inspector = cite(2, "Detective Chief Inspector Katie Dounias is leading the activity for the force.")
    q = "Which project pioneered clear hold build in Luton, and which inspector led the activity?"
    said = "A new campaign tackles crime in part of Luton [1]."
    assert lead_quotes(q, said, [project, inspector], which="best") == [project, inspector]
    assert lead_quotes(q.replace(", and which inspector led the activity", ""), said, [project, inspector], which="best") == [project]
    # the part the model did say is not quoted again
    assert lead_quotes(q, "Bedfordshire pioneered clear hold build through the Dallow Cares project [1].",
                       [project, inspector], which="best") == [inspector]


def test_all_lead_quotes_are_every_sentence_the_answer_does_not_already_say():
    q = "How many prior strike convictions did the third-striker on trial for the 99 Cent Store murder have?"
    said = "John Nilsen, 49, will face trial for murdering a cashier at a 99 Cent Store [1]."
    assert lead_quotes(q, said, [TRIAL, PRIORS]) == [PRIORS]  # the default: "all", in the answer's order
    assert lead_quotes(q, "Nobody knows [1].", [TRIAL, PRIORS]) == [TRIAL, PRIORS]
    assert lead_quotes(q, said + " Nilsen is a third striker with six prior strike convictions [2].",
                       [TRIAL, PRIORS]) == []
    assert lead_quotes(q, said, []) == []
    with pytest.raises(ValueError, match="'some'"):
        lead_quotes(q, said, [TRIAL], which="some")


def test_two_quotes_are_cited_each_after_the_model_answer():
    body = ("Bedfordshire pioneered clear hold build through the Dallow Cares project in Luton. "
            "The activity in Luton is led by Detective Chief Inspector Katie Dounias. "
            "Officers held a community event at the library on Saturday.")
    rel = Release("d.txt", "Dallow Cares", "2022-06-01", None, "beds", body, "/d.txt")
    q = "Which Luton project pioneered clear hold build, and which detective chief inspector led the activity?"
    backend = Scripted(["Officers held a community event at the library [1]."])
    answer = LLMAnswerer(backend, fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(
        q, [Hit(Chunk("d.txt", 0, 0, len(body), body), rel, 0.9, 1)])
    lines = answer.text.split("\n")
    assert len(lines) == 3 and {"Dallow Cares project" in lines[1], "Katie Dounias" in lines[1]} == {True, False}
    assert "Dallow Cares project" in lines[1] + lines[2] and "Katie Dounias" in lines[1] + lines[2], answer.text
    assert "2 best-matching sentences quoted" in answer.note
    for c in answer.citations:
        assert body[c.start:c.end] == c.quote


def test_a_quote_spanning_a_line_break_is_shown_on_one_line():
    body = "The former officer of the club (BGCT)\nwas sentenced today to three years of formal probation."
    rel = Release("p.txt", "Sentenced", "2010-01-05", None, "oc", body, "/p.txt")
    q = "What sentence did the former club officer receive?"
    answer = LLMAnswerer(Scripted(["The former officer of the club was sentenced today [1]."]),
                         fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(
        q, [Hit(Chunk("p.txt", 0, 0, len(body), body), rel, 0.9, 1)])
    said, quoted = answer.text.split("\n")
    assert quoted == "The release says: “The former officer of the club (BGCT) was sentenced today to three years " \
                     "of formal probation.” [1]"
    c = answer.citations[0]
    assert c.quote == body[c.start:c.end] and "\n" in c.quote  # the citation keeps the exact span


def test_the_outcome_step_declines_a_sentence_nothing_read_reports_without_a_generation():
    body = "Ron Bibby, 52, was indicted for selling stock in a fake company.\n\nIf convicted, he faces up to 15 years."
    r = Release("b.txt", "Man Indicted for Selling Stock", "2024-01-01", None, "test", body, "b.txt")
    found = [Hit(Chunk("b.txt", 0, 0, len(body), body), r, 1.0, 1)]
    q = "What sentence did Ron Bibby receive for selling stock in a fake company?"
    model = Scripted(["He received 15 years [1]."])
    declined = LLMAnswerer(model, fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(q, found)
    assert declined.refused and "no release read reports one" in declined.note and model.messages is None
    unchecked = LLMAnswerer(Scripted(["He received 15 years [1]."]), fallback=ExtractiveAnswerer(),
                            steps=tuple(s for s in ALL_STEPS if s != "outcome")).answer(q, found)
    assert not unchecked.refused
    # a sentencing in a release that does not name Ron Bibby is no answer either (the releases naming the most)
    other_body = "Tomas Grell, 41, was sentenced today to 10 years in prison for a shooting."
    other = Release("g.txt", "Man Sentenced to 10 Years", "2024-02-01", None, "test", other_body, "g.txt")
    with_other = found + [Hit(Chunk("g.txt", 0, 0, len(other_body), other_body), other, 0.9, 2)]
    model = Scripted(["He received 10 years [2]."])
    declined = LLMAnswerer(model, fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(q, with_other)
    assert declined.refused and "no release read reports one" in declined.note and model.messages is None


def test_the_figure_step_declines_an_amount_nothing_read_states_without_a_generation():
    body = "Ron Bibby, 52, was sentenced to two years in prison for selling stock in a fake company."
    r = Release("b.txt", "Man Sentenced for Selling Stock", "2024-01-01", None, "test", body, "b.txt")
    found = [Hit(Chunk("b.txt", 0, 0, len(body), body), r, 1.0, 1)]
    q = "How much restitution was Ron Bibby ordered to pay for selling stock in a fake company?"
    model = Scripted(["He paid 52 dollars [1]."])
    declined = LLMAnswerer(model, fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(q, found)
    assert declined.refused and "asked for a money amount" in declined.note and model.messages is None
    unchecked = LLMAnswerer(Scripted(["He was sentenced to two years [1]."]), fallback=ExtractiveAnswerer(),
                            steps=tuple(s for s in ALL_STEPS if s != "figure")).answer(q, found)
    assert not unchecked.refused
    # a release read that states an amount: the model is asked
    paid = body + " He was ordered to pay $48,000 in restitution."
    r = Release("b.txt", "Man Sentenced for Selling Stock", "2024-01-01", None, "test", paid, "b.txt")
    model = Scripted(["He was ordered to pay $48,000 [1]."])
    answered = LLMAnswerer(model, fallback=ExtractiveAnswerer(), steps=ALL_STEPS).answer(
        q, [Hit(Chunk("b.txt", 0, 0, len(paid), paid), r, 1.0, 1)])
    assert not answered.refused and model.messages is not None


def test_an_llm_answerer_quotes_and_falls_back_without_more_sentences():
    """The model's answers were measured with the extractive answerer's ``max_sentences`` alone; the
    ``more_sentences`` after them are the extractive answerer's own (stop 69)."""
    from rag.answer.llm import openai_answerer
    from rag.settings import Settings

    settings = Settings().with_(extractive__more_sentences=3)
    llm = openai_answerer(settings=settings, base_url="http://127.0.0.1:9/v1")
    assert settings.extractive.more_sentences == 3 and llm.fallback.config.more_sentences == 0
    assert llm.fallback.config.max_sentences == settings.extractive.max_sentences
