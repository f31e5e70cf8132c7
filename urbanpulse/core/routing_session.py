"""The ORM session of every request: a GET or HEAD reads from a qualifying replica (`core.replicas`), everything
else from the primary."""

from __future__ import annotations

from flask_sqlalchemy.session import Session

from urbanpulse.core import replicas


class RoutingSession(Session):
    """Flask-SQLAlchemy's session, whose statements go to this request's replica when it has one."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        """The replica chosen for this GET or HEAD request when one qualifies, else the usual engine."""
        if bind is None and replicas.wanted():
            replica = replicas.replica_for_read()
            if replica is not None:
                return replica.engine
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
