from django.urls import path

from chibo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("tokens/new/", views.new_token, name="new_token"),
    path("tokens/<int:token_id>/revoke/", views.revoke, name="revoke_token"),
]
