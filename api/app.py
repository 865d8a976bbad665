"""create_app(): the FastAPI application with GraphQL at /graphql and the REST routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import async_sessionmaker
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.context import RequestContext
from api.db import RequestSession, make_engine, make_sessionmaker
from api.read_only import ReadOnly
from api.request_id import RequestIdMiddleware
from api.rest import conversation_exports, exports, health, media, tiles
from api.rest.dependencies import request_session
from api.rest.errors import EXCEPTION_HANDLERS
from api.rest.grant_exports import router as grant_exports_router
from api.rest.grant_media import router as grant_media_router
from api.schema import build_schema, format_error
from api.settings import PROJECT_ROOT, Settings, get_settings
from api.shared.language import preferred_language
from api.web.compression import add_compression
from api.web.etags import ETags
from api.web.lean_routes import LeanRoutes
from api.web.limits import BodySizeLimit, RateLimit, RateLimits, Throttle
from api.web.nul_text import RefuseNulInUrl
from api.web.persisted_queries import PersistedQueries, QueryStore
from api.web.shared_state import SharedState


class CymunedGraphQLRouter(GraphQLRouter):
    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: GraphQLHTTPResponse = {"data": result.data}
        if result.errors:
            language = preferred_language(request.headers.get("accept-language"))
            response["errors"] = [format_error(e, language) for e in result.errors]
        if result.extensions:
            response["extensions"] = result.extensions
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        # A batch of 500 conversations is about 400 KB of JSON: the standard library's
        # decoder takes several times as long as orjson's. What only the standard library
        # reads (NaN, integers past 64 bits) goes to it, so GraphQL still names the field.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode_json(data)


def create_app(
    settings: Settings | None = None,
    sessionmaker: async_sessionmaker[RequestSession] | None = None,
) -> FastAPI:
    """The app. Tests pass a sessionmaker bound to their own transaction."""
    settings = settings or get_settings()
    # Rate counters and learnt persisted queries: this process, or Redis when configured.
    shared = SharedState(settings.redis_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = None
        if sessionmaker is None:
            engine = make_engine(
                settings.resolved_database_url(),
                statement_timeout_ms=settings.statement_timeout_ms,
                connect_timeout_s=settings.database_connect_timeout_s,
                pool_timeout=settings.database_pool_timeout_s,
            )
            app.state.sessionmaker = make_sessionmaker(engine)
            app.state.read_only = ReadOnly(engine)
        yield
        await shared.close()
        if engine is not None:
            await engine.dispose()

    withdrawals = Throttle(settings.withdraw_limit_per_address, shared.counter("withdraw"))

    async def context(
        request: Request, session: RequestSession = Depends(request_session)
    ) -> RequestContext:
        return RequestContext(
            session=session,
            settings=settings,
            accept_language=request.headers.get("accept-language"),
            authorization=request.headers.get("authorization"),
            client_address=request.client.host if request.client else "unknown",
            withdrawals=withdrawals,
        )

    app = FastAPI(title="Cymuned", lifespan=lifespan)
    app.state.settings = settings
    app.state.shared = shared
    if sessionmaker is not None:
        app.state.sessionmaker = sessionmaker
        app.state.read_only = ReadOnly(sessionmaker.kw["bind"])
    app.include_router(
        CymunedGraphQLRouter(
            build_schema(settings),
            context_getter=context,
            # Photos from phones arrive as GraphQL multipart requests.
            multipart_uploads_enabled=True,
        ),
        prefix="/graphql",
    )
    for kind, handler in EXCEPTION_HANDLERS:
        app.add_exception_handler(kind, handler)
    app.include_router(health.router)
    app.include_router(conversation_exports.router)
    for router in (tiles.router, exports.router, media.router):  # assets
        app.include_router(router)
    app.include_router(grant_exports_router)
    app.include_router(grant_media_router)
    # Outermost last: request id, rate and size limits, NUL in the URL, compression, ETags
    # (inside compression: tagged from the uncompressed body), persisted queries, and the
    # routes answered ahead of FastAPI's router (each also declared on a router above).
    app.add_middleware(LeanRoutes, routes=[tiles.LEAN_ASSET_TILE])
    app.add_middleware(
        PersistedQueries,
        store=QueryStore.from_directory(
            PROJECT_ROOT / "graphql" / "operations", shared.learnt_queries()
        ),
        registered_only=settings.persisted_queries_only,
    )
    app.add_middleware(ETags)
    add_compression(app)
    app.add_middleware(RefuseNulInUrl)
    app.add_middleware(
        BodySizeLimit,
        json_max=settings.request_json_max_bytes,
        multipart_max=settings.request_multipart_max_bytes,
    )
    app.add_middleware(
        RateLimit,
        limits=RateLimits(
            per_address=settings.rate_limit_per_address,
            per_user=settings.rate_limit_per_user,
            jwt_secret=settings.jwt_secret or "",
        ),
        counter=shared.counter("rate"),
    )
    app.add_middleware(RequestIdMiddleware)
    return app
