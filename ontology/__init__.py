"""claimgraph's vocabulary (OWL in Turtle) and SHACL shapes, shipped as package data."""

from importlib.resources import files
from pathlib import Path

from claimgraph.ontology.namespace import CG, CGD, GEONAMES, NIF, SD

__all__ = ["CG", "CGD", "GEONAMES", "NIF", "SD", "ontology_path", "shapes_path"]


def ontology_path() -> Path:
    """Return the path of the ontology (``claimgraph.ttl``) inside the installed package."""
    return Path(str(files(__name__) / "claimgraph.ttl"))


def shapes_path() -> Path:
    """Return the path of the SHACL shapes (``shapes.ttl``) inside the installed package."""
    return Path(str(files(__name__) / "shapes.ttl"))
