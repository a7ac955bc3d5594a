"""Pages for people: sign up, e-mail verification, log in/out, password reset, profile."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("daftar/", views.signup, name="signup"),
    path("verifikasi-email/", views.verify_email_sent, name="verify-email-sent"),
    path("verifikasi-email/<str:token>/", views.verify_email, name="verify-email"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("lupa-kata-sandi/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "lupa-kata-sandi/terkirim/",
        views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "atur-ulang-kata-sandi/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "atur-ulang-kata-sandi/selesai/",
        views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("profil/", views.profile, name="profile"),
    path("profil/kata-sandi/", views.PasswordChangeView.as_view(), name="password-change"),
]
