"""Evaluation suite: pure metric functions (``eval.metrics``) and, elsewhere, the runner."""
