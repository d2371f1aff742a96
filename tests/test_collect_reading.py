"""Reading a count's, list's or case's question (route, topic, named sources, question words) and a
release's defendant: the pure parts of rag/collect, with no index (the tests over a built index are in
tests/test_collect.py)."""
from __future__ import annotations

from rag.question.route import route, topic_text
from rag.question.sources import named_sources


def test_routes():
    assert route("How many 2025 Brooklyn DA press releases mention a gun buyback?") == "count"
    assert route("How many press releases did the Orange County District Attorney publish in July 2024?") == "count"
    assert route("Which 2023 Harris County DA releases announced a sentence of life without parole?") == "list"
    assert route("What happened in the case against Ashton Colby Sachs?") == "case"
    assert route("Trace the Brooklyn case over the 2016 killing of a father in Flatbush") == "case"
    assert route("Who were the defendants in the animal cruelty cases the OCDA announced last year?") == "list"
    assert route("What's the latest on the case against Jonah Whitlock?") == "case"
    assert topic_text("List the defendants in the arson cases the Brooklyn DA announced in 2025.") == "arson"
    assert topic_text("How many releases issued by the San Diego DA discussed wage theft?") == "wage theft"
    assert route("Which defendants has the Brooklyn DA announced hate-crime charges against this year?") == "list"
    assert route("List the people the Orange County DA charged in animal cruelty cases in 2025.") == "list"
    assert route("What's the status of the case against Jonah Whitlock?") == "case"
    assert route("What came of the case against Jonah Whitlock?") == "case"
    assert route("Catch me up on Jonah Whitlock, the officer accused of theft.") == "case"
    assert route("Has the man who killed officer Jonah Whitlock been paroled?") == "case"
    assert topic_text("How many news items did the Miami-Dade office publish last year on human trafficking?") \
        == "human trafficking"
    assert topic_text("How many items did the DA post on its news page last month?") == ""
    assert topic_text("For a story on fentanyl: how many releases in 2022 mention fentanyl?") == "fentanyl"
    assert topic_text("Which releases announced hate-crime charges or convictions?") == "hate-crime charges"
    # an apostrophe inside a word opens no quotation ("O'Brien's", "the county's 'Safe Streets' grant")
    assert topic_text("How many 2025 releases dealt with O'Brien's bail reform plan?") == "O'Brien's bail reform plan"
    assert topic_text("How many releases mention the county's 'Safe Streets' grant?") == "Safe Streets"
    assert route("List everyone the Dallas County DA announced as exonerated in 2023 and 2024.") == "list"
    assert route("Who were the defendants in hate crime cases announced by the Brooklyn DA?") == "list"
    assert route("How did the Harris County prosecution of Jonah Whitlock turn out?") == "case"
    assert route("How did the case against Jonah Whitlock and his brother end?") == "case"
    assert route("Who were the defendants in Harris County DA news releases that mentioned capital murder?") == "list"
    assert route("How many times has the Riverside County DA announced a civil settlement?") == "count"
    assert route("Which elder-exploitation cases has the Miami-Dade State Attorney's Office announced?") == "list"
    assert route("Which current or former officers did the Riverside County DA announce charges against?") == "list"
    for fact in ("How many knives were seized in Luton parks?", "Which release announced the Boson unit patrols?",
                 "How many guns did the buyback collect?", "What sentence did Paul Flanagan receive?",
                 "So far this year, how many people has the child exploitation team arrested?",
                 "Which company did the DA announce had agreed to pay $2 million?",
                 "How many times was the victim stabbed?",
                 "How many emergency calls did the release say the program answered in 2021?",
                 "How many victims did the DA say lost money in the timeshare resale scam run out of Carlsbad?"):
        assert route(fact) == "fact", fact
    assert route("How many times did the OCDA release its findings on someone who died in custody?") == "count"
    assert route("How many bulletins did prosecutors in Houston put out last month about capital murder?") == "count"


