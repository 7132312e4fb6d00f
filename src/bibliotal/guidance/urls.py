from django.urls import path

from bibliotal.guidance import views

app_name = "guidance"

urlpatterns = [
    path("", views.index, name="index"),
    path("tally/<int:pk>/", views.tally, name="tally"),
    path("typed/", views.typed, name="typed"),
    path("summary/", views.summary, name="summary"),
    path("kiosk/", views.kiosk_home, name="kiosk_home"),
    path("kiosk/pair/", views.kiosk_pair, name="kiosk_pair"),
    path("kiosk/unpair/", views.kiosk_unpair, name="kiosk_unpair"),
]
