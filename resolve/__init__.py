"""Resolution: who the sources and subjects of attributions are, and what the cues mean.

Use the ``claim_resolution`` spaCy component after ``claim_attribution``, or call
:func:`resolve_attributions` on a parsed Doc and its attributions.
"""

from claimgraph.resolve.component import ClaimResolution
from claimgraph.resolve.cues import CueClasses, CueMeaning
from claimgraph.resolve.gazetteer import Gazetteer, Place, load_gazetteer
from claimgraph.resolve.resolver import read_article, resolve_attributions
from claimgraph.resolve.roles import syntactic_role

__all__ = [
    "ClaimResolution", "CueClasses", "CueMeaning", "Gazetteer", "Place", "load_gazetteer",
    "read_article", "resolve_attributions", "syntactic_role",
]
