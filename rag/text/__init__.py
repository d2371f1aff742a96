"""The language rules, in one place: stop words, stemmers, the configured tokenizers, text
normalisation for matching, sentence splitting, citation markers and quoted phrases.

Pure functions and data; nothing here knows about releases, questions or answers.
"""
