from django.urls import path

from onevisit.portal import case_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("signin/", views.signin, name="signin"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signout/", views.signout, name="signout"),
    path("acting-for/", views.acting_for, name="acting_for"),
    path("a11y/elder/", views.elder_mode, name="elder_mode"),
    path("search/", views.search_page, name="search"),
    # Applying and following a case (issue 4, citizen side)
    path("apply/items/<str:code>/", case_views.apply_item, name="apply_item"),
    path("apply/bundles/<slug:code>/", case_views.apply_bundle, name="apply_bundle"),
    path("apply/drafts/<int:draft_id>/materials/<slug:key>/", case_views.draft_upload, name="draft_upload"),
    path("my/cases/", case_views.my_cases, name="my_cases"),
    path("my/cases/<int:case_id>/", case_views.case_detail, name="case_detail"),
    path("my/cases/<int:case_id>/withdraw/", case_views.case_withdraw, name="case_withdraw"),
    path("my/cases/<int:case_id>/supplement/", case_views.case_answer_notice, name="case_answer_notice"),
    path("s/<str:number>/", case_views.case_status, name="case_status"),
    path("appointments/items/<str:code>/", case_views.book, name="book"),
    path("appointments/<int:booking_id>/cancel/", case_views.booking_cancel, name="booking_cancel"),
]
