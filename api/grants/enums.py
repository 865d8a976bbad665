"""The grants domain's enums as GraphQL enums, registered once before any type uses them."""

from __future__ import annotations

import strawberry

from api.grants.applications import FiveWays, GroupType
from api.grants.defaults import Condition, Tier
from api.grants.lifecycle import Status
from api.grants.panel import Recommendation
from api.grants.payments import TrancheStatus
from api.grants.reports import ReportKind, ReportStatus

strawberry.enum(Status, name="ApplicationStatus", description="Where an application stands.")
strawberry.enum(Tier, name="GrantTier", description="Try It, Do It or Build It.")
strawberry.enum(GroupType, name="GroupType", description="What kind of group is applying.")
strawberry.enum(FiveWays, name="FiveWays", description="The Five Ways to Wellbeing.")
strawberry.enum(Recommendation, description="A reviewer's recommendation.")
strawberry.enum(Condition, name="TrancheCondition", description="When a tranche falls due.")
strawberry.enum(
    TrancheStatus, description="PENDING until its condition is met, then DUE, then PAID."
)
strawberry.enum(ReportKind, description="A progress or final report.")
strawberry.enum(ReportStatus, description="SUBMITTED, then APPROVED or SENT_BACK.")
