"""Saved newsroom pages (tests/data/html_pages: 32 fictional pages of 7 CMS shapes, with their
right title, date, canonical URL and body sentences written in expected.json) read through the
real ingest path: trafilatura, then the page cleaning."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from rag.ingest import load_corpus
from rag.ingest.html import day_first, headline, labelled_date, looks_like_html

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
# table-layout pages (the whole table is the article to trafilatura) and US-attorney contact blocks:
# their menus/footers stay in the body (bench/html_extract.py reports them)
KNOWN_JUNK = {"16_doj_clinic-owner-medicare-fraud-sentenced.html", "18_doj_restaurant-owner-pandemic-loan-fraud-plea.html",
              "20_doj_elder-fraud-call-center-indictment.txt", "25_oldstyle_greer-county-treasurer-indicted.html",
              "26_oldstyle_millbrook-family-rescued-house-fire.html", "27_oldstyle_harlan-township-package-thefts.html",
              "28_oldstyle_bellamy-parish-highway-drug-seizure.html"}


@pytest.fixture(scope="module")
def pages():
    folder = DATA / "html_pages"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    result = load_corpus([folder / name for name in expected])
    assert not result.skipped
    return expected, {r.id: r for r in result.releases}


def test_every_saved_page_gives_its_title_date_url_and_body(pages):
    expected, got = pages
    assert set(got) == set(expected)
    for name, want in expected.items():
        r = got[name]
        assert (r.title, r.date, r.url) == (want["title"], want["date"], want["url"]), name
        body = " ".join(r.body.split())
        for sentence in want["body_has"]:
            assert " ".join(sentence.split()) in body, (name, sentence)
        assert "<" not in r.title and "&" not in r.title.replace(" & ", "")  # no tags or entities left


def test_menus_cookies_scripts_and_footers_stay_out(pages):
    expected, got = pages
    for name, want in expected.items():
        if name not in KNOWN_JUNK:
            assert not [s for s in want["body_lacks"] if s in got[name].body], name


def test_the_bench_scorer_agrees():
    from html_extract import score

    s = score(DATA / "html_pages")
    assert s["correct"]["title"] == s["correct"]["date"] == s["correct"]["url"] == s["correct"]["body_has"] == 32
    assert s["correct"]["body_lacks"] == 32 - len(KNOWN_JUNK)


def test_text_files_that_are_html_are_read_as_html():
    assert looks_like_html("<!DOCTYPE html><html><body>x</body></html>")
    assert looks_like_html("\ufeff  <!-- saved from url=(0040)https://x.example/ -->\n<html lang='en'>")
    assert not looks_like_html("---\ntitle: <b>bold</b>\n---\nBody")
    assert not looks_like_html("The <html> tag starts a page.")


def test_a_site_name_joined_to_the_title_goes_when_the_headline_is_the_h1():
    page = "<h1 class='t'>Officers seize &pound;5,000 of cannabis</h1>"
    assert headline("Officers seize £5,000 of cannabis | Anyshire Police", page) == "Officers seize £5,000 of cannabis"
    assert headline("Anyshire Police - Officers seize £5,000 of cannabis", page) == "Officers seize £5,000 of cannabis"
    assert headline("Budget 2024 - what it means | Council", "<h1>Budget 2024 - what it means</h1>") \
        == "Budget 2024 - what it means"
    assert headline("Officers seize drugs | Anyshire Police", "<h1>Latest news</h1>") == \
        "Officers seize drugs | Anyshire Police"  # no h1 matches: kept whole


def test_a_release_s_own_date_label_beats_the_page_s_last_updated_line():
    text = "Home Last updated 11/30/2021 FOR IMMEDIATE RELEASE - March 2, 2020 Deputies arrested two men"
    assert labelled_date(text) == "2020-03-02"
    assert labelled_date("Posted on 04/09/2023 at 11:05", day_first=True) == "2023-09-04"
    assert labelled_date("Posted on 04/09/2023 at 11:05") == "2023-04-09"
    assert labelled_date("Page last updated: 3 June 2025") is None
    assert day_first("<html lang='en-GB'>", None) and day_first("<html>", "https://www.police.example.uk/n")
    assert not day_first("<html lang='en-US'>", "https://www.example.gov/n")


def test_a_saved_page_and_a_text_page_of_one_day_in_one_folder_are_both_dated(tmp_path):
    """The issue's new user: a text file with "Published 14 March 2025" beside a saved page of the
    same day. The two pages do not teach each other boilerplate (that line is no menu)."""
    (tmp_path / "bridge.html").write_text(
        "<html><head><title>Footbridge to close | Council</title></head><body><nav>Home News</nav><article>"
        "<h1>Footbridge to close</h1><p>Published 14 March 2025</p><p>The Mill Green footbridge will close "
        "for six weeks while repairs costing &pound;48,500 are carried out, the council said.</p></article>"
        "</body></html>", encoding="utf-8")
    (tmp_path / "gritting.txt").write_text(
        "Winter gritting routes confirmed\n\nPublished 14 March 2025\n\nThe council will grit 212 miles of "
        "priority roads this winter, up from 190 miles last year, it said on Friday.\n", encoding="utf-8")
    got = {r.id: r for r in load_corpus([tmp_path]).releases}
    assert got["bridge.html"].date == got["gritting.txt"].date == "2025-03-14"
    assert got["bridge.html"].title == "Footbridge to close" and "£48,500" in got["bridge.html"].body
