"""`/api/v1/auth/`: sign-up, e-mail verification, tokens, "who am I", password."""

from django.urls import path

from accounts.api import auth_views as views

urlpatterns = [
    path("register/", views.RegisterView.as_view(), name="auth-register"),
    path("verify-email/", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path(
        "verify-email/resend/",
        views.VerifyEmailResendView.as_view(),
        name="auth-verify-email-resend",
    ),
    path("token/", views.TokenView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="auth-me"),
    path("password/", views.PasswordView.as_view(), name="auth-password"),
]
