"""Refusing for cause (``rag/answer/outcome.py``, the extractive answerer's ``outcome_check`` and
``figure_check``): a question asking for a sentence, a possible term, a figure or the date of a court event
that nothing read states is declined, not answered with the nearest sentence about the case."""
from __future__ import annotations

from rag.answer import ExtractiveAnswerer
from test_answer_extractive import hits_for, release

INDICTED = ("Brooklyn District Attorney Eric Gonzalez today announced that Ron Bibby, 52, was indicted for selling "
            "stock in a fake company.\n\nIf convicted, the defendant faces up to 15 years in prison on the top "
            "count.\n\nThe defendant was arraigned today and is due back in court on June 3.")


def test_a_sentence_asked_where_only_the_charge_is_reported_is_declined_for_that_reason():
    q = "What sentence did Ron Bibby receive after he was indicted for selling stock in a fake company?"
    charged = release("bibby-indicted.txt", INDICTED, "Man Indicted for Selling Stock in a Fake Company")
    declined = ExtractiveAnswerer().answer(q, hits_for(charged))
    assert declined.refused and "no release read reports one" in declined.note
    # switched off, the indictment is quoted as if it answered
    quoted = ExtractiveAnswerer(outcome_check=False).answer(q, hits_for(charged))
    assert not quoted.refused and "indicted" in quoted.text
    # once a release read reports the sentence, it is answered
    sentenced = release("bibby-sentenced.txt", "Ron Bibby, 52, was sentenced today to two to six years in prison "
                        "for selling stock in a fake company.", "Man Sentenced for Selling Stock in a Fake Company")
    answered = ExtractiveAnswerer().answer(q, hits_for(sentenced, charged))
    assert not answered.refused and "two to six years" in answered.text
    # a sentencing in a release about someone else (it does not name Ron Bibby) is no answer: the
    # releases read are those naming the most of what the question names
    other = release("other-sentenced.txt", "Tomas Grell, 41, was sentenced today to 10 years in prison for a "
                    "shooting in Flatbush.", "Man Sentenced to 10 Years in Prison for Flatbush Shooting")
    declined = ExtractiveAnswerer().answer(q, hits_for(charged, other))
    assert declined.refused and "no release read reports one" in declined.note, declined.text


def declined_until_stated(q: str, bare, note: str, stated, expect: str, quoted: str | None = None,
                          beside: bool = False) -> None:
    """A figure ``q`` asks for that ``bare`` does not state: declined with ``note``; with the figure check
    switched off, ``bare`` is quoted (holding ``quoted``, if given) as if it answered; a release that states
    it (``stated``, read beside ``bare`` if ``beside``) answers with ``expect``."""
    declined = ExtractiveAnswerer().answer(q, hits_for(bare))
    assert declined.refused and note in declined.note, declined.text
    unchecked = ExtractiveAnswerer(figure_check=False).answer(q, hits_for(bare))
    assert not unchecked.refused and (quoted is None or quoted in unchecked.text)
    answered = ExtractiveAnswerer().answer(q, hits_for(stated, bare) if beside else hits_for(stated))
    assert not answered.refused and expect in answered.text


def test_a_figure_asked_by_name_that_no_quote_states_is_declined():
    q = "How much restitution was Ron Bibby ordered to pay for selling stock in a fake company?"
    sentenced = release("bibby-sentenced.txt", "Ron Bibby, 52, was sentenced today to two to six years in prison "
                        "for selling stock in a fake company.\n\nHe sold the stock to 40 investors over two years.",
                        "Man Sentenced for Selling Stock in a Fake Company")
    paid = release("bibby-restitution.txt", "Ron Bibby, 52, was ordered to pay $48,000 in restitution to the "
                   "investors he defrauded by selling stock in a fake company.", "Man Ordered to Pay Restitution")
    # switched off, the sentence is quoted as if it answered
    declined_until_stated(q, sentenced, "asked for a money amount", paid, "$48,000", quoted="two to six years",
                          beside=True)


def test_a_possible_term_asked_where_none_is_stated_is_declined():
    q = "What is the maximum prison term Ron Bibby faces if convicted of selling stock in a fake company?"
    arraigned = release("bibby-arraigned.txt", "Ron Bibby, 52, faces grand larceny charges for selling stock in "
                        "a fake company; prosecutors said they will seek the maximum prison term.\n\nHe sold the stock to 40 "
                        "investors over two years.", "Man Indicted for Selling Stock in a Fake Company")
    declined = ExtractiveAnswerer().answer(q, hits_for(arraigned))
    assert declined.refused and "no release read states a possible term" in declined.note, declined.text
    quoted = ExtractiveAnswerer(outcome_check=False).answer(q, hits_for(arraigned))
    assert not quoted.refused  # switched off: the arraignment quoted as if it answered
    # "up to a year in jail" states a possible term (one unit, said with an article)
    short = release("bibby-short.txt", "Ron Bibby, 52, was indicted for selling stock in a fake company.\n\n"
                    "The defendant faces up to a year in jail if convicted of the top count.", "Man Indicted")
    answered = ExtractiveAnswerer().answer(q, hits_for(short))
    assert not answered.refused and "up to a year in jail" in answered.text
    answered = ExtractiveAnswerer().answer(q, hits_for(release("bibby-indicted.txt", INDICTED, "Man Indicted")))
    assert not answered.refused and "up to 15 years" in answered.text


def test_the_date_of_a_court_event_must_be_stated_beside_the_event():
    q = "On what date is the fraud trial of Ron Bibby scheduled to begin?"
    arraigned = release("bibby-arraigned.txt", "Ron Bibby, 52, was arraigned on the fraud indictment on June 3, "
                        "2024 and is scheduled to return to court.\n\nNo date has been set for the fraud trial of Ron "
                        "Bibby.", "Man Arraigned in Fake Stock Fraud")
    set_ = release("bibby-trial.txt", "Ron Bibby, 52, was indicted for fraud in a fake stock scheme.\n\n"
                   "His fraud trial is scheduled to begin on September 9, 2024.", "Trial Date Set")
    # the arraignment's date is not the trial's
    declined_until_stated(q, arraigned, "the date of a court event (trial)", set_, "September 9, 2024", quoted="June 3",
                          beside=True)


def test_the_kind_of_firearm_asked_must_be_stated():
    q = "What type of firearm did Ron Bibby use when he shot into the car in Flatbush?"
    shot = release("bibby-shot.txt", "Ron Bibby, 52, was convicted of murder for shooting into a car in Flatbush.\n\n"
                   "Bibby shot into the car as it drove away, killing the passenger.", "Man Convicted of Flatbush Murder")
    rifle = release("bibby-rifle.txt", "Ron Bibby, 52, shot into the car in Flatbush with a rifle, killing the "
                    "passenger.", "Man Convicted of Flatbush Murder")
    declined_until_stated(q, shot, "the kind of firearm", rifle, "rifle")


def test_a_count_asked_must_be_stated_not_a_date_or_an_age():
    q = "How many shots did Ron Bibby fire into the car in Flatbush?"
    shot = release("bibby-shot.txt", "On June 3, 2020 at 2:44 a.m., Ron Bibby, 52, shot into a car in Flatbush, "
                   "killing the passenger.", "Man Convicted of Flatbush Murder")
    counted = release("bibby-shots.txt", "On June 3, 2020, Ron Bibby, 52, fired four shots into a car in Flatbush, "
                      "killing the passenger.", "Man Convicted of Flatbush Murder")
    declined_until_stated(q, shot, "a count", counted, "four shots")
