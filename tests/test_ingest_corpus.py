"""The whole shared prosecutor corpus (8,635 scraped files); skipped where it is absent."""
from __future__ import annotations

import collections
import time
from pathlib import Path

import pytest

from rag.ingest import IngestResult, load_corpus

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEXT = SHARED / "corpora" / "us-prosecutors" / "text"
SUFFIXES = (
    " - Orange County District Attorney",
    " | Cook County State's Attorney",
    " - The Brooklyn District Attorney's Office",
    " - DA NewsCenter",
    " - Office of Miami-Dade State Attorney Katherine Fernandez Rundle",
    " | Los Angeles County District Attorney's Office",
)

PHIFER = "dallas_tx/Assets_uploads_docs_district-attorney_press-release_2018_PR_CharlesPhiferTrial_101518_pdf.txt"

pytestmark = pytest.mark.skipif(not TEXT.is_dir(), reason=f"shared corpus not found at {TEXT}")


@pytest.fixture(scope="module")
def run() -> tuple[IngestResult, float, int]:
    n_files = sum(1 for p in TEXT.rglob("*") if p.is_file() and not p.name.startswith("."))
    start = time.perf_counter()
    result = load_corpus([TEXT])
    return result, time.perf_counter() - start, n_files


def test_every_file_accounted_for(run) -> None:
    result, elapsed, n_files = run
    print(f"\ningested {n_files} files in {elapsed:.2f}s: "
          f"{len(result.releases)} releases, {len(result.skipped)} skipped")
    assert len(result.releases) + len(result.skipped) == n_files
    assert all(s.reason.strip() for s in result.skipped)
    assert len({r.id for r in result.releases}) == len(result.releases)
    # the time is printed, not asserted: speed lives in bench/ (bench/index_build.py)


def test_skip_reasons(run) -> None:
    result, _, _ = run
    reasons = collections.Counter(s.reason.split(" (")[0].split(" of ")[0] for s in result.skipped)
    print("\nskipped:", dict(reasons))
    assert len(result.skipped) < 0.02 * len(result.releases)
    la_bot = [s for s in result.skipped if "/los_angeles_ca/" in s.path]
    assert len(la_bot) == 45
    assert all(s.reason.startswith("no body text after removing boilerplate") for s in la_bot)
    assert not any(r.title == "Pardon Our Interruption" or "Pardon Our Interruption" in r.body
                   for r in result.releases)
    signup = [s for s in result.skipped if s.path.endswith("435_Newsletter-Signup.txt")]
    assert len(signup) == 1


def test_dates(run) -> None:
    result, _, _ = run
    per = collections.defaultdict(lambda: [0, 0])
    for r in result.releases:
        per[r.source][0] += 1
        per[r.source][1] += r.date is not None
        assert r.date is None or (len(r.date) == 10 and "1990-01-01" <= r.date)
    print("\ndate coverage:", {s: f"{d}/{n}" for s, (n, d) in sorted(per.items())})
    total = sum(n for n, _ in per.values())
    dated = sum(d for _, d in per.values())
    assert dated / total >= 0.98
    for county in ("orange_ca", "kings_ny", "san_diego_ca", "cook_il", "miami_dade_fl", "riverside_ca"):
        n, d = per[county]
        assert d / n >= 0.97, county
    for county in ("dallas_tx", "harris_tx"):  # annual reports, index pages
        n, d = per[county]
        assert d / n >= 0.85, county


def test_known_dates(run) -> None:
    result, _, _ = run
    got = {r.id: r for r in result.releases}
    assert got["riverside_ca/felon_released.txt"].date == "2024-08-09"
    assert got[PHIFER].date == "2018-10-15"
    kings = [r for r in result.releases if r.source == "kings_ny"]
    agree = sum(r.date.replace("-", "_") == r.id.split("/")[1][:10] for r in kings)
    assert agree / len(kings) >= 0.8  # the rest: release dated a few days before posting


def test_titles(run) -> None:
    result, _, _ = run
    assert all(r.title.strip() for r in result.releases)
    with_suffix = [r.title for r in result.releases if r.title.endswith(SUFFIXES)]
    assert with_suffix == []
    got = {r.id: r for r in result.releases}
    phifer = got[PHIFER]
    assert phifer.title == ("Dallas County Jury Finds Charles Phifer Guilty of Murder in the Death of a "
                            "4-Year-Old Girl")
    assert got["orange_ca/press_10-men-convicted-and-sentenced-for-conspiracy-and-disrupting-a-meeting-during-"
               "speech-by-israeli-ambassador-at-uci.txt"].title.startswith("10 MEN CONVICTED AND SENTENCED")


def test_orange_county_bodies_are_clean(run) -> None:
    result, _, _ = run
    orange = [r for r in result.releases if r.source == "orange_ca"]
    assert len(orange) > 6000
    nav = {"Scroll to top", "Skip to content", "Follow Us", "Recent Posts", "Latest Posts", "Name*",
           "Please leave this field empty."}
    dirty = [r.id for r in orange if nav & set(r.body.split("\n"))]
    assert dirty == []
    assert not any("Are You a Human?" in r.body for r in orange)
    # real content that recurs across releases is kept
    assert sum("of the Homicide Unit is prosecuting this case." in r.body for r in orange) > 100
    first = next(r for r in orange if r.id.endswith("israeli-ambassador-at-uci.txt"))
    assert first.date == "2011-09-23"
    assert "SANTA ANA – An Orange County jury convicted 10 defendants today" in first.body


def test_other_counties_lose_their_chrome(run) -> None:
    result, _, _ = run
    chrome = {
        "kings_ny": ["SEAL YOUR CONVICTION", "REPORT A CRIME"],
        "san_diego_ca": ["Scroll to top", "Newsletter Sign-Up", "Stay Connected"],
        "riverside_ca": ["Skip to main content", "Latest News"],
        "cook_il": ["Skip to main content"],
        "miami_dade_fl": ["Constant Contact Use. Please leave this field blank.", "Newsletter Sign-Up"],
        "los_angeles_ca": ["Skip to main content", "Victim Services"],
    }
    for r in result.releases:
        lines = set(r.body.split("\n"))
        for junk in chrome.get(r.source, ()):
            assert junk not in lines, (r.id, junk)


def test_deterministic_on_a_subset() -> None:
    roots = [TEXT / "cook_il", TEXT / "miami_dade_fl"]
    assert load_corpus(roots) == load_corpus(roots)
