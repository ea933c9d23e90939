from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("", views.sources, name="sources"),
    path("unplaced/", views.unplaced, name="unplaced"),
    path("sources/<int:pk>/", views.source, name="source"),
    path("programmes/", views.programmes, name="programmes"),
    path("programmes/save", views.programme_save, name="programme_save"),
    path("sources/<int:pk>/mapping", views.source_mapping, name="source_mapping"),
    path("sources/<int:pk>/upload", views.upload, name="upload"),
    path("runs/<int:pk>/", views.run, name="run"),
    path("runs/<int:pk>/progress", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/rollback", views.run_rollback, name="run_rollback"),
    path("runs/<int:pk>/resume", views.run_resume, name="run_resume"),
    path("runs/<int:pk>/reimport", views.run_reimport, name="run_reimport"),
    path("runs/<int:pk>/rejected.csv", views.run_rejected_csv, name="run_rejected_csv"),
]
