"""Boilerplate learned from synthetic scraped sites (no site is hard-coded anywhere)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from rag.ingest import IngestResult, load_corpus
from rag.ingest import boilerplate as bp
from rag.models import Release

WORDS = (
    "county court jury judge officer detective victim witness report evidence sentence charge "
    "robbery fraud vehicle street morning evening family neighbour council school park station "
    "investigation prosecutor defendant hearing warrant search arrest patrol community program"
).split()

NAV_TOP = ["Skip to content", "Home", "About us", "News", "Contact", "Search for", "Press"]
COOKIES = [
    "We use cookies to make this site work and to remember your settings.",
    "You can change your cookie settings at any time on the cookies page.",
]
FOOTER = ["Recent posts", "Another headline from the sidebar", "June 9, 2026", "Follow us", "Privacy policy",
          "Terms of use", "Accessibility", "Site map", "Scroll to top", "Copyright Example Gazette"]


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def page(rng: random.Random, k: int, suffix: str = " - Example Gazette", date: str = "March 3, 2021",
         body: list[str] | None = None) -> str:
    title = f"Headline number {k} about {rng.choice(WORDS)} {rng.choice(WORDS)}"
    body = body if body is not None else [sentence(rng) for _ in range(5)]
    lines = [title + suffix, *NAV_TOP, *COOKIES, "Published", date, title, *body, *FOOTER]
    return "\n".join(lines) + "\n"


def make_site(root: Path, n: int, seed: int = 1, folder: str = "site") -> dict[str, list[str]]:
    """n pages under root/<folder>/; returns each page's unique body lines by id."""
    rng = random.Random(seed)
    bodies = {}
    for k in range(n):
        body = [sentence(rng) for _ in range(5)]
        rel = f"{folder}/page_{k:03d}.txt"
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(page(rng, k, body=body), encoding="utf-8")
        bodies[rel] = body
    return bodies


def by_id(result: IngestResult) -> dict[str, Release]:
    return {r.id: r for r in result.releases}


# --------------------------------------------------------------------------- thresholds
def test_thresholds() -> None:
    assert [bp.relative_threshold(n) for n in (1, 5, 20, 43, 114, 511, 6423)] == [2, 2, 2, 4, 10, 41, 514]
    assert [bp.absolute_threshold(n) for n in (5, 43, 511, 6423)] == [2, 4, 30, 30]


def test_is_prose() -> None:
    assert bp.is_prose("Senior Deputy District Attorney Jane Doe of the Homicide Unit is prosecuting this case.")
    assert not bp.is_prose("Aliso Viejo Man Sentenced to Life Without the Possibility of Parole")
    assert not bp.is_prose("Home.")
    assert not bp.is_prose("ALL CAPS HEADLINE THAT ENDS WITH A FULL STOP.")


def test_learn_rules_on_a_large_group() -> None:
    """Relative rule, absolute rule for non-prose, prose exemption."""
    n = 400  # relative threshold 32, absolute 30
    prose = "Deputy District Attorney Jane Doe of the Homicide Unit is prosecuting this case."
    sidebar = "Man Sentenced to Life for Murder in Anaheim"
    docs = []
    for i in range(n):
        keys = [f"Unique title {i}", "Skip to content", f"Unique sentence number {i} of this page."]
        if i < 31:
            keys += [prose, sidebar]
        if i < 2:
            keys.append("Shared by a near-duplicate pair only")
        docs.append(keys)
    model = bp.learn(docs)
    assert "Skip to content" in model.boilerplate  # in every page
    assert sidebar in model.boilerplate  # 31 >= 30, not prose
    assert prose not in model.boilerplate  # prose needs 32 (8%)
    assert "Shared by a near-duplicate pair only" not in model.boilerplate
    assert not any(k.startswith("Unique") for k in model.boilerplate)


