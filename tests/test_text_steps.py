"""Case steps and outcome modality (rag.text.steps): one text layer for the case histories and the reader."""
from rag.text.steps import asks_outcome, asks_potential, hypothetical, step_of


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
