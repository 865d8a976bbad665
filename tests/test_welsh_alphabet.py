"""The tests' own Welsh order, checked on names worked by hand."""

from tests.welsh_alphabet import welsh_order


def test_the_key_follows_the_welsh_alphabet() -> None:
    # Worked by hand: c before ch, l before ll, n after ng, t before th; marks first.
    names = ["Theatr", "Llan-non", "Chwilog", "Llannon", "Cymuned", "Lonydd", "Llangadog"]
    assert sorted(names, key=welsh_order) == [
        "Cymuned",
        "Chwilog",
        "Lonydd",
        "Llangadog",
        "Llan-non",
        "Llannon",
        "Theatr",
    ]
