"""What a new round starts with unless its coordinator says otherwise."""

from __future__ import annotations

from enum import Enum
from typing import Any


class Tier(Enum):
    TRY_IT = "TRY_IT"
    DO_IT = "DO_IT"
    BUILD_IT = "BUILD_IT"


class Condition(Enum):
    """When a tranche of an award becomes due."""

    ON_ACCEPTANCE = "ON_ACCEPTANCE"
    PROGRESS_REPORT = "PROGRESS_REPORT"
    FINAL_REPORT = "FINAL_REPORT"


QUORUM = 3
SCALE_MAX = 5

CRITERIA: list[dict[str, Any]] = [
    {"key": key, "labelEn": en, "labelCy": cy, "weight": 1.0, "scaleMax": SCALE_MAX}
    for key, en, cy in (
        ("community_benefit", "Community benefit", "Budd i'r gymuned"),
        ("community_ownership", "Community ownership", "Perchnogaeth gymunedol"),
        ("feasibility", "Feasibility", "Dichonoldeb"),
        ("value_for_money", "Value for money", "Gwerth am arian"),
        (
            "deprived_reach",
            "Reach into the most deprived areas",
            "Cyrraedd yr ardaloedd mwyaf difreintiedig",
        ),
    )
]

TIERS: list[dict[str, Any]] = [
    {"tier": Tier.TRY_IT.value, "minPence": 1, "maxPence": 50_000},
    {"tier": Tier.DO_IT.value, "minPence": 50_100, "maxPence": 200_000},
    {"tier": Tier.BUILD_IT.value, "minPence": 200_100, "maxPence": 500_000},
]

PAYMENT_SCHEDULE: dict[str, list[dict[str, Any]]] = {
    Tier.TRY_IT.value: [{"percent": 100, "condition": Condition.ON_ACCEPTANCE.value}],
    Tier.DO_IT.value: [
        {"percent": 50, "condition": Condition.ON_ACCEPTANCE.value},
        {"percent": 50, "condition": Condition.PROGRESS_REPORT.value},
    ],
    Tier.BUILD_IT.value: [
        {"percent": 40, "condition": Condition.ON_ACCEPTANCE.value},
        {"percent": 40, "condition": Condition.PROGRESS_REPORT.value},
        {"percent": 20, "condition": Condition.FINAL_REPORT.value},
    ],
}