def test_named_sources():
    sources = ["cook_il", "dallas_tx", "kings_ny", "orange_ca", "san_diego_ca"]
    assert named_sources("How many Brooklyn DA releases ...?", sources) == ("kings_ny",)
    assert named_sources("the San Diego County DA's NewsCenter", sources) == ("san_diego_ca",)
    assert named_sources("Did the Orange County DA charge a Dallas man?", sources) == ("orange_ca",)
    assert named_sources("How many releases mention fentanyl?", sources) == ()
    la = sources + ["los_angeles_ca"]
    assert named_sources("Which LA County DA news releases from June 2026 ...?", la) == ("los_angeles_ca",)
    assert named_sources("a La Habra man charged by the Orange County DA", la) == ("orange_ca",)
    assert named_sources("the killing of an activist in Bedford-Stuyvesant", sources + ["bedfordshire"]) == ()


def test_a_defendant_name_never_runs_across_a_sentence_end():
    from rag.text.people import named_people

    assert named_people("He lived in Buena Park. Jonathan Peterson, 25, of Anaheim, was charged.") == \
        ["Jonathan Peterson"]
    assert named_people("Jonah Q. Whitlock, 30, of Flatbush and Henry Brooks Jr., 45, of Imperial Beach") == \
        ["Jonah Q. Whitlock", "Henry Brooks Jr."]
    assert named_people("The District Attorney identified the defendant as Julius Esquilin.") == ["Julius Esquilin"]

def test_the_named_sentence_is_the_defendant_s_not_the_victim_s():
    from rag.collect.case import defendant_name, defendant_span
    from rag.models import Release

    def named(body: str) -> tuple[str | None, str | None]:
        release = Release("s/r.txt", "A title", "2025-01-02", None, "s", body, "r.txt")
        span = defendant_span(release)
        return defendant_name(release), (" ".join(body[span[0]:span[1]].split()) if span else None)

    # the victim named "X, 28," first and "identified as" second; the defendant's sentence comes later
    victim_first = ("A man was convicted of killing Shae Sibley, 28, in Midwood. The victim was identified as "
                    "Debrina Kawam. Officers responded.\nThe District Attorney identified the defendant as "
                    "Dmitriy Popov, 20, of Sheepshead Bay.")
    assert named(victim_first) == ("Dmitriy Popov", "The District Attorney identified the defendant as Dmitriy "
                                                     "Popov, 20, of Sheepshead Bay.")
    # no "identified as": the opening sentence naming "X, 36, of Place"
    assert named("Jonah Q. Whitlock, 30, of Flatbush, was charged.")[0] == "Jonah Q. Whitlock"
    # an age before the name, the name on a line of its own, beside a step: quoted whole, never stored as a name
    broken = ("The State Attorney announces the arrest and charging of\n36-year-old Rodney Poucely\n"
              "after an investigation.\nNothing else.")
    assert named(broken) == (None, "The State Attorney announces the arrest and charging of 36-year-old "
                                   "Rodney Poucely after an investigation.")
    # an age and a name with no step of a case: nobody is named
    assert named("The 36-year-old Jane Doe thanked the officers.") == (None, None)
    # a full name beside a step ("X faces", "found X guilty"), as Los Angeles County writes: quoted, not stored
    assert named("June 3, 2026: Jury Convicts Man\nClifford Chaun Loyer faces up to life in prison when he is "
                 "sentenced on June 26\nLOS ANGELES — A jury today found Clifford Chaun Loyer guilty.") == \
        (None, "June 3, 2026: Jury Convicts Man Clifford Chaun Loyer faces up to life in prison when he is sentenced "
               "on June 26 LOS ANGELES — A jury today found Clifford Chaun Loyer guilty.")
    assert named("Actor James Handy was killed in his home in Tarzana. Nothing else.") == (None, None)  # no step


def test_question_words_leave_out_publisher_time_and_asking():
    from rag.collect.criteria import question_words
    asked = ("I'm tracking hit-and-run crashes: how many Brooklyn DA press releases in March 2025 "
             "involved drivers charged?")
    assert question_words(asked, ["kings_ny"]).split() == ["I'm", "tracking", "hit-and-run", "crashes", "drivers",
                                                           "charged"]
