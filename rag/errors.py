"""Errors the library raises; the CLI and UI turn them into one-line messages."""


class RagError(Exception):
    """Base class: the message is meant for the user, as is."""


class ConfigError(RagError):
    """A setting or argument has a bad value (the message quotes it)."""


class IndexError_(RagError):
    """The index directory is missing, unreadable or was built differently."""


class IndexMismatchError(IndexError_):
    """The index was built with another embedding model, dimension or format."""
