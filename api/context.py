"""What every resolver gets: the request's session, settings, language and (lazily) its user."""

from __future__ import annotations

from typing import Any

from strawberry.fastapi import BaseContext
from strawberry.types import Info as StrawberryInfo

from api.auth.principal import Principal
from api.auth.tokens import bearer_token
from api.db import RequestSession
from api.settings import Settings
from api.shared.language import Language, preferred_language
from api.web.limits import Throttle


class RequestContext(BaseContext):
    def __init__(
        self,
        session: RequestSession,
        settings: Settings,
        accept_language: str | None,
        authorization: str | None,
        client_address: str,
        withdrawals: Throttle,
    ) -> None:
        super().__init__()
        self.session = session
        self.settings = settings
        self.language: Language = preferred_language(accept_language)
        self.client_address = client_address
        # Lives as long as the app: each request counts against the same budget.
        self.withdrawals = withdrawals
        self._authorization = authorization
        self._principal: Principal | None = None
        # DataLoaders, made on first use and kept for this request only.
        self.loaders: dict[str, Any] = {}

    async def principal(self) -> Principal:
        """The signed-in user, checked against the database once per request."""
        if self._principal is None:
            from api.people import service as people

            self._principal = await people.principal_or_anonymous(
                self.session, self.settings, bearer_token(self._authorization)
            )
        return self._principal

    def loader(self, name: str, factory: Any) -> Any:
        if name not in self.loaders:
            self.loaders[name] = factory(self)
        return self.loaders[name]


Info = StrawberryInfo[RequestContext, None]
