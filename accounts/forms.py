"""Forms of the people pages. They collect and shape input; the services decide and write.

Phone-first: the right keyboard (`inputmode`, `type`) and `autocomplete` on every field, so a
phone fills in what it already knows.
"""

from django import forms
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services.users import user_set_password
from accounts.tasks import send_password_reset
from config.celery_app import dispatch_on_commit

EMAIL_ATTRS = {"autocomplete": "email", "inputmode": "email", "autocapitalize": "none"}


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs=EMAIL_ATTRS),
        **kwargs,
    )


def name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Phone / WhatsApp (optional)"),
        max_length=30,
        required=False,
        help_text=_("For example 0812 3456 7890. Sellers and buyers use it to reach you."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class SignupForm(forms.Form):
    name = name_field()
    email = email_field()
    phone = phone_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not only digits, not a common word."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class LoginForm(AuthenticationForm):
    """Django's login form with the e-mail address in its `username` field (django-axes reads
    that field), and plainer words."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail address or the password is wrong. Check them, or reset your password."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.label = _("E-mail address")
        field.widget = forms.EmailInput(
            attrs={**EMAIL_ATTRS, "autocomplete": "username", "maxlength": "254"}
        )
        field.max_length = 254
        self.fields["password"].label = _("Password")


class ProfileForm(forms.Form):
    name = name_field()
    phone = phone_field()


class ServiceSetPasswordMixin:
    """Passwords set through accounts.services.users.user_set_password, which also revokes
    every API token of the account."""

    password_field_name = "new_password1"  # noqa: S105  (a field name)

    def save(self, commit: bool = True) -> User:
        return user_set_password(
            user=self.user, password=self.cleaned_data[self.password_field_name]
        )


class ResetPasswordForm(PasswordResetForm):
    email = email_field()

    def save(self, **kwargs) -> None:
        """Queue the link for every active account with this address (none: nothing is sent,
        and the page says the same), through the task queue like every other e-mail."""
        for user in self.get_users(self.cleaned_data["email"]):
            dispatch_on_commit(send_password_reset, user.pk)


class NewPasswordForm(ServiceSetPasswordMixin, SetPasswordForm):
    """The last step of a password reset."""


class ChangePasswordForm(ServiceSetPasswordMixin, PasswordChangeForm):
    """Change the password with the current one."""


class AdminPasswordForm(AdminPasswordChangeForm):
    """The admin's "change password" form; an admin may also turn password login off."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        return user_set_password(
            user=self.user, password=self.cleaned_data["password1"] if usable else None
        )