def test_line_keys_collapse_whitespace() -> None:
    assert bp.line_keys(["  a\u00a0 b\t c  ", "", "plain"]) == ["a b c", "", "plain"]
    assert bp.text_line_keys("x  y\nz")[1] == ["x y", "z"]


# --------------------------------------------------------------------------- end to end
def test_site_nav_cookies_footer_removed(tmp_path: Path) -> None:
    bodies = make_site(tmp_path, 40)
    result = load_corpus([tmp_path])
    assert result.skipped == ()
    got = by_id(result)
    assert len(got) == 40
    for rid, body in bodies.items():
        r = got[rid]
        assert r.source == "site"
        assert r.date == "2021-03-03"
        assert r.title.startswith("Headline number") and "Example Gazette" not in r.title
        assert r.body == "\n".join(body), rid  # exactly the unique text, in order
    all_bodies = "\n".join(r.body for r in result.releases)
    for junk in NAV_TOP + COOKIES + FOOTER + ["Published"]:
        assert f"\n{junk}\n" not in f"\n{all_bodies}\n", junk


def test_small_group_cookie_lines_in_two_of_five(tmp_path: Path) -> None:
    """As in Bedfordshire: the banner is on 2 of 5 pages; 2 pages are enough."""
    rng = random.Random(3)
    for k in range(5):
        body = [sentence(rng) for _ in range(4)]
        lines = ([f"Story {k} title line"] + (COOKIES if k < 2 else []) + body)
        (tmp_path / f"{k}.txt").write_text("\n".join(lines), encoding="utf-8")
    result = load_corpus([tmp_path])
    assert len(result.releases) == 5
    for r in result.releases:
        assert "cookie" not in r.body.lower()
        assert r.source == tmp_path.name
        assert len(r.body.split("\n")) == 4


def test_near_duplicate_pair_keeps_its_text(tmp_path: Path) -> None:
    rng = random.Random(5)
    make_site(tmp_path, 30)
    shared = [sentence(rng) for _ in range(6)]
    (tmp_path / "site" / "dup_a.txt").write_text(page(rng, 900, body=shared), encoding="utf-8")
    (tmp_path / "site" / "dup_b.txt").write_text(page(rng, 901, body=shared[:5] + ["Updated: one more line."]),
                                                 encoding="utf-8")
    got = by_id(load_corpus([tmp_path]))
    assert got["site/dup_a.txt"].body == "\n".join(shared)
    assert got["site/dup_b.txt"].body == "\n".join(shared[:5] + ["Updated: one more line."])


def test_near_duplicate_pair_in_a_tiny_group(tmp_path: Path) -> None:
    """With 2 pages enough to be boilerplate, versions of one release must still keep their text."""
    rng = random.Random(6)
    text = [sentence(rng, 16) for _ in range(5)]
    for name, extra in (("a.txt", "First version."), ("b.txt", "Second version, corrected.")):
        (tmp_path / name).write_text("\n".join(["Release title", *COOKIES, *text, extra]), encoding="utf-8")
    for k in range(2):
        (tmp_path / f"other{k}.txt").write_text("\n".join([f"Other {k}", *COOKIES, sentence(rng), sentence(rng)]),
                                                encoding="utf-8")
    got = by_id(load_corpus([tmp_path]))
    assert got["a.txt"].body == "\n".join(text + ["First version."])
    assert got["b.txt"].body == "\n".join(text + ["Second version, corrected."])
    assert "cookie" not in got["other0.txt"].body


def test_exact_duplicates_after_cleaning(tmp_path: Path) -> None:
    """The same release crawled twice with different sidebars is one release."""
    rng = random.Random(7)
    make_site(tmp_path, 20)
    body = [sentence(rng) for _ in range(4)]
    rng_a, rng_b = random.Random(1), random.Random(1)
    (tmp_path / "site" / "twin_1.txt").write_text(page(rng_a, 500, body=body), encoding="utf-8")
    (tmp_path / "site" / "twin_2.txt").write_text(page(rng_b, 500, body=body), encoding="utf-8")
    result = load_corpus([tmp_path])
    assert [s.reason for s in result.skipped] == ["exact duplicate of site/twin_1.txt"]
    assert result.skipped[0].path.endswith("twin_2.txt")


