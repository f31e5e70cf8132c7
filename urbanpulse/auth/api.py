"""HTTP layer of accounts: tokens for everyone, user management for admins."""

from flask import current_app
from flask.views import MethodView

from urbanpulse.auth import service
from urbanpulse.auth.guard import ADMINS, optional_user, protected
from urbanpulse.auth.limits import remember_proven_address
from urbanpulse.auth.schemas import (
    TokenRequestSchema,
    TokenResponseSchema,
    UserCreateSchema,
    UserSchema,
    UserUpdateSchema,
)
from urbanpulse.web.api_base import ApiBlueprint

auth_blp = ApiBlueprint("auth", __name__, url_prefix="/api/v1/auth", description="Bearer tokens")
users_blp = ApiBlueprint("users", __name__, url_prefix="/api/v1/users", description="Accounts (admin only)")


@auth_blp.route("/token")
class TokenView(MethodView):
    @auth_blp.arguments(TokenRequestSchema)
    @auth_blp.response(200, TokenResponseSchema)
    @auth_blp.alt_response(401, response="UNAUTHORIZED")
    def post(self, credentials):
        """Exchange an email and password for a bearer token."""
        user = service.authenticate(email=credentials["email"], password=credentials["password"])
        remember_proven_address(user.email)
        return service.issue_token(
            user=user,
            secret_key=current_app.config["TOKEN_SIGNING_KEY"],
            lifetime_s=current_app.config["TOKEN_LIFETIME_S"],
        )


@users_blp.route("")
class UsersView(MethodView):
    @protected(users_blp, ADMINS)
    @users_blp.response(200, UserSchema(many=True))
    def get(self):
        """List the accounts."""
        return service.list_users()

    @protected(users_blp, ADMINS)
    @users_blp.arguments(UserCreateSchema)
    @users_blp.response(201, UserSchema)
    @users_blp.answers(409)
    def post(self, body):
        """Create an account."""
        return service.create_user(**body)


@users_blp.route("/<uuid:user_id>")
class UserView(MethodView):
    @protected(users_blp, ADMINS)
    @users_blp.response(200, UserSchema)
    @users_blp.answers(404)
    def get(self, user_id):
        """One account."""
        return service.get_user(user_id=user_id)

    @protected(users_blp, ADMINS)
    @users_blp.arguments(UserUpdateSchema)
    @users_blp.response(200, UserSchema)
    @users_blp.answers(404, 409)
    def patch(self, body, user_id):
        """Change an account's role, active flag or password."""
        return service.update_user(user_id=user_id, acting_user=optional_user(), **body)
