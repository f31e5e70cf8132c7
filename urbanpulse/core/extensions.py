"""Unconfigured extension instances; `create_app` binds them to the app.

The flask-smorest `api` and the rate `limiter` are HTTP plumbing: they live in `urbanpulse.web`."""

from flask_compress import Compress
from flask_cors import CORS
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from urbanpulse.core.redis_client import RedisClient
from urbanpulse.core.routing_session import RoutingSession


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})
migrate = Migrate()
redis_client = RedisClient()
cors = CORS()
compress = Compress()
