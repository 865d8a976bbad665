"""Every domain's models, imported so that metadata (Alembic, tests) sees all tables."""

from __future__ import annotations


def import_all_models() -> None:
    from api.assets import models as _assets  # noqa: F401
    from api.audit import models as _audit  # noqa: F401
    from api.conversations import models as _conversations  # noqa: F401
    from api.grants import models as _grants  # noqa: F401
    from api.people import models as _people  # noqa: F401
    from api.places import models as _places  # noqa: F401
    from api.selection import models as _selection  # noqa: F401
