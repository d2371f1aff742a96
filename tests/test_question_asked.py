"""What a question asks for (answer_type) and whether quotes visibly hold it (shows_asked_thing)."""
import pytest

from rag.question.asked import answer_type, asked_clause, asks_two_things, shows_asked_thing


@pytest.mark.parametrize(
    "question, kind",
    [
        ("How many knives were seized?", "quantity"),
        ("What was the number of arrests?", "quantity"),
        ("When did the campaign start?", "time"),
        ("On what date was he sentenced?", "time"),
        ("What worries did residents raise when the campaign was planned?", None),
        ("When the operators were indicted in 2019, what sentence did Paul Flanagan receive?", None),  # a lead clause
        ("When the DA spoke, how many guns were there?", "quantity"),
        ("When did the DA, who was elected in 2020, announce it?", "time"),
        ("Who is the chief constable?", "person"),
        ("What did the report say?", None),
    ],
)
def test_answer_type(question, kind):
    assert answer_type(question) == kind


@pytest.mark.parametrize("question, quotes, shown", [
    ("How many victims were involved in the case?",
     ["Three defendants were arrested in a case that involves 15 separate victims."], True),
    ("How many knives were recovered during the High Town day of action?",
     ["Officers recovered a cricket bat and filled eight bags of rubbish."], False),  # a number, not of knives
    ("How many hours of patrols took place, and how many firearms has Boson taken?",
     ["More than 750 hours of additional patrols have taken place.",
      "Boson has removed more than 50 firearms since 2018."], True),
    ("How many hours of patrols took place, and how many firearms has Boson taken?",
     ["More than 750 hours of additional patrols have taken place."], False),  # firearms missing
    ("What is the name of the Mayor who supported the Dallow Cares events?",
     ["Police took part alongside the council and with the support of the Mayor."], False),
    ("What was the name of the person stabbed at Hockwell Ring in Luton?",
     ["Additional patrols were put in place following a stabbing in Hockwell Ring last week."], False),
    ("Who was convicted of the Flatbush shooting?", ["A jury convicted John Smith, 34, of the shooting."], True),
    ("When was Dallow Cares launched?", ["Dallow Cares was launched on 3 March 2023."], True),
    ("When was Dallow Cares launched?", ["Dallow Cares was launched by the council."], False),
    ("What potential weapon was found?", ["Officers recovered a cricket bat."], False),  # nothing to see
    ("How many knives?", [], False),
])
def test_shows_asked_thing(question, quotes, shown):
    assert shows_asked_thing(question, quotes) is shown


@pytest.mark.parametrize("question, two", [
    ("Which Luton project pioneered clear hold build, and which inspector led it?", True),
    ("How many hours of patrols took place and how many firearms were removed?", True),
    ("What maximum sentence did she face when charged, and what sentence did she receive?", True),
    ("Who was charged? When is the hearing?", True),
    ("Who chose the name for the campaign, and when?", True),
    ("Which judge granted the order, and by what date were comments due?", True),
    ("How many knives and guns were seized in Luton parks?", False),
    ("What did police find in the car and in the house?", False),
    ("What did the DA say about the robbery and the shooting?", False),
    ("Which release reported the arrests? Give its title and date.", False),
])
def test_asks_two_things(question, two):
    assert asks_two_things(question) is two


@pytest.mark.parametrize(
    "question, clause",
    [
        ("In the Harris County case of the Spring man who shot his ex-girlfriend's new boyfriend in 2016, how long had"
         " he been lying in wait?", "how long had he been lying in wait?"),  # "who shot" describes, it does not ask
        ("The repeat offender let the judge decide his punishment. Which judge sentenced him to life?",
         "Which judge sentenced him to life?"),
        ("Dallas County's Sexual Assault Kit Initiative (SAKI): how much federal funding had it received?",
         "how much federal funding had it received?"),
        ("Where was Nargiza Shukurova, the unlicensed Dr. Nargiza, arrested?",  # "Dr." ends no sentence here
         "Where was Nargiza Shukurova, the unlicensed Dr. Nargiza, arrested?"),
        ("How many knives were seized in Luton parks?", "How many knives were seized in Luton parks?"),
        ("Knives seized in Luton parks.", "Knives seized in Luton parks."),  # no question word: the last sentence
    ],
)
def test_the_clause_that_asks(question, clause):
    assert asked_clause(question) == clause


