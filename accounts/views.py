"""Pages for people: sign up, e-mail verification, log in/out, password reset, profile.

Each view shapes input with a form and calls the same service as the API
(accounts.services.users); passwords set on any page go through user_set_password, which
revokes the account's API tokens.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import forms
from accounts.selectors import organizations_of
from accounts.services import users as services
from core.errors import ApplicationError
from core.forms import apply_service_errors

LOGIN_BACKEND = "accounts.backends.EmailBackend"


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, log it in, and ask the person to open the link we e-mailed."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_register(**form.cleaned_data)
        except ApplicationError as error:
            apply_service_errors(form, error)
        else:
            login(request, user, backend=LOGIN_BACKEND)
            return redirect("accounts:verify-email-sent")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def verify_email_sent(request: HttpRequest) -> HttpResponse:
    """ "Check your e-mail", with a button that sends the link again."""
    if request.method == "POST":
        try:
            services.user_resend_verification(user=request.user)
        except ApplicationError as error:
            messages.info(request, str(error.message))
        else:
            messages.success(
                request,
                _("We sent a new link to %(email)s.") % {"email": request.user.email},
            )
        return redirect("accounts:verify-email-sent")
    return render(request, "accounts/verify_email_sent.html")


@require_http_methods(["GET"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. A used or expired link says what to do next (status 400)."""
    try:
        user = services.user_verify_email(token=token)
    except ApplicationError as error:
        return render(
            request, "accounts/verify_email_invalid.html", {"error": error.message}, status=400
        )
    return render(request, "accounts/verify_email_done.html", {"verified_user": user})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's name, phone and e-mail status, and their organisations."""
    user = request.user
    form = forms.ProfileForm(request.POST or None, initial={"name": user.name, "phone": user.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ApplicationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:profile")
    context = {"form": form, "memberships": organizations_of(user=user)}
    return render(request, "accounts/profile.html", context, status=400 if form.errors else 200)


class InvalidFormIs400:
    """A form sent back with errors answers 400, like the API (the page is the same)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LoginView(InvalidFormIs400, auth_views.LoginView):
    """Log in with e-mail and password. django-axes answers 429 with accounts/locked_out.html
    after too many failures for the account or from the address."""

    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django refuses GET): a link cannot log anyone out."""


class PasswordResetView(InvalidFormIs400, auth_views.PasswordResetView):
    """Ask for a reset link. The answer is the same whether or not the address has an account."""

    form_class = forms.ResetPasswordForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(InvalidFormIs400, auth_views.PasswordResetConfirmView):
    """Choose a new password from the e-mailed link; revokes the account's API tokens."""

    form_class = forms.NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and response.status_code == 200:
            response.status_code = 400  # a used, expired or mangled link
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(InvalidFormIs400, auth_views.PasswordChangeView):
    """Change the password with the current one; this session stays logged in, API tokens are
    revoked."""

    form_class = forms.ChangePasswordForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response
