"""The count, list and chain metrics, and topic matching, as pure functions."""
from __future__ import annotations

from eval.metrics_collect import chain_order, collect_metrics, count_exact, list_scores, routing_ok
from rag.collect.criteria import topic_runs
from rag.collect.match import holds_topic


def test_count_exact_reads_the_first_whole_number():
    assert count_exact("10 releases from orange_ca dated 2024-07-01 to 2024-07-31.", ["10"]) == 1.0
    assert count_exact("1,024 releases", ["1024"]) == 1.0
    assert count_exact("9 releases, not 10", ["10"]) == 0.0
    assert count_exact("2.5 releases", ["2"]) == 0.0  # a decimal is no count
    assert count_exact("no number", ["3"]) == 0.0
    assert count_exact("3 releases", ["Ikemere"]) is None  # a list question: not a count


def test_list_scores_and_chain_order():
    assert list_scores(["a", "b", "b", "x"], ["a", "b", "c"]) == (2 / 3, 2 / 3)
    assert list_scores([], ["a"]) == (0.0, None)
    assert chain_order([(1, "a"), (2, "b"), (3, "c")], ["a", "b", "c"]) == 1.0
    assert chain_order([(1, "c"), (2, "a"), (3, "b"), (4, "c")], ["a", "b", "c"]) == 0.0
    assert chain_order([(1, "a")], ["a", "b"]) is None
    assert routing_ok("aggregate", "list") == 1.0 and routing_ok("factoid", "count") == 0.0
    m = collect_metrics("timeline", "case", "Latest ... [2]", ["x"], [(1, "a"), (2, "b")], ["a", "b"])
    assert (m["chain_recall"], m["chain_order"], m["count_exact"]) == (1.0, 1.0, None)


def test_topic_runs_and_matching():
    runs = topic_runs("a sentence of life without parole")
    assert runs == ((("sentenc",),), (("life",), ("without",), ("parol",)))
    assert holds_topic("He was sentenced to life in prison without the possibility of parole.", runs)
    assert not holds_topic("He was sentenced to life with the possibility of parole.", runs)
    far = "Life was hard for the family of the victim, the prosecutor told the court before sentencing."
    assert not holds_topic(far, topic_runs("life sentence"))  # more than MAX_GAP words apart
    gunmen = topic_runs("gunmen")
    assert holds_topic("The gunman fled.", gunmen) and holds_topic("Two gunmen fled.", gunmen)
    assert holds_topic("Officers seized knives.", topic_runs("knife"))


def test_a_topic_in_another_order_and_a_quoted_topic():
    from rag.question.route import topic_text

    runs = topic_runs("capital murder convictions")
    assert holds_topic("He was convicted of capital murder on Friday.", runs)
    assert not holds_topic("Capital projects across the county were funded in March, long before the murder trial "
                           "and its convictions.", runs)  # more than len(run) + MAX_GAP tokens apart
    assert topic_text("count press releases from 2024 mentioning 'pig butchering' scams") == "pig butchering"