@pytest.mark.parametrize("question, kind", [
    ("How much restitution was Jose Solorio ordered to pay?", "money"),
    ("What bond amount was set for William Gallagher after his arrest?", "money"),
    ("How old was Zephaniah Trevino when he pleaded guilty?", "age"),
    ("How old was Dr. Benjamin Harouni?", "age"),
    ("Which judge presided over the murder trial of Davonte Benton?", "judge"),
    ("Before which Superior Court judge was he arraigned?", "judge"),
    ("Which San Diego Superior Court judge sentenced Nicholas Piazza?", "judge"),
    ("Who was the defense lawyer representing Frank Racano?", "lawyer"),
    ("Who represented the defendant at trial?", "lawyer"),
    ("How long a period of post-release supervision was imposed on Rodlin Gravesande?", "term"),
    ("How long was the probation Ron Bibby received?", "term"),
    ("How long was Ron Bibby sentenced to?", None),  # a sentence, not a named term
    ("How old was the oldest crime among the cases?", None),  # a year answers it, not an age
    ("When was the bail set for Ron Bibby?", None),  # a date is asked
    ("On what date is the murder trial of Ron Bibby scheduled to begin?", "date"),  # of a court event
    ("When is Ron Bibby due back in court?", "date"),
    ("When is the sentencing hearing for Ron Bibby?", "date"),
    ("When did Ron Bibby sell the fake stock?", None),
    ("What type of firearm did the officer use when he shot into the car?", "firearm"),
    ("What kind of gun did police recover from Donovan Bailey?", "firearm"),
    ("What gun did he use?", "firearm"),
    ("What weapon did Ramin Pirbazari actually use?", None),  # any weapon: "a potato peeler"
    ("Which gun store sold the rifle?", None),
    ("What sentence did Ron Bibby receive?", None),
    ("How many shots did Donovan Bailey fire into the crowd?", "count"),
    ("How many years had Sergeant Nolan served as a court officer?", "count"),
    ("What was the name of the 17-year-old fatally stabbed at the house party?", "name"),
    ("What are the names of the couple who paid $276,000 for the house?", "name"),  # not a money amount
    ("What was his sentence, and what was the name of the brother-in-law he killed?", "name"),
    ("What is the name of the mural that was defaced?", None),  # a thing's name: any capitalised words
    ("Who was the woman that the victim accused him of seeing?", "name"),
    ("How did Thomas Apollo plead at his arraignment?", "plea"),
    ("What plea deal had he been about to accept?", None),  # the deal's terms answer it
    ("When was the chiropractor arrested?", "date"),  # beside the arrest
    ("Who was sentenced for the stabbing?", None),
])
def test_a_figure_asked_by_name(question, kind):
    from rag.question.asked import asked_figure
    assert asked_figure(question) == kind


def test_what_states_a_figure():
    from rag.question.asked import states_figure
    assert states_figure("money", "ordered to pay $48,000 in restitution")
    assert not states_figure("money", "sentenced to two to six years")
    assert states_figure("age", "Ron Bibby, 52, was sentenced") and states_figure("age", "a 29-year-old man")
    assert not states_figure("age", "sentenced to 12 years in prison")
    assert states_figure("judge", "before Brooklyn Supreme Court Justice Danny Chun")
    assert not states_figure("judge", "The District Attorney thanked the judge.")
    assert states_figure("lawyer", "He was represented by attorney Jane Roe.")
    assert states_figure("lawyer", "Defense attorney Jane Roe said her client would appeal.")
    assert not states_figure("lawyer", "Deputy District Attorney John Doe prosecuted the case.")
    assert states_figure("firearm", "Police recovered a .40 caliber pistol.") and states_figure("firearm", "a 9mm handgun")
    assert states_figure("firearm", "He carried a .45 in his waistband.")
    assert not states_figure("firearm", "He fired into the car, killing the teenager, at 10.30 p.m.")
    assert states_figure("count", "He fired three shots.") and states_figure("count", "He served 12 years as an officer.")
    # a date, a time, an ordinal, an age: no count
    assert not states_figure("count", "On September 7, 2020 at 2:44 a.m., a week before his 16th birthday, he fired.")
    assert not states_figure("count", "The victim, who was 25-years-old, was at 120 Schermerhorn Street.")
    assert states_figure("plea", "He pleaded not guilty.") and states_figure("plea", "She entered a plea of no contest.")
    assert not states_figure("plea", "He was arraigned on Tuesday and is due back in court on May 3.")


