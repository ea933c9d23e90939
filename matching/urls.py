from django.urls import path

from matching import views

app_name = "matching"
urlpatterns = [
    path("review/", views.queue, name="queue"),
    path("review/<int:pk>/decide", views.decide, name="decide"),
    path("residents/<int:pk>/merge", views.merge, name="merge"),
    path("residents/<int:pk>/split", views.split, name="split"),
    path("residents/<int:pk>/changes", views.changes, name="changes"),
    path("residents/<int:pk>/undo", views.undo, name="undo"),
]
