"""Which card designs train the models and which are held out, by family.

A family is one artist's drawing (gnome's anglo, anglo_bitmap, anglo_modern and gnomangelo are
one drawing re-coloured); a held-out family is never seen in training, so the evaluation is on a
design the models have never met. Decks whose indices are not the English A K Q J (French R D V,
German K D B, Russian, Swiss suits) are left out: a studio deals English-index casino decks.

Licences (recorded in models/README.md): npm packages heruka (CC0), cardsJS and svg-cards (LGPL);
Debian gnome-cards-data (GPL-2+/LGPL, per deck in its copyright file) and kdegames-card-data-kf5
(GPL/LGPL/FDL per deck); procedural decks are drawn here from Debian's fonts (each font's own
free licence; the glyphs are rendered, not redistributed).
"""

TRAIN = [
    "heruka-2color", "heruka-2color-bf", "cardsjs", "bellot", "gnome-bellot",
    "gnome-anglo", "gnome-anglo_bitmap", "gnome-anglo_modern", "gnome-anglo_modern_4_color", "gnome-anglo_poker",
    "gnome-gnomangelo", "gnome-gnomangelo_bitmap", "gnome-dondorf", "gnome-guyenne-classic",
    "gnome-ornamental", "kde-nicu-ornamental", "kde-nicu-white", "gnome-simplistic", "gnome-tango", "gnome-tango_nuevo",
    "kde-standard",
]
HELD_OUT = ["gnome-paris", "gnome-plastic", "gnome-tigullio", "gnome-neoclassical", "gnome-neoclassical_4_color"]
NPM = ["heruka-2color", "heruka-2color-bf", "cardsjs", "bellot"]
GNOME = sorted({d[6:] for d in TRAIN + HELD_OUT if d.startswith("gnome-")})
KDE = sorted({d for d in TRAIN + HELD_OUT if d.startswith("kde-")})
PROCEDURAL_SETS, PROCEDURAL_PER_SET = 4, 12  # 48 decks drawn from fonts
JUMBO_PER_SET = 3  # and 12 jumbo-index ones (the reader's camera patches only: camera_patches.arts)
