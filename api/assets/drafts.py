"""An asset as a phone sends it, checked and normalised into the content that is stored
(and fingerprinted). No database here: these are the rules on one item alone."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from api.assets.models import Category, WellbeingWay
from api.errors import BadInput, DomainError
from api.people.service import not_an_email
from api.places import service as places
from api.shared.batch import fingerprint
from api.shared.limits import members, over_caps

NAME_MAX = 200
DESCRIPTION_MAX = 4000
NOTE_MAX = 2000  # address, opening times, accessibility
TAG_MAX = 50
TAGS_MAX = 20
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
LANGUAGES = ("cy", "en")


@dataclass(frozen=True)
class AssetDraft:
    """One asset as sent: `version` is the copy an edit was based on (None for a new one)."""

    id: uuid.UUID
    category: Category
    lat: float
    lon: float
    version: int | None = None
    accuracy_m: float | None = None
    confirm_accuracy: bool = False
    name_en: str | None = None
    name_cy: str | None = None
    description: str | None = None
    tags: Sequence[str] = ()
    address: str | None = None
    postcode: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    website: str | None = None
    opening_times: str | None = None
    accessibility: str | None = None
    languages: Sequence[str] = ()
    wellbeing: Sequence[WellbeingWay] = ()


@dataclass
class CheckedDraft:
    """A draft that passed the rules: `content` holds the stored columns (plus lat/lon)."""

    draft: AssetDraft
    content: dict[str, Any]
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        self.fingerprint = fingerprint(self.content)


# Text fields: (attribute, GraphQL field name, longest allowed).
TEXT_FIELDS = (
    ("name_en", "nameEn", NAME_MAX),
    ("name_cy", "nameCy", NAME_MAX),
    ("description", "description", DESCRIPTION_MAX),
    ("address", "address", NOTE_MAX),
    ("contact_name", "contact.name", NAME_MAX),
    ("contact_phone", "contact.phone", 40),
    ("contact_email", "contact.email", 320),
    ("website", "contact.website", 500),
    ("opening_times", "openingTimes", NOTE_MAX),
    ("accessibility", "accessibility", NOTE_MAX),
)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def check_point(lat: float, lon: float, errors: list[DomainError], where: str = "location") -> None:
    errors += places.point_problems(lat, lon, f"{where}.")


def check(draft: AssetDraft, accuracy_max_m: float) -> CheckedDraft | list[DomainError]:
    """The draft's stored content, or every problem with it (each naming its field)."""
    errors: list[DomainError] = []
    content: dict[str, Any] = {}
    for attr, name, longest in TEXT_FIELDS:
        value = _text(getattr(draft, attr))
        if value is not None and len(value) > longest:
            errors.append(
                BadInput(
                    f"Keep {name} to {longest} characters at most.",
                    field=name,
                    cy=f"Cadwch {name} o fewn {longest} nod.",
                )
            )
        content[attr] = value
    if content["name_en"] is None and content["name_cy"] is None:
        errors.append(
            BadInput(
                "Give the asset a name in English or Welsh (or both).",
                field="nameEn",
                cy="Rhowch enw i'r ased yn Gymraeg neu yn Saesneg (neu'r ddwy).",
            )
        )
    if content["contact_email"] and "@" not in content["contact_email"]:
        errors.append(not_an_email("contact.email"))
    if content["website"] and not content["website"].startswith(("https://", "http://")):
        errors.append(
            BadInput(
                "A website starts with https:// or http://.",
                field="contact.website",
                cy="Mae gwefan yn dechrau â https:// neu http://.",
            )
        )

    postcode = _text(draft.postcode)
    if postcode is not None:
        postcode = " ".join(postcode.upper().split())
        if not POSTCODE.match(postcode):
            errors.append(
                BadInput(
                    "This is not a UK postcode.",
                    field="postcode",
                    cy="Nid cod post yn y DU yw hwn.",
                )
            )
    content["postcode"] = postcode

    # Counted as sent, before duplicates fold: one of each language and way, at most.
    errors += over_caps(
        (draft.tags, TAGS_MAX, "tags"),
        (draft.languages, len(LANGUAGES), "languages"),
        (draft.wellbeing, members(WellbeingWay), "wellbeing"),
    )
    tags = sorted({t.strip().lower() for t in draft.tags if t.strip()})
    if any(len(t) > TAG_MAX for t in tags):
        errors.append(
            BadInput(
                f"Keep each tag to {TAG_MAX} characters.",
                field="tags",
                cy=f"Cadwch bob tag o fewn {TAG_MAX} nod.",
            )
        )
    content["tags"] = tags

    languages = sorted({lang.strip().lower() for lang in draft.languages})
    if not set(languages) <= set(LANGUAGES):
        errors.append(
            BadInput("Languages are cy and en.", field="languages", cy="Yr ieithoedd yw cy ac en.")
        )
    content["languages"] = languages
    content["wellbeing"] = sorted({w.value for w in draft.wellbeing})
    content["category"] = draft.category.value

    check_point(draft.lat, draft.lon, errors)
    accuracy = draft.accuracy_m
    if accuracy is not None and (not math.isfinite(accuracy) or accuracy < 0):
        errors.append(
            BadInput(
                "Accuracy is a distance in metres, 0 or more.",
                field="location.accuracyM",
                cy="Pellter mewn metrau yw'r cywirdeb, 0 neu fwy.",
            )
        )
    elif accuracy is not None and accuracy > accuracy_max_m and not draft.confirm_accuracy:
        errors.append(
            BadInput(
                f"The location is only accurate to {accuracy:.0f} m (the limit is "
                f"{accuracy_max_m:.0f} m). Move closer and try again, or confirm the point "
                "on the map (confirmAccuracy).",
                field="location.accuracyM",
                cy=f"Dim ond i {accuracy:.0f} m y mae'r lleoliad yn gywir (y terfyn yw "
                f"{accuracy_max_m:.0f} m). Ewch yn nes a rhowch gynnig arall arni, neu "
                "cadarnhewch y pwynt ar y map (confirmAccuracy).",
            )
        )
    content.update(lat=draft.lat, lon=draft.lon, accuracy_m=accuracy)
    return errors if errors else CheckedDraft(draft, content)
