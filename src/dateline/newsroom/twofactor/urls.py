from django.urls import path

from dateline.newsroom.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.devices, name="devices"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    path("authenticator/", views.authenticator_setup, name="totp-setup"),
]
