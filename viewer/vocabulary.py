"""The clinical vocabulary as data (pure core: stdlib only).

One table for every word the app says about a finding: CN VII segment codes and
names, classification tags, severities, lesion kinds and their wordings, and the
mechanism texts keyed by mechanism kind. The analysis, the mechanism animation,
editing and the panels all read these tables, so a tag or a lesion kind is
worded in one place and a test can check that every entry is complete.

Mechanism texts are ``str.format`` templates. The fields a template may use
(``MECHANISM_FIELDS``) are always all supplied, so a template uses any of them:

* ``culprit``: the culprit's label ("Left AICA");
* ``site``: the culprit's segment in words and code ("attached segment (AS)"),
  empty when the culprit lies off CN VII's segments;
* ``at_site``: " at the {site}" or empty;
* ``segment``: the culprit's segment code ("CP");
* ``severity``: the culprit's severity name ("moderate");
* ``what``: the secondary lesions as a phrase ("a tumour and an aneurysm");
* ``where``: " at the {site} by the {culprit}" or empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "SEGMENTS",
    "SEGMENT_NAMES",
    "REZ_SEGMENTS",
    "segment_site",
    "TAGS",
    "FUTURE_TAGS",
    "TAG_WORDS",
    "TAG_SHORT",
    "tag_words",
    "HISTORY_TAGS",
    "HISTORY_WORDS",
    "HISTORY_HINTS",
    "SEVERITIES",
    "SEVERITY_WORDS",
    "LESION_KINDS",
    "MASS_LESION_KINDS",
    "LESION_WORDS",
    "LESION_PHRASES",
    "LESION_LABELS",
    "lesion_phrase",
    "MECHANISM_KINDS",
    "MECHANISM_FIELDS",
    "Note",
    "MechanismText",
    "MECHANISM_TEXTS",
    "MANAGEMENT",
    "COMBINED_NOTES",
    "CONTACT_NOTES",
    "PROJECT_SOURCE",
]

# --------------------------------------------------------------------------- CN VII segments
# CN VII zones, in order from the brainstem.
SEGMENTS = ("RExP", "AS", "RDP", "CP")
SEGMENT_NAMES = {
    "RExP": "root exit point",
    "AS": "attached segment",
    "RDP": "root detachment point",
    "CP": "distal cisternal portion",
}
REZ_SEGMENTS = ("RExP", "AS", "RDP")  # root exit zone, centrally myelinated


def segment_site(code: str | None, default: str = "") -> str:
    """'attached segment (AS)' for a segment code; `default` without one."""
    return f"{SEGMENT_NAMES[code]} ({code})" if code else default


# --------------------------------------------------------------------------- patient side
# A right-sided scene is the left model mirrored at x = 0: its words swap Left and Right
# ("Left AICA" -> "Right AICA"; the contralateral "Right vertebral artery" -> "Left ...").
__all__ += ["SIDES", "SIDE_WORDS", "swap_side_words"]
SIDES = ("left", "right")
SIDE_WORDS = {"Left": "Right", "left": "right", "LEFT": "RIGHT", "Right": "Left", "right": "left", "RIGHT": "LEFT"}
_SIDE_RE = re.compile(r"\b(" + "|".join(SIDE_WORDS) + r")\b")


def swap_side_words(text: str | None) -> str | None:
    """'Left AICA' <-> 'Right AICA' (whole words in three spellings, so swapping twice is exact)."""
    return None if text is None else _SIDE_RE.sub(lambda m: SIDE_WORDS[m.group(1)], text)


# --------------------------------------------------------------------------- classification tags
# The tags a version 1 scenario file may name (frozen: old files must keep loading as they did).
TAGS_V1 = (
    "single",
    "multiple",
    "double",
    "tandem",
    "venous",
    "tumor",
    "avm",
    "aneurysm",
    "brainstem_lesion",
    "post_bells",
    "idiopathic",
)
# In the order the analysis reports them: the version 1 tags plus the version 2 histories
# (facial trauma, an inflammatory condition), next to post-Bell's palsy, and the MVD plan's
# result (``decompressed``: a plan of pads and slings frees CN VII; viewer.decompression).
TAGS = (*TAGS_V1[:-1], "post_trauma", "inflammatory", "decompressed", TAGS_V1[-1])
# Tags the analysis does not produce yet (worded already so that the panels can show them); none now.
FUTURE_TAGS: tuple[str, ...] = ()
# The patient-history flags (scenario `history`), each with the tag it gives, as the Scenario menu
# and the undo stack name them, and the menu's status tip.
HISTORY_TAGS = {"prior_bells_palsy": "post_bells", "facial_trauma": "post_trauma", "inflammatory": "inflammatory"}
HISTORY_WORDS = {
    "prior_bells_palsy": "Prior Bell's palsy",
    "facial_trauma": "Prior facial nerve injury (trauma, surgery)",
    "inflammatory": "Inflammatory condition of the facial nerve",
}
HISTORY_HINTS = {
    "prior_bells_palsy": "Post-paralytic hemifacial spasm: synkinesis after Bell's palsy, no compression",
    "facial_trauma": "Post-traumatic hemifacial spasm: aberrant regeneration and ephaptic cross-talk after injury",
    "inflammatory": "Inflammatory hemifacial spasm: irritation or demyelination of the nerve (e.g. MS, Lyme)",
}

# As a teacher would say them (findings panel, report).
TAG_WORDS = {
    "single": "single vessel",
    "multiple": "multiple vessels",
    "double": "double (REZ + cisternal)",
    "tandem": "tandem (vertebral artery pushing the offending artery onto the nerve)",
    "venous": "venous",
    "tumor": "tumour",
    "avm": "AVM",
    "aneurysm": "aneurysm",
    "brainstem_lesion": "brainstem lesion",
    "post_bells": "post-Bell's palsy",
    "idiopathic": "idiopathic",
    "post_trauma": "post-traumatic",
    "inflammatory": "inflammatory",
    "decompressed": "decompressed",
}
# One or two words (the teaching-case list under each thumbnail).
TAG_SHORT = {
    "single": "single",
    "multiple": "multiple",
    "double": "double",
    "tandem": "tandem",
    "venous": "venous",
    "tumor": "tumour",
    "avm": "AVM",
    "aneurysm": "aneurysm",
    "brainstem_lesion": "brainstem lesion",
    "post_bells": "post-Bell's",
    "idiopathic": "idiopathic",
    "post_trauma": "post-traumatic",
    "inflammatory": "inflammatory",
    "decompressed": "decompressed",
}


def tag_words(tag: str, short: bool = False) -> str:
    """A classification tag in words (`short`: the one-word form); unknown tags lose their underscores."""
    return (TAG_SHORT if short else TAG_WORDS).get(tag, tag.replace("_", " "))


# --------------------------------------------------------------------------- severity
SEVERITIES = ("mild", "moderate", "severe")
SEVERITY_WORDS = {
    "mild": "mild (contact, no indentation)",
    "moderate": "moderate (indentation)",
    "severe": "severe (the nerve is deviated)",
}

# --------------------------------------------------------------------------- lesions
LESION_KINDS = ("tumor", "avm", "aneurysm", "brainstem_lesion")
# Extra-axial masses: secondary hemifacial spasm when they reach the nerve.
MASS_LESION_KINDS = ("tumor", "avm", "aneurysm")
# What the lesion is (picking it in the 3D view, the lesion panel's title).
LESION_WORDS = {
    "tumor": "tumour (space-occupying lesion)",
    "avm": "arteriovenous malformation nidus",
    "aneurysm": "aneurysm sac",
    "brainstem_lesion": "brainstem lesion (intra-axial)",
}
# In a sentence ("mass effect of a tumour on the facial nerve").
LESION_PHRASES = {
    "tumor": "a tumour",
    "avm": "an arteriovenous malformation",
    "aneurysm": "an aneurysm",
    "brainstem_lesion": "a brainstem lesion",
}
# Default label of a newly added lesion.
LESION_LABELS = {
    "tumor": "Vestibular schwannoma",
    "avm": "AVM nidus",
    "aneurysm": "Aneurysm sac",
    "brainstem_lesion": "Brainstem plaque",
}


def lesion_phrase(kinds) -> str:
    """'a tumour and an aneurysm' for the given lesion kinds (empty for none)."""
    return " and ".join(LESION_PHRASES[k] for k in kinds)


# --------------------------------------------------------------------------- mechanism texts
MECHANISM_KINDS = (
    "arterial_nvc",
    "peripheral_nvc",
    "venous",
    "secondary_lesion",
    "central",
    "post_bells",
    "post_trauma",
    "inflammatory",
    "decompressed",
    "idiopathic",
)
MECHANISM_FIELDS = ("culprit", "site", "at_site", "segment", "severity", "what", "where")
PROJECT_SOURCE = "project-defaults"  # every mechanism cites the project's operational definitions last


@dataclass(frozen=True)
class Note:
    """A note added to a mechanism, with the sources it cites (text may use a few named fields)."""

    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class MechanismText:
    """What the analysis says for one mechanism kind (templates: see MECHANISM_FIELDS).

    sources: every key this kind may cite, in citing order; a key listed in
    `sources_if` is only cited when one of its tags is in the classification.
    severity_notes: a note added when the culprit has that severity.
    """

    summary: str
    steps: tuple[str, ...]
    likely_symptomatic: bool
    management: tuple[str, ...]
    sources: tuple[str, ...]
    sources_if: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    severity_notes: Mapping[str, Note] = field(default_factory=dict)


MANAGEMENT = {
    "botox": (
        "Botulinum toxin injections into the affected facial muscles: first-line symptomatic treatment, "
        "repeated every few months (effective in reviews; AAN evidence-based assessment: may be considered "
        "for HFS, Level C)."
    ),
    "oral": (
        "Oral agents such as carbamazepine: modest, inconsistent benefit; an option for mild spasm or when "
        "injections are not possible."
    ),
    "mvd": (
        "Microvascular decompression (MVD) of the culprit vessel at the root exit zone: the only treatment "
        "aimed at the cause; complete resolution in about 91 % (22 studies, 5685 patients), permanent hearing "
        "loss 2.3 %, facial palsy 0.9 %."
    ),
}
_BOTOX, _ORAL, _MVD = MANAGEMENT["botox"], MANAGEMENT["oral"], MANAGEMENT["mvd"]

MECHANISM_TEXTS: Mapping[str, MechanismText] = MappingProxyType(
    {
        "arterial_nvc": MechanismText(
            summary=(
                "Classical (primary) hemifacial spasm: the {culprit} compresses the facial nerve at the {site}, "
                "where the nerve is centrally myelinated ({severity} compression)."
            ),
            steps=(
                "Pulsatile arterial compression of the facial nerve{where}.",
                "Focal demyelination of the centrally myelinated fibres there: the root exit zone has oligodendrocyte "
                "myelin, no epineurium, and the transition zone is a 'locus minoris resistentiae'.",
                "Ectopic impulses arise at the injured spot and jump between neighbouring fibres (ephaptic transmission, "
                "'cross-talk'), so one branch's signal spreads to others (lateral spread response).",
                "The abnormal activity also runs antidromically back to the facial motor nucleus, which becomes "
                "hyperexcitable and keeps the spasm going.",
            ),
            likely_symptomatic=True,
            management=(_BOTOX, _ORAL, _MVD),
            sources=(
                "jannetta-1985",
                "campos-benitez-2008",
                "tomii-2003",
                "lacombe-2009",
                "haller-2016",
                "nielsen-1984",
                "nielsen-1985",
                "moller-jannetta-1985",
                "lefaucheur-2018",
                "traylor-2021",
                "simpson-2008-aan",
                "alexander-1982",
                "miller-2012",
            ),
            severity_notes={
                "mild": Note(
                    "Contact without indentation: contacts are also seen on 44-53 % of sides in people without "
                    "HFS, and indentation is what is tied to HFS on MRI; still, a proximal arterial contact is "
                    "found on 96 % of symptomatic sides.",
                    ("deep-2016",),
                )
            },
        ),
        "peripheral_nvc": MechanismText(
            summary=(
                "The {culprit} touches only the distal cisternal portion ({segment}), where the nerve "
                "has peripheral (Schwann-cell) myelin: less likely to cause hemifacial spasm than a root exit "
                "zone compression."
            ),
            steps=(
                "Arterial contact with the facial nerve at the {site}, beyond the transition zone.",
                "Peripheral myelin and the epineurium make this segment more resistant; distal-only contacts are "
                "common on asymptomatic sides, mostly mild.",
                "If symptomatic, the same chain applies: focal demyelination, ectopic and ephaptic excitation, "
                "facial motor nucleus hyperexcitability.",
                "Look for a missed proximal (root exit zone) contact before attributing the spasm to this one.",
            ),
            likely_symptomatic=False,
            management=(
                _BOTOX,
                _ORAL,
                _MVD + " Outcome is less predictable for distal-only contacts "
                "(spasm-free 60 % vs 93 % with proximal contact).",
            ),
            sources=(
                "hughes-2021",
                "deep-2016",
                "distal-review-2019",
                "lee-park-2026",
                "tomii-2003",
                "simpson-2008-aan",
                "alexander-1982",
                "miller-2012",
            ),
        ),
        "venous": MechanismText(
            summary=(
                "Only a vein ({culprit}) touches the facial nerve at the {site}: venous compression has low "
                "pulsatility and is a rare sole cause (0.3-0.9 % of HFS); look for an arterial co-offender."
            ),
            steps=(
                "Non-pulsatile venous contact with the facial nerve at the {site}.",
                "Without arterial pulsation the repeated mechanical injury of the classical model is weak.",
                "When a vein is symptomatic the chain is the same: focal demyelination, ectopic and ephaptic "
                "excitation, facial motor nucleus hyperexcitability.",
            ),
            likely_symptomatic=False,
            management=(_BOTOX, _ORAL, _MVD + " Veins are usually co-offenders with an artery."),
            sources=(
                "hermier-2018",
                "hughes-2021",
                "han-2009",
                "campos-benitez-2008",
                "simpson-2008-aan",
                "alexander-1982",
                "miller-2012",
            ),
        ),
        "secondary_lesion": MechanismText(
            summary=(
                "Secondary hemifacial spasm: {what} in the cerebellopontine angle compresses or distorts the "
                "facial nerve, directly or by pushing a vessel onto it."
            ),
            steps=(
                "Mass effect of {what} on the facial nerve{at_site}.",
                "The nerve is compressed, stretched or displaced against a vessel.",
                "The root exit zone fibres demyelinate focally; ectopic and ephaptic excitation follow.",
                "Antidromic drive makes the facial motor nucleus hyperexcitable.",
            ),
            likely_symptomatic=True,
            management=(
                "Treat the lesion (resection of the tumour; surgical or endovascular treatment of an AVM or "
                "aneurysm), decompressing the nerve.",
                _BOTOX,
            ),
            sources=("lee-2010", "han-2009", "tan-2002", "epidermoid-1989", "avm-2022", "simpson-2008-aan"),
            sources_if={"epidermoid-1989": ("tumor",), "avm-2022": ("avm", "aneurysm")},
        ),
        "central": MechanismText(
            summary=(
                "Central cause: a lesion in or next to the facial motor nucleus or its intra-pontine pathway "
                "(for example multiple sclerosis, stroke, tumour) can make the nucleus hyperexcitable without "
                "any compression of the nerve."
            ),
            steps=(
                "A brainstem lesion involves the facial motor nucleus or the intra-pontine facial fibres.",
                "Loss of inhibition or irritation makes the facial motor neurones hyperexcitable.",
                "The nucleus fires spontaneously and synchronously: spasm without neurovascular compression.",
            ),
            likely_symptomatic=True,
            management=(
                "Treat the underlying brainstem disease (e.g. MS, stroke, tumour); MVD is not indicated "
                "without a compressing vessel.",
                _BOTOX,
            ),
            sources=(
                "moller-jannetta-1985",
                "ferguson-1978",
                "marin-collazo-2018",
                "yaltho-jankovic-2011",
                "simpson-2008-aan",
            ),
        ),
        "post_bells": MechanismText(
            summary=(
                "After Bell's palsy, facial twitching is usually post-paralytic synkinesis: aberrant regeneration "
                "of facial nerve fibres, not vascular compression."
            ),
            steps=(
                "Bell's palsy damaged the facial nerve.",
                "Regenerating axons sprouted into the wrong branches (aberrant regeneration).",
                "One command now activates several muscle groups (synkinesis), mimicking hemifacial spasm.",
            ),
            likely_symptomatic=False,
            management=(_BOTOX, "MVD is not indicated without a compressing vessel."),
            sources=("yaltho-jankovic-2011", "simpson-2008-aan"),
        ),
        # Secondary HFS from the patient's history, with no compressing vessel (docs/clinical-reference.md).
        "post_trauma": MechanismText(
            summary=(
                "Secondary hemifacial spasm after an injury of the facial nerve (trauma or surgery), with no "
                "vascular compression: the injured fibres regenerate aberrantly and cross-talk at the injury."
            ),
            steps=(
                "An injury (a blow, a fracture, surgery) damaged facial nerve fibres.",
                "Regenerating axons sprouted into the wrong branches (aberrant regeneration): one command now reaches "
                "several muscle groups (synkinesis).",
                "Where the fibres lie injured and poorly insulated, impulses jump between them (ephaptic transmission, "
                "an 'artificial synapse'), as at a compression.",
                "After severe axonal damage the facial motoneurones become more excitable; a head injury can also act "
                "centrally (a pontine haematoma made the facial nucleus hyperexcitable in one case).",
            ),
            likely_symptomatic=True,
            management=(
                _BOTOX,
                "MVD is not indicated without a compressing vessel; after a blunt injury the spasm "
                "can subside on its own (within 4 months in one reported case).",
            ),
            sources=(
                "yaltho-jankovic-2011",
                "shimizu-2005",
                "sadjadpour-1975",
                "reflex-excitability-1999",
                "wang-2006",
                "colosimo-2006",
                "simpson-2008-aan",
            ),
        ),
        "inflammatory": MechanismText(
            summary=(
                "Secondary hemifacial spasm from an inflammatory condition affecting the facial nerve (for "
                "example multiple sclerosis or Lyme disease), with no vascular compression: inflammation "
                "irritates or demyelinates the nerve."
            ),
            steps=(
                "Inflammation involves the facial nerve or its root exit zone: demyelination (multiple sclerosis) or "
                "an infection (Lyme disease).",
                "Demyelinated fibres fire ectopically and cross-talk ephaptically, as at a compression.",
                "A demyelinating lesion at the intra-axial exit zone or near the facial nucleus can also drive the "
                "nucleus itself (a central origin).",
                "Treating the inflammation can stop the spasm: in one case of Lyme disease antibiotics brought a "
                "remission and pointed to the cause.",
            ),
            likely_symptomatic=True,
            management=(
                "Treat the underlying inflammatory disease (e.g. multiple sclerosis, antibiotics for Lyme "
                "disease); MVD is not indicated without a compressing vessel.",
                _BOTOX,
            ),
            sources=(
                "yaltho-jankovic-2011",
                "nielsen-1985",
                "marin-collazo-2018",
                "telischi-1991",
                "onesti-2016",
                "lewitt-2016",
                "simpson-2008-aan",
            ),
        ),
        "decompressed": MechanismText(
            summary=(
                "The plan frees the facial nerve: with the pads and slings in place no vessel touches CN VII "
                "any more, the aim of microvascular decompression."
            ),
            steps=(
                "Before the plan a vessel pressed CN VII (see the before state).",
                "Teflon felt between the vessel and the nerve, or a sling to the dura, holds the vessel away from "
                "the root exit zone.",
                "Without the pulsatile contact, ectopic excitation and ephaptic cross-talk at the damaged root "
                "are thought to subside, and the facial motor nucleus's hyperexcitability with them.",
            ),
            likely_symptomatic=False,
            management=(
                _MVD,
                "Check the warnings: a pad on the root exit zone, an oversized pad, a stretched or kinked vessel.",
            ),
            sources=("nielsen-jannetta-1984", "moller-jannetta-1985", "miller-2012"),
        ),
        "idiopathic": MechanismText(
            summary=(
                "No cause identified in the model: no vessel or lesion touches the facial nerve. In a patient, "
                "image the cerebellopontine angle: an arterial contact is found on about 98 % of symptomatic "
                "sides."
            ),
            steps=(
                "No neurovascular contact with CN VII in this scene.",
                "Get MRI with thin-slice heavily T2-weighted (CISS/FIESTA) and TOF sequences, with attention to the "
                "root exit zone and the cerebellopontine angle.",
                "Exclude secondary causes: CPA tumour, vascular malformation, brainstem lesion, prior Bell's palsy, "
                "facial nerve injury, inflammatory disease.",
            ),
            likely_symptomatic=False,
            management=(_BOTOX, _ORAL, "MVD only once a compressing vessel is shown."),
            sources=(
                "traylor-2021",
                "hughes-2021",
                "yaltho-jankovic-2011",
                "tan-2002",
                "simpson-2008-aan",
                "alexander-1982",
            ),
        ),
    }
)

# Notes for combined findings, keyed by classification tag, in the order they are added.
# A tag's note is skipped when the mechanism kind already is that tag's explanation
# (the analysis decides; see analysis.combined_notes). Fields: {pairs} (tandem:
# "VA -> AICA, ..."), {n_vessels} (multiple).
COMBINED_NOTES: Mapping[str, Note] = MappingProxyType(
    {
        "tandem": Note(
            "Tandem compression ({pairs}): the vertebral artery pushes the offending artery onto the nerve; "
            "86.5 % of VA-related cases are tandem, and the VA has to be mobilised at surgery.",
            ("park-2008", "iwasaki-2025"),
        ),
        "double": Note(
            "Double compression: contacts both in the root exit zone and in the cisternal portion; "
            "decompress both sites (about half of distal compressions are double).",
            ("distal-review-2019",),
        ),
        "multiple": Note(
            "{n_vessels} vessels touch CN VII: multiple offenders (38 % of first MVDs).", ("campos-benitez-2008",)
        ),
        "venous": Note("A vein also touches CN VII: usually a co-offender, rarely the sole cause.", ("hermier-2018",)),
        "post_bells": Note(
            "History of Bell's palsy: consider post-paralytic synkinesis (aberrant regeneration) as an "
            "alternative explanation of the movements.",
            ("yaltho-jankovic-2011",),
        ),
        "post_trauma": Note(
            "History of facial nerve injury: aberrant regeneration and ephaptic cross-talk after an "
            "injury can also cause hemifacial spasm; a history never explains away a compression that "
            "is found.",
            ("yaltho-jankovic-2011", "shimizu-2005"),
        ),
        "inflammatory": Note(
            "Inflammatory condition affecting the facial nerve: irritation or demyelination can also "
            "cause hemifacial spasm; a history never explains away a compression that is found.",
            ("yaltho-jankovic-2011", "marin-collazo-2018"),
        ),
        "brainstem_lesion": Note(
            "A lesion also lies at the facial motor nucleus or its pathway: a central cause is possible.",
            ("marin-collazo-2018",),
        ),
    }
)
# Notes on contacts that no tag names. Fields: {ids} (cn8: the vessels/lesions on CN VIII).
CONTACT_NOTES: Mapping[str, Note] = MappingProxyType(
    {
        "artery_also": Note("An artery also touches CN VII: a neurovascular compression may coexist."),
        "cn8": Note(
            "Contact with CN VIII ({ids}): hearing is at risk when this area is dissected at MVD "
            "(permanent hearing loss 2.3 % pooled).",
            ("miller-2012",),
        ),
    }
)
