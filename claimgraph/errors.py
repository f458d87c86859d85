"""One exception hierarchy for claimgraph; the CLI turns these into one-line errors."""


class ClaimgraphError(Exception):
    """Base class of every error claimgraph raises on purpose."""


class InputError(ClaimgraphError):
    """An input file or record cannot be read; the message names it (and its line)."""


class StoreError(ClaimgraphError):
    """The store cannot be opened, read or written."""


class ModelError(ClaimgraphError):
    """No usable spaCy pipeline could be loaded."""
