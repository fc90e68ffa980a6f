from django.urls import path

from portal.reports import views

urlpatterns = [
    path("<str:token>/", views.survey, name="reports_survey"),
]
