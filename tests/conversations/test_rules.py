"""The domain's pure rules: grid squares, reference codes, spotting personal data."""

from __future__ import annotations

from api.conversations.grid import grid_ref
from api.conversations.personal_data import flags
from api.conversations.reference import ALPHABET, new_codes, normalise


def test_grid_squares_are_named_as_on_os_maps() -> None:
    assert grid_ref(241, 220) == "SN4120"  # Carmarthen
    assert grid_ref(530, 180) == "TQ3080"  # central London
    assert grid_ref(195, 215) == "SM9515"  # Haverfordwest


def test_reference_codes_avoid_confusable_characters_and_forgive_typing() -> None:
    codes = set(new_codes(150)) | set(new_codes(1)) | set(new_codes(49))
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 11 and code[5] == "-"
        assert set(code.replace("-", "")) <= set(ALPHABET)
    assert not set(ALPHABET) & set("0O1IL5S2Z8B")
    assert normalise(" acdef ghjkm ") == "ACDEF-GHJKM"
    assert normalise("ACDEF-GHJKM") == "ACDEF-GHJKM"


def test_personal_data_is_spotted_in_english_and_welsh() -> None:
    said = "Fy enw i yw Rhian Morgan, ffoniwch +44 1970 123456"
    assert [(f.kind, said[f.start : f.end]) for f in flags(said)] == [
        ("NAME", "Rhian Morgan"),
        ("PHONE", "+44 1970 123456"),
    ]
    # Ordinary talk is not flagged: a year, a bus number, a lower-case word after "I'm called".
    assert flags("In 2019 the 460 bus stopped; I'm called out to work a lot.") == []
