"""Archive pages ("Press Releases 2025": other releases' headlines under their dates) are no
releases: counts, lists and case histories leave them out and say so (``rag.ingest.listing``).

The hand-built source has 30 releases, so the archive page's headlines and dates (each also in
its own release: two pages) stay in its body after boilerplate removal, as they do in the
shared corpora's large folders (lines in 8% of a folder's pages are removed, here 3 of 31).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import hash_pipeline
from rag.ingest.listing import LISTED, is_listing, listed_lines, title_key
from rag.models import Release

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
TOWNS = ["Ashford", "Brampton", "Corbel", "Dunmore", "Elston", "Fairlee", "Glenwood", "Harrow", "Ivel", "Jarrow"]


def _release(n: int) -> tuple[str, str, str]:
    """(title, date line, body) of the n-th release: every third one about fentanyl, release 4
    and 7 about Rosa Delgado's case."""
    town = TOWNS[n % len(TOWNS)]
    date = f"{MONTHS[n % 12]} {n % 27 + 1}, 2025"
    if n in (4, 7):
        step = "Charged" if n == 4 else "Sentenced"
        return (f"{town} Woman {step} in Fentanyl Case", date,
                f"The District Attorney announced that Rosa Delgado, 41, of {town}, was {step.lower()} in a fentanyl "
                f"case brought by the narcotics unit in matter {n}.")
    if n % 3 == 0:
        return (f"{town} Man Charged with Selling Fentanyl Pills", date,
                f"The District Attorney charged a {town} man with selling counterfeit pills laced with fentanyl "
                f"near a school, matter {n}.")
    return (f"{town} Burglary Suspect Arraigned in Case {n}", date,
            f"The District Attorney announced that a {town} man was arraigned on burglary charges in matter {n}.")


def _corpus(root: Path) -> list[tuple[str, str, str]]:
    folder = root / "metro_da"
    folder.mkdir(parents=True)
    made = [_release(n) for n in range(30)]
    tail = ("The office thanked the detectives and community partners for their work and asked anyone with "
            "information to call the tip line, which trained staff answer day and night.")
    for n, (title, date, body) in enumerate(made):
        (folder / f"r{n:02d}.txt").write_text(f"{title}\n{date}\n{body} {tail} Reference {n}.\n", encoding="utf-8")
    listed = "".join(f"{date}\n{title}\n" for title, date, _ in made[:9])  # 9 headlines (3 on fentanyl, 2 on Delgado)
    (folder / "press-releases.txt").write_text(
        f"Press Releases 2025\nDecember 31, 2025\nThe latest news releases of the office.\n{listed}", encoding="utf-8")
    return made


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    return hash_pipeline(tmp_path_factory, _corpus)


def test_the_archive_page_keeps_its_headlines_and_is_recognised(pipe):
    store = pipe.refresh().index.store
    page = store.release("metro_da/press-releases.txt")
    titles = frozenset(map(title_key, store.titles("metro_da")))
    assert listed_lines(page.body, page.title, titles) == 19  # 9 headlines, their 9 dates and its own
    assert is_listing(page, titles)
    assert not any(is_listing(r, titles) for r in store.releases_where(sources=["metro_da"]) if r.id != page.id)


def test_a_count_leaves_the_archive_page_out_and_says_so(pipe):
    answer, _ = pipe.ask("How many 2025 metro_da press releases mention fentanyl?")
    assert answer.route == "count"
    ids = {m.release_id for m in answer.matches}
    assert "metro_da/press-releases.txt" not in ids
    assert ids == {f"metro_da/r{n:02d}.txt" for n in (0, 3, 4, 6, 7, 9, 12, 15, 18, 21, 24, 27)}
    assert answer.text.startswith("12 releases")
    assert "1 archive page listing other releases' headlines matched and was left out: " \
           "\u201cPress Releases 2025\u201d (metro_da/press-releases.txt)" in answer.text


def test_a_case_history_leaves_the_archive_page_out(pipe):
    answer, _ = pipe.ask("What happened in the case against Rosa Delgado?")
    assert answer.route == "case"
    assert [m.release_id for m in answer.matches] == ["metro_da/r04.txt", "metro_da/r07.txt"]


def _page(body: str, title: str = "News") -> Release:
    return Release("s/p.txt", title, "2025-01-01", None, "s", body=body, path="s/p.txt")


def test_listed_lines_count_headlines_of_other_releases_and_bare_dates():
    titles = frozenset(map(title_key, ["Man Charged with Robbery in Ashford", "Woman Sentenced for Fraud Scheme",
                                       "News"]))
    body = ("November 26\nMan charged with robbery  in Ashford\n6/3/2026\nWoman Sentenced for Fraud Scheme\n"
            "2024-03-01\nOctober 24, 2022\n3 March 2021\nNews\nThe man was charged on November 26, 2024.\n")
    # 2 headlines (case and spacing aside), 5 bare dates; "News" is too short for a headline, a date in a
    # sentence is no bare date
    assert listed_lines(body, "Press Releases", titles) == 7
    assert listed_lines(body, "Man Charged with Robbery in Ashford", titles) == 6  # its own title is no listing
    lines = body.splitlines()
    assert is_listing(_page("\n".join(lines[:LISTED])), titles)
    assert not is_listing(_page("\n".join(lines[:LISTED - 1])), titles)  # a "related" sidebar of four
