"""Colours and display defaults: conventional anatomy colours that project well.

Arteries red, veins blue, nerves yellow, brainstem warm tan.
CN VII zones are banded in yellows/oranges and the transition zone is a light
ring, so segments stay distinguishable on a projector.
"""

from __future__ import annotations

KIND_COLOURS = {
    "brainstem": (222, 184, 135),
    "bone": (236, 230, 214),
    "artery": (200, 35, 35),
    "vein": (45, 80, 200),
    "nerve": (240, 205, 60),
    "nucleus": (170, 60, 170),
    "cerebellum": (214, 170, 150),  # pale grey-pink cortex, distinct from the brainstem's tan
    "flocculus": (226, 150, 140),
    "choroid": (190, 70, 90),  # vascular tuft, darker red than the arteries' tone
    "sinus": (40, 55, 140),  # deep blue: venous, darker than the cisternal veins
}
SEGMENT_COLOURS = {
    "RExP": (230, 120, 0),
    "AS": (245, 170, 20),
    "RDP": (250, 215, 50),
    "CP": (255, 240, 140),
}
TZ_COLOUR = (250, 250, 250)
BACKGROUND = ("#1e2530", "#4a5668")  # dark gradient: good contrast in a lecture hall


def hex_colour(rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# Lesions: distinct from vessels and nerves at a glance. A tumour is a pale
# grey-tan mass, an AVM nidus a dark purple tangle, an aneurysm sac arterial red (it is
# an artery), a brainstem (MS) plaque white so it shows through the translucent pons.
LESION_COLOURS = {
    "tumor": (196, 186, 160),
    "avm": (128, 30, 110),
    "aneurysm": (225, 55, 45),
    "brainstem_lesion": (250, 250, 250),
}
LESION_OPACITY = {"tumor": 0.85, "avm": 0.9}
