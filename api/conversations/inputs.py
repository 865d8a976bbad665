"""Plain inputs and vocabularies of the conversations domain, shared by the service and
the GraphQL types (which register the enums)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


class QuestionType(Enum):
    FREE_TEXT = "FREE_TEXT"
    SINGLE_CHOICE = "SINGLE_CHOICE"
    MULTIPLE_CHOICE = "MULTIPLE_CHOICE"
    SCALE_1_5 = "SCALE_1_5"


class Channel(Enum):
    STREET = "STREET"
    EVENT = "EVENT"
    PHONE = "PHONE"
    ONLINE = "ONLINE"
    GROUP = "GROUP"
    OTHER = "OTHER"


class AgeBand(Enum):
    UNDER_16 = "UNDER_16"
    AGE_16_24 = "AGE_16_24"
    AGE_25_44 = "AGE_25_44"
    AGE_45_64 = "AGE_45_64"
    AGE_65_74 = "AGE_65_74"
    AGE_75_84 = "AGE_75_84"
    AGE_85_PLUS = "AGE_85_PLUS"


# The age bands places knows for every LSOA, and which respondent bands fall in each:
# respondents are asked in finer bands, so shares are compared on the coarser.
POPULATION_AGE_BANDS: dict[str, tuple[AgeBand, ...]] = {
    "age_0_15": (AgeBand.UNDER_16,),
    "age_16_64": (AgeBand.AGE_16_24, AgeBand.AGE_25_44, AgeBand.AGE_45_64),
    "age_65_plus": (AgeBand.AGE_65_74, AgeBand.AGE_75_84, AgeBand.AGE_85_PLUS),
}


class Gender(Enum):
    WOMAN = "WOMAN"
    MAN = "MAN"
    NON_BINARY = "NON_BINARY"
    OTHER = "OTHER"
    PREFER_NOT_TO_SAY = "PREFER_NOT_TO_SAY"


@dataclass(frozen=True)
class ChoiceIn:
    key: str
    label_en: str
    label_cy: str | None = None


@dataclass(frozen=True)
class QuestionIn:
    key: str
    type: QuestionType
    text_en: str
    text_cy: str | None = None
    required: bool = False
    choices: tuple[ChoiceIn, ...] = ()


@dataclass(frozen=True)
class CountyTargetIn:
    county_code: str
    target: int


@dataclass(frozen=True)
class CampaignIn:
    name_en: str
    name_cy: str | None
    questions: tuple[QuestionIn, ...]
    target: int = 10_000
    county_targets: tuple[CountyTargetIn, ...] = ()
    starts_on: date | None = None
    ends_on: date | None = None
    double_coding_share: float = 0.2


# What a batch of conversations arrives as: 3,500 of these per batch of 500, made once and
# never changed. Not frozen (a frozen dataclass sets each field through object.__setattr__:
# building them cost three times as much), nor slotted (orjson writes a slotted one, for
# its fingerprint, four times slower).
@dataclass
class AnswerIn:
    question_key: str
    text: str | None = None
    choices: tuple[str, ...] | None = None
    scale: int | None = None


@dataclass
class ConsentIn:
    store: bool
    contact: bool = False
    quote: bool = False


@dataclass
class ProfileIn:
    age_band: AgeBand | None = None
    gender: Gender | None = None
    postcode_district: str | None = None
    welsh_speaker: bool | None = None
    disability: bool | None = None
    carer: bool | None = None


@dataclass
class ContactIn:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class ConversationIn:
    id: uuid.UUID
    campaign_id: uuid.UUID
    question_set_version: int
    collected_at: datetime
    channel: Channel
    language: str
    consent: ConsentIn
    answers: tuple[AnswerIn, ...] = ()
    profile: ProfileIn = field(default_factory=ProfileIn)
    contact: ContactIn | None = None
    lat: float | None = None
    lon: float | None = None
    community_id: uuid.UUID | None = None
    county_code: str | None = None


@dataclass(frozen=True)
class CodingIn:
    theme_id: uuid.UUID
    question_key: str
    excerpt: str | None = None


@dataclass(frozen=True)
class ThemeIn:
    key: str
    label_en: str
    label_cy: str | None = None
    description_en: str | None = None
    description_cy: str | None = None
    parent_id: uuid.UUID | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportFilter:
    county_code: str | None = None
    community_id: uuid.UUID | None = None
    age_band: AgeBand | None = None
    language: str | None = None
    channel: Channel | None = None
