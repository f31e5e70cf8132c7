"""Accounts (admins only): list, create, change role, deactivate or reactivate, through auth.service."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from marshmallow import ValidationError
from wtforms import EmailField, HiddenField, PasswordField, SelectField
from wtforms.validators import DataRequired, Length

from urbanpulse.admin.i18n import gettext
from urbanpulse.admin.session import current_user
from urbanpulse.admin.views_base import (
    ActionForm,
    AdminForm,
    SecureView,
    flash_service_error,
    parse_uuid,
    show_service_error,
)
from urbanpulse.auth import service as auth_service
from urbanpulse.auth.models import ROLES
from urbanpulse.auth.schemas import UserCreateSchema, UserUpdateSchema
from urbanpulse.core.errors import DomainError, NotFound, ValidationFailed, flatten_validation_messages


class NewUserForm(AdminForm):
    """A new account: email, role and a first password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices={role: role for role in ROLES})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class UserChangeForm(ActionForm):
    """One change of an account: its role or whether it is active."""

    user_id = HiddenField()
    role = SelectField(choices={role: role for role in ROLES}, validate_choice=False)  # the service checks it
    active = HiddenField()
    password = PasswordField(validators=[Length(max=1000)])


def _account_field(path: str) -> str | None:
    return path if path in ("email", "role", "password") else None


def _validated(schema, data: dict) -> dict:
    """`data` loaded by the API's own schema; its errors as a ValidationFailed naming the fields."""
    try:
        return schema.load(data)
    except ValidationError as error:
        errors = flatten_validation_messages({"json": error.messages})
        raise ValidationFailed("Invalid input", errors=errors) from None


def _create_user(form: NewUserForm):
    """Validate as POST /api/v1/users does (UserCreateSchema), then create through the auth service."""
    data = {"email": form.email.data, "password": form.password.data, "role": form.role.data}
    return auth_service.create_user(**_validated(UserCreateSchema(), data))


def _role_choices(form) -> None:
    form.role.choices = {role: gettext(role) for role in ROLES}


class UsersView(SecureView):
    """Accounts of the tourism office; only admins see this page."""

    admin_only = True

    def _page(self, form, status=200):
        return self.render("upadmin/users.html", users=auth_service.list_users(), form=form), status

    @expose("/", methods=("GET", "POST"))
    def index(self):
        """The list of accounts and the form to add one."""
        form = NewUserForm()
        _role_choices(form)
        if request.method == "GET":
            return self._page(form)
        if not form.validate_on_submit():
            return self._page(form, 422)
        try:
            user = _create_user(form)
        except DomainError as error:
            unplaced = show_service_error(form, error, _account_field)
            if unplaced:
                form.email.errors = [*list(form.email.errors or []), *unplaced]
            return self._page(form, error.status)
        flash(gettext("Account {email} created.", email=user.email), "success")
        return redirect(url_for(".index"))

    @expose("/change", methods=("POST",))
    def change(self):
        """Change one account's role, or deactivate / reactivate it."""
        form = UserChangeForm()
        _role_choices(form)
        user_id = parse_uuid(form.user_id.data)
        if not form.validate_on_submit() or user_id is None:
            abort(400)
        changes: dict = {}
        if form.active.data in ("0", "1"):
            changes["is_active"] = form.active.data == "1"
        elif form.password.data:
            changes["password"] = form.password.data
        elif form.role.data:
            changes["role"] = form.role.data
        try:
            changes = _validated(UserUpdateSchema(), changes)
            user = auth_service.update_user(user_id=user_id, acting_user=current_user(), **changes)
        except NotFound:
            abort(404)
        except DomainError as error:
            flash_service_error(error)
            return redirect(url_for(".index"))
        flash(gettext("Account {email} updated.", email=user.email), "success")
        return redirect(url_for(".index"))