def test_inline_fragments_survive(tmp_path: Path) -> None:
    """Recurring phrases split out of sentences by links stay in place."""
    rng = random.Random(8)
    for k in range(20):
        lines = [f"Story {k} | Example Office", *NAV_TOP,
                 f"“We will keep working for victim number {k},”",
                 "State’s Attorney Burke said",
                 f". “Our office is committed to justice in case number {k}.”",
                 sentence(rng)]
        (tmp_path / f"s{k:02d}.txt").write_text("\n".join(lines), encoding="utf-8")
    result = load_corpus([tmp_path])
    assert len(result.releases) == 20
    for r in result.releases:
        assert "\nState’s Attorney Burke said\n. “Our office" in r.body
        assert "Skip to content" not in r.body
        assert r.title.startswith("Story ") and "|" not in r.title


def test_links_after_the_footer_are_dropped(tmp_path: Path) -> None:
    rng = random.Random(9)
    for k in range(12):
        body = [sentence(rng) for _ in range(3)]
        lines = [f"Story {k} - Site", *body, *FOOTER, f"Link to: Story {k - 1}", f"Story {k - 1}",
                 f"Link to: Story {k + 1}", f"Story {k + 1}"]
        (tmp_path / f"s{k:02d}.txt").write_text("\n".join(lines), encoding="utf-8")
    for r in load_corpus([tmp_path]).releases:
        assert "Link to" not in r.body
        assert len(r.body.split("\n")) == 3


def test_bot_check_and_stub_pages_skipped(tmp_path: Path) -> None:
    bot = "\n".join([
        "Pardon Our Interruption",
        "As you were browsing something about your browser made us think you were a bot.",
        "You've disabled JavaScript in your web browser.",
        "To regain access, please make sure that cookies and JavaScript are enabled before reloading the page.",
    ])
    make_site(tmp_path, 20)
    for k in range(6):
        (tmp_path / "site" / f"bot_{k}.txt").write_text(bot, encoding="utf-8")
    (tmp_path / "site" / "signup.txt").write_text(
        "News from the Office\nSubscribe to\nNews from the Office\nFull name (optional)\nEmail\nSubscribe\n",
        encoding="utf-8")
    (tmp_path / "site" / "link_only.txt").write_text(
        page(random.Random(2), 77, body=["Please click on the link to view the release."]), encoding="utf-8")
    (tmp_path / "site" / "title_only.txt").write_text("Protect Yourself From Scams\n\n\n", encoding="utf-8")
    (tmp_path / "lonely").mkdir()
    (tmp_path / "lonely" / "bot.txt").write_text(bot, encoding="utf-8")  # a group of one: nothing learned
    result = load_corpus([tmp_path])
    why = {Path(s.path).parent.name + "/" + Path(s.path).name: s.reason for s in result.skipped}
    for k in range(6):
        assert why[f"site/bot_{k}.txt"].startswith("no body text after removing boilerplate")
    assert why["site/signup.txt"] == "too little text for a release (stub page; 7 words)"
    assert why["site/title_only.txt"] == "no body text below the title"
    assert why["site/link_only.txt"] == (
        "no body text after removing boilerplate (bot-check or stub page; 9 words left)")
    assert why["lonely/bot.txt"] == "bot-check page ('pardon our interruption')"
    assert len(result.releases) == 20


