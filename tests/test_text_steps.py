"""Case steps and outcome modality (rag.text.steps): one text layer for the case histories and the reader."""
from rag.text.steps import (DURATION, asks_outcome, asks_potential, asks_sentence, hypothetical, states_sentence,
                            step_of)


def test_the_most_final_step_wins():
    assert step_of("Man Convicted and Sentenced to 25 Years to Life") == "sentenced"
    assert step_of("Woman charged with animal abuse") == "charged"
    assert step_of("Defendant pleads guilty to fraud") == "pleaded"
    assert step_of("Community meeting on Saturday") is None


def test_what_happened_is_told_from_what_could_have():
    actual = "Megan Hoechstetter was charged in 2017. how much jail time did she ultimately get?"
    possible = "Megan Hoechstetter was charged in 2017. What maximum sentence did she face when charged?"
    assert asks_outcome(actual) and not asks_potential(actual)
    assert asks_potential(possible) and not asks_outcome(possible)
    assert asks_outcome("What sentence did he receive?") and asks_outcome("What sentence was he given?")
    assert hypothetical("If convicted, he faces a maximum sentence of three years and eight months in prison.")
    assert hypothetical("She could face up to 12 years in county jail.")
    assert not hypothetical("He was sentenced to 120 days in jail and three years of probation.")


def test_a_sentence_asked_for_and_a_sentence_stated():
    assert asks_sentence("What sentence did Ronald Bibby receive after being indicted in Brooklyn?")
    assert asks_sentence("Dunn was charged in 2014. what prison term did he end up with?")
    assert not asks_sentence("What maximum sentence did she face when charged?")   # a possible one
    assert not asks_sentence("How much restitution did he receive?")                # not a sentence
    assert not asks_sentence("What sentence did the DA seek?")                      # nothing received
    assert states_sentence("He was sentenced to 120 days in jail and three years of probation.")
    assert states_sentence("Disbarred Lawyer Sentenced to Up to 22 Years in Prison")   # a title
    assert states_sentence("The judge imposed a sentence of 15 years to life.")
    assert not states_sentence("If convicted, he faces a maximum sentence of 15 years in prison.")
    assert not states_sentence("The defendant was indicted on 12 counts of grand larceny.")
    assert not states_sentence("The 34-year-old defendant was arraigned today.")
    assert not states_sentence("He could be sentenced to up to 25 years in state prison.")
    assert not states_sentence("She is scheduled to be sentenced on May 2 and faces up to 25 years.")
    assert not states_sentence("Smith will be sentenced in June.")


def test_life_is_a_term_but_not_inside_a_compound():
    assert DURATION.search("sentenced to 25 years to life in prison")
    assert DURATION.search("He faces life without parole.")
    assert DURATION.search("sentenced to six months of probation")
    for text in ("a 79-year-old woman with a life-threatening liver illness", "a pro-life rally",
                 "life-saving naloxone kits", "a 35-year-old driver"):
        assert not DURATION.search(text), text


def test_which_sentence_a_question_asks_for():
    from rag.text.steps import sentence_asked, states_possible_sentence
    assert sentence_asked("What sentence did she receive?") == "imposed"
    assert sentence_asked("How much jail time did she ultimately get?") == "imposed"
    assert sentence_asked("What maximum sentence did she face when charged?") == "possible"
    assert sentence_asked("How many knives were seized?") is None
    assert states_possible_sentence("If convicted, she faces a maximum sentence of 12 years in county jail.")
    assert not states_possible_sentence("She was sentenced to 120 days in county jail.")
    assert states_possible_sentence("The defendant faces up to a year in jail if convicted of the top count.")
    assert not states_possible_sentence("If convicted, she faces charges filed a year ago.")


def test_a_sentence_asked_is_led_by_a_sentence_stating_one():
    from types import SimpleNamespace

    from rag.answer.extractive import sentence_lead
    cands = [SimpleNamespace(text="Dunn is charged with one felony count of misappropriation of public funds."),
             SimpleNamespace(text="If convicted, Dunn faces a maximum sentence of 11 years and four months."),
             SimpleNamespace(text="Dunn was sentenced to one year in jail and three years of probation.")]
    order = [0, 1, 2]
    assert sentence_lead("What sentence did Dunn receive?", cands, order, 0, lambda i: True) == 2
    assert sentence_lead("What maximum sentence did Dunn face?", cands, order, 0, lambda i: True) == 1
    assert sentence_lead("What sentence did Dunn receive?", cands, order, 0, lambda i: i != 2) == 0  # not quotable
    assert sentence_lead("Who charged Dunn?", cands, order, 0, lambda i: True) == 0
