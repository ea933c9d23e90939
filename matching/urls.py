from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:pk>/decide", views.decide, name="decide"),
]
