"""Operational definitions of contact and severity (pure core: stdlib only).

The analysis grades each contact with these thresholds and the nerve deformation
decides from the same ones when a compression deviates the nerve's course
(``severe``), so the picture and the reported severity cannot disagree. Its own
module so that the deformation reads them without importing the analysis;
``viewer.analysis`` re-exports every name.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Thresholds", "DEFAULT_THRESHOLDS", "severity_for"]


@dataclass(frozen=True)
class Thresholds:
    """Operational definitions (docs/clinical-reference.md section 7, tag [S] = project default).

    contact_gap_mm: a vessel or lesion "contacts" a nerve when the surface gap is
        at most this (0.1 mm; section 7).
    mild_max_fraction: penetration <= this x nerve diameter is ``mild``: contact
        without indentation (Campos-Benitez 2008 "mild"; Leal & Sindou 2010 grade I).
    moderate_max_fraction: penetration <= this x diameter is ``moderate``:
        indentation (Campos-Benitez 2008); beyond is ``severe``: the undeformed
        nerve would have to deviate from its course (section 6: "nerve centreline
        shifted > 0.5 D").
    brainstem_margin_mm: a lesion within this distance of the facial motor nucleus
        or the intra-pontine facial pathway is a ``brainstem_lesion`` (2 mm, the project's margin).
    junction_clearance_mm: vessel-vessel contacts within (r1 + r2 + this) of a
        point where one vessel starts or ends on/inside the other (PICA on the VA,
        AICA on the basilar, VA at the vertebrobasilar junction) are anatomical
        junctions, not tandem compression.
    """

    contact_gap_mm: float = 0.1
    mild_max_fraction: float = 0.1
    moderate_max_fraction: float = 0.5
    brainstem_margin_mm: float = 2.0
    junction_clearance_mm: float = 2.0

    sources: tuple[str, ...] = ("project-defaults", "campos-benitez-2008", "leal-sindou-2010")


DEFAULT_THRESHOLDS = Thresholds()


def severity_for(penetration_mm: float, nerve_diameter_mm: float, th: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """``mild``, ``moderate`` or ``severe`` for a penetration into a nerve of this diameter."""
    if penetration_mm <= th.mild_max_fraction * nerve_diameter_mm:
        return "mild"
    if penetration_mm <= th.moderate_max_fraction * nerve_diameter_mm:
        return "moderate"
    return "severe"
