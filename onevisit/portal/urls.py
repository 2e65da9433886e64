from django.urls import path

from onevisit.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signout/", views.signout, name="signout"),
    path("acting-for/", views.acting_for, name="acting_for"),
    path("a11y/elder/", views.elder_mode, name="elder_mode"),
    path("search/", views.search_page, name="search"),
]

