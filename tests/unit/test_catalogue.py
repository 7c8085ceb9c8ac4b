"""The catalogue's entries that ova itself carries or chooses between stay in step with the code: the
committed ASL letter weights match their entry, and every ASL classifier the settings offer has one."""

from __future__ import annotations

import hashlib

from ova.adapters.ai.local.asl_classifiers import CLASSIFIERS
from ova.adapters.models.catalogue import CATALOGUE, OVA_LETTERS_WEIGHTS
from ova.adapters.models.store import package_folder
from ova.bootstrap.capabilities import ENGLISH_VOICE_MODEL, HANDS_MODEL

BY_NAME = {entry.name: entry for entry in CATALOGUE}


def test_the_ova_letters_entry_matches_the_committed_weights() -> None:
    """Retraining changes the file: this names the size and sha256 to put in ``OVA_LETTERS_WEIGHTS``."""
    (part,) = OVA_LETTERS_WEIGHTS.parts
    folder = package_folder(part.package)
    assert folder is not None
    data = (folder / part.path).read_bytes()
    committed = (len(data), hashlib.sha256(data).hexdigest())
    assert (OVA_LETTERS_WEIGHTS.size, OVA_LETTERS_WEIGHTS.sha256) == committed, (
        f"asl-letters.npz changed: set OVA_LETTERS_WEIGHTS to size {committed[0]:_}, sha256 {committed[1]}"
    )
    assert BY_NAME["ova-letters"].files == (OVA_LETTERS_WEIGHTS,) and BY_NAME["ova-letters"].packages == ()


def test_every_asl_classifier_the_settings_offer_is_a_catalogue_entry() -> None:
    assert {entry.name for entry in CATALOGUE if entry.task == "asl"} == set(CLASSIFIERS)


def test_the_models_the_capabilities_name_beside_the_settings_are_in_the_catalogue() -> None:
    assert BY_NAME[HANDS_MODEL].task == "hands"
    assert BY_NAME[ENGLISH_VOICE_MODEL].task == "tts" and BY_NAME[ENGLISH_VOICE_MODEL].languages == ("en",)
