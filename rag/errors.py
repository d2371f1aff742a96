"""Errors the library raises; the CLI and UI turn them into one-line messages."""


class RagError(Exception):
    """Base class: the message is meant for the user, as is."""


class ConfigError(RagError):
    """A setting or argument has a bad value (the message quotes it)."""


class IndexUnavailable(RagError):
    """The index cannot be used: its folder is missing or unreadable, or it was built differently."""


class IndexMismatchError(IndexUnavailable):
    """The index was built with another embedding model, dimension or format."""


class IndexBusy(RagError):
    """Another process is writing the index (the message says which)."""