def test_a_payment_or_an_age_asked_must_be_stated_beside_its_anchor():
    from rag.question.asked import figure_anchor, states_figure
    assert figure_anchor("What bond amount was set for William Gallagher?", "money") == "bond"
    assert figure_anchor("How much restitution was Jose Solorio ordered to pay?", "money") == "restitution"
    assert figure_anchor("How much is Walgreens paying under its 2026 settlement?", "money") == ""  # context
    indicted = "A grand jury indicted Gallagher for Securities Fraud of $100,000 or more."
    assert states_figure("money", indicted) and not states_figure("money", indicted, "bond")
    assert states_figure("money", "His bond was set at $500,000.", "bond")
    assert figure_anchor("How old was Dr. Benjamin Harouni, who was killed?", "age") == "Harouni"
    assert figure_anchor("How old was the victim?", "age") == ""
    charged = "Stephan charged a 29-year-old El Cajon man with the murder of Dr. Benjamin Harouni."
    assert states_figure("age", charged) and not states_figure("age", charged, "Harouni")
    assert states_figure("age", "Benjamin Harouni, 64, was killed.", "Harouni")
    assert states_figure("age", "the 64-year-old Benjamin Harouni", "Harouni")
    question = "How long a period of post-release supervision was imposed on Rodlin Gravesande?"
    assert figure_anchor(question, "term") == "post-release supervision"
    assert not states_figure("term", "She was sentenced to 12 years in prison.", "post-release supervision")
    assert states_figure("term", "She was sentenced to 12 years in prison, to be followed by five years of "
                                 "post-release supervision.", "post-release supervision")
    q = "When is the sentencing of Ron Bibby scheduled?"
    assert figure_anchor(q, "date") == "sentenc"  # the event's stem: "sentencing", "sentenced"
    assert states_figure("date", "Bibby is scheduled to be sentenced on June 3.", "sentenc")
    assert not states_figure("date", "Bibby was arraigned on June 3.", "sentenc")
    assert figure_anchor("When was the chiropractor arrested?", "date") == "arrest"
    assert states_figure("date", "He was arrested on June 3, 2008.", "arrest")
    assert not states_figure("date", "He was found guilty by a jury on June 3, 2008.", "arrest")


def test_a_count_asked_must_count_the_thing_asked():
    from rag.question.asked import counted_thing, figure_anchor, states_figure
    question = "How many Firestone service centers in San Diego County did investigators inspect?"
    assert figure_anchor(question, "count") == "Firestone service centers"
    assert counted_thing("How many pairs of shoes did the crew take?") == "pairs"
    assert counted_thing("How many of the inventoried kits were untested?") == "inventoried kits"
    assert counted_thing("How many more felony counts were filed?") == "felony counts"
    assert counted_thing("How many people did the office warn by email?") == ""  # people: any count, as before
    assert counted_thing("How many human trafficking victims were recovered?") == ""
    assert counted_thing("How many police constables and PCSOs were set aside?") == ""  # "67 PCs"
    assert counted_thing("How many were dismissed in Manhattan?") == ""  # nothing named
    assert counted_thing("How many times did the team search the parks?") == ""  # "20 weapons sweeps"
    settled = "Firestone agreed to a $3 million settlement with her office and 28 other prosecutors."
    assert not states_figure("count", settled, "Firestone service centers") and states_figure("count", settled)
    assert states_figure("count", "warned about 1,200 email addresses", figure_anchor("How many people were warned?", "count"))


def test_a_name_asked_must_be_one_the_question_does_not_give():
    from rag.question.asked import states_figure
    asked = "What is the name of the Houston woman sentenced for killing five-year-old Samuel Olson?"
    assert not states_figure("name", "The Houston woman who killed 5-year-old Samuel Olson was sentenced.", given=asked)
    assert states_figure("name", "Jane Q. Roe, 41, of Houston, killed 5-year-old Samuel Olson.", given=asked)
    assert not states_figure("name", "Summer Stephan announced today that the man was sentenced.", given=asked)  # a speaker
    assert not states_figure("name", "Harris County District Attorney Kim Ogg thanked the jury.", given=asked)  # an office
    assert not states_figure("name", "He drove from the Bay Area to Valley Center.", given=asked)  # places
    assert not states_figure("name", "SANTA ANA, Calif. – A mother was charged.", given=asked)  # a dateline
    assert not states_figure("name", "Officer Killed Responding to Deadly Mattress Fire", given=asked)  # a headline
    assert states_figure("name", "After killing Vicente Reyes, Bobila went downstairs.", given=asked)
