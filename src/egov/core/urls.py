from django.urls import path

from egov.core.views import account, language, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("language/", language.choose, name="choose-language"),
    path("account/login/", account.LoginView.as_view(), name="login"),
    path("account/logout/", account.LogoutView.as_view(), name="logout"),
    path("account/second-factor/", account.second_factor, name="second-factor"),
    path("account/notifications/", account.notifications, name="notifications"),
    path("account/profile/", account.profile, name="profile"),
]
