from django.contrib.auth import views as auth_views
from django.urls import include, path

from bigcare import views

urlpatterns = [
    path("", views.start, name="start"),
    path("health", views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("intake/", include("intake.urls")),
    path("matching/", include("matching.urls")),
    path("", include("cases.urls")),
]
