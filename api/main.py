"""The ASGI application uvicorn serves (`api.main:app`)."""

from api.app import create_app
from api.serving import settle_collector

app = create_app()
settle_collector()
