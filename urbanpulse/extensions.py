"""Unconfigured extension instances; `create_app` binds them to the app."""

from flask_compress import Compress
from flask_cors import CORS
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from urbanpulse.api_base import ProblemApi
from urbanpulse.cache.client import RedisClient
from urbanpulse.limits import build_limiter


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = ProblemApi()
redis_client = RedisClient()
cors = CORS()
compress = Compress()
limiter = build_limiter()
