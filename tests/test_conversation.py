from rag.conversation import is_follow_up, standalone


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
