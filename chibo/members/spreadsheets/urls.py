from django.urls import URLPattern

# Included in the "members" namespace by chibo/members/urls.py: no app_name here.
urlpatterns: list[URLPattern] = []
