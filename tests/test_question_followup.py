from rag.question.followup import is_follow_up, standalone


def test_follow_up_borrows_the_names_of_the_last_question():
    history = ["Who shot livery cab driver Fawaz Naji in Brooklyn?"]
    q = standalone("and what sentence did he get?", history)
    assert q.endswith("and what sentence did he get?")
    assert "fawaz" in q.lower() and "naji" in q.lower()


def test_standalone_questions_are_left_alone():
    history = ["Who shot livery cab driver Fawaz Naji?"]
    for q in ["How many knives were seized in Luton parks?", "What sentence did Unique Gray get?"]:
        assert standalone(q, history) == q
    assert standalone("and what sentence did he get?", []) == "and what sentence did he get?"


def test_is_follow_up():
    assert is_follow_up("What about the second defendant?")
    assert is_follow_up("When was it announced?")
    assert not is_follow_up("When did Juan Ramos get sentenced?")


def test_looks_back_past_questions_without_context():
    history = ["How many knives were seized in Luton parks?", "and when?"]
    assert "luton" in standalone("what about the arrests there, did they rise?", history).lower()


# ---- LLM rewrite -------------------------------------------------------------

from rag.question.followup import clean_rewrite, llm_standalone, rewrite_messages  # noqa: E402
from rag.errors import RagError  # noqa: E402

HISTORY = ["Who shot livery cab driver Fawaz Naji in Brooklyn?"]


def fake_stream(text, calls=None):
    def stream(messages):
        if calls is not None:
            calls.append(messages)
        for i in range(0, len(text), 4):
            yield text[i:i + 4]
    return stream


def test_llm_rewrite_is_used_when_it_carries_the_context():
    q = llm_standalone(fake_stream("What sentence did the man who shot Fawaz Naji get?"), "and what sentence did he get?",
                       HISTORY)
    assert q == "What sentence did the man who shot Fawaz Naji get?"


def test_llm_rewrite_label_quotes_and_extra_lines_are_dropped():
    text = 'Rewritten question: "What sentence did Fawaz Naji\'s killer get?"\nExplanation: he refers to the killer.'
    assert llm_standalone(fake_stream(text), "and what sentence did he get?", HISTORY) == \
        "What sentence did Fawaz Naji's killer get?"


def test_llm_rewrite_stops_reading_at_the_first_line():
    consumed = []

    def stream(messages):
        for piece in ["What sentence did ", "Fawaz Naji's killer get?", "\n", "more " * 50]:
            consumed.append(piece)
            yield piece
    llm_standalone(stream, "and what sentence did he get?", HISTORY)
    assert len(consumed) == 3


def test_unusable_rewrites_fall_back_to_the_rule():
    rule = standalone("and what sentence did he get?", HISTORY)
    for text in ["", "ok", "What sentence did he get?", "x " * 200]:
        assert llm_standalone(fake_stream(text), "and what sentence did he get?", HISTORY) == rule, text


def test_a_failing_model_falls_back_to_the_rule():
    def broken(messages):
        raise RagError("connection refused")
        yield  # pragma: no cover
    assert llm_standalone(broken, "and what sentence did he get?", HISTORY) == \
        standalone("and what sentence did he get?", HISTORY)


def test_standalone_questions_never_reach_the_model():
    calls = []
    q = "What sentence did Unique Gray get?"
    assert llm_standalone(fake_stream("anything at all", calls), q, HISTORY) == q
    assert llm_standalone(fake_stream("anything at all", calls), "and what sentence did he get?", []) == \
        "and what sentence did he get?"
    assert calls == []


def test_rewrite_messages_hold_the_last_three_questions_and_the_follow_up():
    msgs = rewrite_messages("and then?", ["q1 a", "q2 b", "q3 c", "q4 d"])
    assert msgs[0]["role"] == "system" and "rewritten question only" in msgs[0]["content"]
    assert "q1" not in msgs[1]["content"] and "q4 d" in msgs[1]["content"]
    assert msgs[1]["content"].endswith("Follow-up question: and then?")


def test_clean_rewrite_needs_a_word_from_the_history():
    assert clean_rewrite("When was Fawaz Naji shot?", HISTORY) == "When was Fawaz Naji shot?"
    assert clean_rewrite("When was the weather nice?", HISTORY) is None