def test_title_fallbacks(tmp_path: Path) -> None:
    rng = random.Random(10)
    letterhead = "\n".join([
        "October 31, 2018 Contact: Jane Doe",
        "Director of Communications",
        "For Immediate Release: County Jury Finds Man Guilty of Murder in",
        "the Death of a 4-Year-Old Girl",
        "(County) - A county jury found the man guilty of capital murder this afternoon.",
        sentence(rng), sentence(rng),
    ])
    (tmp_path / "pr.txt").write_text(letterhead, encoding="utf-8")
    wrapped = "\n".join([  # a PDF wrapped the title before a capitalised word
        "December 12, 2023 Contact: Jane Doe",
        "For Immediate Release: Statement from Dallas County Criminal District Attorney John",
        "Creuzot Following the Passing of Former DA Craig Watkins",
        "\u201cI am saddened to learn of the passing of my former colleague Craig Watkins.",
        sentence(rng), sentence(rng),
    ])
    (tmp_path / "wrapped.txt").write_text(wrapped, encoding="utf-8")
    dateline = "\n".join([  # the body's first line follows an unwrapped title
        "March 1, 2019 Contact: Jane Doe",
        "For Immediate Release: Jury Sentences Ponzi Scheme Criminal to 79 Years",
        "(Dallas, Texas) \u2013 On Thursday a jury found the defendant guilty of money laundering",
        sentence(rng), sentence(rng),
    ])
    (tmp_path / "dateline.txt").write_text(dateline, encoding="utf-8")
    long_headline = ("Orange County District Attorney Announces Charges Against Former Coach Accused of Sexually Abusing "
                     "Students and Asks the Public for Help Identifying Additional Victims")
    (tmp_path / "long.txt").write_text("\n".join([long_headline, sentence(rng), sentence(rng), sentence(rng)]),
                                       encoding="utf-8")
    (tmp_path / "nav.txt").write_text("\n".join(["Skip to main content", "A Heading Without a Period",
                                                 sentence(rng), sentence(rng), sentence(rng)]), encoding="utf-8")
    (tmp_path / "nav2.txt").write_text("\n".join(["Skip to main content", sentence(rng, 30), sentence(rng)]),
                                       encoding="utf-8")
    got = by_id(load_corpus([tmp_path]))
    assert got["wrapped.txt"].title == ("Statement from Dallas County Criminal District Attorney John Creuzot "
                                        "Following the Passing of Former DA Craig Watkins")
    assert got["dateline.txt"].title == "Jury Sentences Ponzi Scheme Criminal to 79 Years"
    assert len(long_headline) > 120 and got["long.txt"].title == long_headline  # a headline is kept whole
    pr = got["pr.txt"]
    assert pr.title == "County Jury Finds Man Guilty of Murder in the Death of a 4-Year-Old Girl"
    assert pr.date == "2018-10-31"
    assert pr.body.startswith("October 31, 2018 Contact: Jane Doe")  # letterhead kept whole
    nav = got["nav.txt"]
    assert nav.title == "A Heading Without a Period"
    assert "Skip to main content" not in nav.body and "A Heading Without" not in nav.body
    nav2 = got["nav2.txt"]
    assert len(nav2.title) <= 120 and nav2.body.startswith(nav2.title.split(" ")[0])


def test_groups_and_roots(tmp_path: Path) -> None:
    """Each top-level folder of each root is its own group, named as the source."""
    make_site(tmp_path / "one", 10, seed=1, folder="alpha")
    make_site(tmp_path / "one", 10, seed=2, folder="beta")
    make_site(tmp_path / "two", 10, seed=3, folder="gamma")
    result = load_corpus([tmp_path / "one", str(tmp_path / "two")])
    assert result.skipped == ()
    assert [r.source for r in result.releases] == ["alpha"] * 10 + ["beta"] * 10 + ["gamma"] * 10
    assert all("Example Gazette" not in r.title and "Skip to content" not in r.body for r in result.releases)


@pytest.mark.parametrize("n", [3, 12])
def test_every_file_accounted_for(tmp_path: Path, n: int) -> None:
    make_site(tmp_path, n)
    result = load_corpus([tmp_path])
    assert len(result.releases) + len(result.skipped) == n
