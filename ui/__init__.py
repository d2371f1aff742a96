"""The chat UI (Gradio): ``rag serve``.

``ui.render``, ``ui.chat`` and ``ui.feedback`` do not import Gradio; ``ui.app`` does, so it
is imported only when the UI is built.
"""
