"""Dimensions of the parametric anatomy, each with its published range and source.

Values are millimetres unless the unit says otherwise. `tag` follows
docs/clinical-reference.md: V = verified from the cited source, U =
secondary/unconfirmed, S = this project's default (still inside the cited range).
The anatomy builder reads every figure from here, and tests measure the built
geometry against `low`..`high`, so code and sources cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    key: str
    value: float
    low: float
    high: float
    unit: str
    source: str  # key into viewer.sources.BIBLIOGRAPHY
    tag: str
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "value": self.value,
            "range": [self.low, self.high],
            "unit": self.unit,
            "source": self.source,
            "tag": self.tag,
            "note": self.note,
        }


_D = Dimension
DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in [
        # --- CN VII (docs/clinical-reference.md section 1) ---
        _D(
            "rexp_from_midline",
            11.0,
            9.5,
            14.5,
            "mm",
            "brazis-neuroanatomy",
            "V",
            "RExP at the lateral pontomedullary sulcus, 9.5-14.5 mm from the midline",
        ),
        _D(
            "viii_lateral_to_rexp",
            1.5,
            0.5,
            2.0,
            "mm",
            "brazis-neuroanatomy",
            "V",
            "RExP lies 0.5-2.0 mm medial to the CN VIII entry",
        ),
        _D(
            "attached_segment_length",
            8.0,
            7.0,
            10.0,
            "mm",
            "tomii-2003",
            "V",
            "RExP to RDP along the pons: 8 mm (Tomii); 'approximately 1 cm' (Neurographics 2015)",
        ),
        _D(
            "transition_zone_length",
            2.5,
            2.0,
            3.0,
            "mm",
            "haller-2016",
            "V",
            "CNS/PNS transition zone of CN VII 2.5 mm (Haller); 2-3 mm (Campos-Benitez)",
        ),
        _D("cisternal_length", 12.4, 10.5, 14.3, "mm", "gupta-2023", "V", "RDP to porus: 12.4 +/- 1.9 mm in cadavers"),
        _D("facial_nerve_diameter", 1.5, 1.0, 2.0, "mm", "brazis-neuroanatomy", "V"),
        _D(
            "facial_nerve_angle_to_midline",
            69.7,
            63.9,
            75.5,
            "deg",
            "kakizawa-2008",
            "V",
            "cisternal course 69.7 +/- 5.8 deg to the midsagittal plane (MRI)",
        ),
        _D(
            "rexp_zone_length",
            1.5,
            1.0,
            2.0,
            "mm",
            "project-defaults",
            "S",
            "first ~1.5 mm from the exit point (docs/clinical-reference.md section 7)",
        ),
        _D(
            "rdp_zone_half_width",
            1.0,
            0.5,
            1.5,
            "mm",
            "project-defaults",
            "S",
            "RDP zone = detachment point +/- ~1 mm (docs/clinical-reference.md section 7)",
        ),
        _D("iam_width", 4.2, 3.5, 5.0, "mm", "chen-2003", "V", "IAM 4.2 mm wide, 3.1 mm high"),
        _D("iam_canal_stub", 4.0, 0.0, 8.7, "mm", "chen-2003", "V", "nerve shown 4 mm into the 8.7 mm meatus"),
        # --- CN VIII ---
        _D(
            "vestibulocochlear_diameter",
            2.0,
            1.67,
            2.31,
            "mm",
            "guclu-2012",
            "V",
            "1.67 mm (Chen 2003) to 2.31 mm at the brainstem (Guclu 2012)",
        ),
        _D("vestibulocochlear_cisternal_length", 16.5, 14.7, 18.3, "mm", "guclu-2012", "V", "16.5 +/- 1.8 mm"),
        # --- vessels (section 2) ---
        _D(
            "vertebral_diameter",
            3.2,
            2.2,
            4.7,
            "mm",
            "jnis-posterior-circulation",
            "V",
            "V4 3.9 +/- 0.8 proximal, 2.8 +/- 0.6 distal",
        ),
        _D("basilar_diameter", 3.4, 3.17, 4.05, "mm", "reyes-soto-2024", "V", "4.05 at the VBJ, 3.4 mid-basilar"),
        _D("basilar_length", 30.0, 25.0, 35.0, "mm", "reyes-soto-2024", "V", "30 mm (50 brains), 31 mm (96 brains)"),
        _D("aica_origin_above_vbj", 9.9, 6.7, 13.1, "mm", "ballesteros-2020", "V", "9.9 +/- 3.2 mm"),
        _D(
            "aica_diameter",
            1.5,
            1.14,
            2.88,
            "mm",
            "dubrowski-aica",
            "V",
            "CTA median 2.10 (1.14-2.88); cadaver ~1-1.5 mm [U]: 1.5 chosen",
        ),
        _D(
            "pica_origin_below_vbj",
            13.0,
            10.0,
            20.0,
            "mm",
            "ballesteros-2022",
            "V",
            "usually 1-2 cm below the VBJ, from the VA in 69.5 %",
        ),
        _D("pica_diameter", 1.6, 1.5, 2.0, "mm", "rhoton-cpa", "U", "~1.5-2 mm"),
        _D("sca_diameter", 1.6, 1.0, 2.5, "mm", "rhoton-cpa", "U", "context vessel"),
        _D("vein_diameter", 1.4, 1.0, 2.0, "mm", "bender-2018", "U", "1-2 mm; most CPA veins < 2 mm"),
        # --- brainstem (section 3) ---
        _D("pons_ap_depth", 22.7, 21.4, 24.0, "mm", "gandaki-2019", "V", "22.7 +/- 1.3 mm"),
        _D("pons_width", 31.5, 28.0, 35.0, "mm", "tsukano-1991", "V", "ventral width 31.5 mm"),
        _D("pons_craniocaudal", 26.0, 25.0, 27.0, "mm", "tsukano-1991", "V", "25.4-26.0 mm"),
        _D("medulla_ap_depth", 13.0, 12.1, 13.9, "mm", "gandaki-2019", "V", "13.0 +/- 0.9 mm"),
        _D("medulla_width_at_olive", 17.0, 15.0, 20.0, "mm", "brazis-neuroanatomy", "U", "~15-20 mm"),
        _D("mcp_thickness", 15.5, 14.2, 16.8, "mm", "korean-radiol-1995", "V", "15.5 +/- 1.3 mm"),
        # --- nerves for context (sizes from the same atlas; shown hidden by default) ---
        _D("trigeminal_root_diameter", 4.0, 3.0, 5.0, "mm", "rhoton-cpa", "U", "context only"),
        _D("abducens_diameter", 0.9, 0.5, 1.2, "mm", "rhoton-cpa", "U", "context only"),
        _D("lower_cranial_nerve_diameter", 1.2, 0.8, 2.0, "mm", "rhoton-cpa", "U", "IX/X/XI bundles, context only"),
        # --- the retrosigmoid corridor (docs/clinical-reference.md section 11) ---
        _D(
            "cerebellar_volume",
            112.0,
            96.0,
            128.0,
            "ml",
            "escalona-1991",
            "V",
            "whole cerebellum 112 +/- 16 ml (MRI stereology, 37 adults); the modelled hemisphere holds about half",
        ),
        _D(
            "flocculus_volume",
            0.37,
            0.37,
            0.41,
            "ml",
            "ujihara-2025",
            "V",
            "0.37 ml where the REZ was seen at MVD, 0.41 ml where it was not (65 patients)",
        ),
        _D(
            "choroid_plexus_width",
            3.5,
            3.0,
            4.0,
            "mm",
            "bochdalek-2012",
            "V",
            "bulbous cornucopia of Bochdalek's flower basket, mean width 3.5 mm (range: project default)",
        ),
        _D(
            "choroid_plexus_extension",
            23.6,
            15.0,
            30.0,
            "mm",
            "bochdalek-2012",
            "V",
            "lateral extension of the flower basket, mean 23.6 mm; the model shows its cisternal end",
        ),
        _D(
            "transverse_sinus_diameter",
            5.37,
            4.02,
            6.72,
            "mm",
            "jtn-2024-mrv",
            "V",
            "left transverse sinus 5.37 +/- 1.35 mm (CE-MRV, 58 volunteers; right 6.65)",
        ),
        _D(
            "sigmoid_sinus_diameter",
            5.37,
            4.02,
            6.72,
            "mm",
            "jtn-2024-mrv",
            "S",
            "no sigmoid calibre read: taken equal to the left transverse sinus it continues",
        ),
        _D("jugular_foramen_width", 9.57, 7.4, 12.8, "mm", "idowu-2004", "V", "left 9.57 mm (7.4-12.8), 40 foramina"),
        _D("jugular_foramen_length", 14.11, 9.2, 20.2, "mm", "idowu-2004", "V", "left 14.11 mm (9.2-20.2)"),
        _D(
            "craniotomy_area",
            4.21,
            3.0,
            5.42,
            "cm2",
            "amagasaki-2017",
            "U",
            "retrosigmoid craniotomy 4.21 +/- 1.21 cm2 in one infrafloccular series: a disc of about 2.3 cm",
        ),
        _D(
            "cerebellar_retraction_max",
            10.0,
            0.0,
            10.0,
            "mm",
            "neurosurgery-directory-mvd",
            "U",
            "gentle traction on the cerebellum, < 1 cm recommended (secondary source)",
        ),
        _D(
            "retraction_falloff",
            12.0,
            8.0,
            20.0,
            "mm",
            "project-defaults",
            "S",
            "distance over which the retraction fades (Gaussian sigma): a teaching choice",
        ),
    ]
}


def dim(key: str) -> float:
    return DIMENSIONS[key].value
