"""The Reranker seam: reorder a short list of candidate hits for one question.

- ``overlap`` (built in, no model): adds to each candidate's incoming score
  (scaled to the best one) a bonus for the share of the question's specific terms
  (names, numbers, quoted phrases) that the passage, its release and its title contain;
- ``cross-encoder``: a sentence-transformers ``CrossEncoder`` loaded from a local
  folder the user names (none ships on PyPI, so it is never the default).
"""
from __future__ import annotations

import os
from typing import Protocol, Sequence, runtime_checkable

from ..errors import ConfigError
from ..models import Hit, uncut_title
from ..question import Question, as_question
from ..registry import Registry


@runtime_checkable
class Reranker(Protocol):
    name: str

    def rerank(self, question: Question | str, hits: Sequence[Hit]) -> list[Hit]:
        """The same hits, reordered (a permutation), re-ranked 1..n."""
        ...


def _reranked(hits: Sequence[Hit], order: Sequence[tuple[int, float]]) -> list[Hit]:
    return [Hit(hits[i].chunk, hits[i].release, float(s), r) for r, (i, s) in enumerate(order, 1)]


class OverlapReranker:
    """Exact name / number / title overlap between question and passage.

    new score = score / best score + weight * overlap / best overlap
    """

    name = "overlap"

    def __init__(self, weight: float = 0.5, title_weight: float = 0.5):
        for label, value in (("weight", weight), ("title_weight", title_weight)):
            if not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"overlap reranker {label} must be a number >= 0, got {value!r}")
        self.weight = weight
        self.title_weight = title_weight

    def overlap(self, terms: Sequence[str], hit: Hit) -> float:
        text = hit.chunk.text.lower().replace(",", "")
        title = hit.release.title.lower().replace(",", "")
        body = hit.release.body.lower().replace(",", "")
        score = 0.0
        for term in terms:
            if term in text:
                score += 1.0
            elif term in body:
                score += 0.5          # named elsewhere in the same release
            if term in title:
                score += self.title_weight
        return score

    def rerank(self, question: Question | str, hits: Sequence[Hit]) -> list[Hit]:
        terms = as_question(question).specific_terms
        if not terms or len(hits) < 2:
            return list(hits)
        overlaps = [self.overlap(terms, h) for h in hits]
        top_overlap = max(overlaps)
        if top_overlap == 0:
            return list(hits)
        top_score = max(h.score for h in hits) or 1.0
        scores = [h.score / top_score + self.weight * o / top_overlap for h, o in zip(hits, overlaps)]
        order = sorted(range(len(hits)), key=lambda i: (-scores[i], i))
        return _reranked(hits, [(i, scores[i]) for i in order])


class CrossEncoderReranker:
    """A local sentence-transformers CrossEncoder folder; loaded once, offline."""

    name = "cross-encoder"

    def __init__(self, path: str | None = None, batch_size: int = 32):
        if not path or not os.path.isdir(path):
            raise ConfigError(f"cross-encoder folder not found: {path!r} (set rerank_model to a local model folder)")
        self.path = path
        self.batch_size = batch_size
        self._model = None

    def rerank(self, question: Question | str, hits: Sequence[Hit]) -> list[Hit]:
        if not hits:
            return []
        if self._model is None:
            from ..settings import offline_hub

            offline_hub()
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(self.path, device="cpu")
        text = as_question(question).text
        pairs = [(text, f"{uncut_title(h.release.title)}\n{h.chunk.text}") for h in hits]
        scores = self._model.predict(pairs, batch_size=self.batch_size, show_progress_bar=False)
        order = sorted(range(len(hits)), key=lambda i: (-float(scores[i]), i))
        return _reranked(hits, [(i, float(scores[i])) for i in order])


RERANKERS: Registry[Reranker] = Registry("reranker", also=("none",))
RERANKERS.register("overlap", OverlapReranker)
RERANKERS.register("cross-encoder", CrossEncoderReranker)


def make_reranker(name: str, model_path: str | None = None) -> Reranker | None:
    """``none`` (or empty) gives no reranker; ``cross-encoder`` loads ``model_path``."""
    if not name or name == "none":
        return None
    return RERANKERS.get(name, path=model_path) if name == "cross-encoder" else RERANKERS.get(name)
