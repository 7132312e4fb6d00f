from django.urls import path

from bibliotal.teaching import views

app_name = "teaching"

urlpatterns = [
    path("", views.home, name="home"),
    path("courses/", views.catalogue, name="catalogue"),
    path("courses/of/<int:organisation_id>/", views.catalogue, name="catalogue_of"),
    path("courses/<slug:slug>/", views.course_public, name="course_public"),
    path("courses/<slug:slug>/thanks/", views.booking_thanks, name="booking_thanks"),
    path("manage/", views.course_list, name="course_list"),
    path("manage/new/", views.course_edit, name="course_new"),
    path("manage/<int:pk>/", views.course_edit, name="course_edit"),
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_edit, name="session_new"),
    path("sessions/<int:pk>/", views.session_edit, name="session_edit"),
    path("sessions.ics", views.calendar_feed, name="calendar_feed"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("reach/", views.reach, name="reach"),
]
