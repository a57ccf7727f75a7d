from django.urls import path

from egov.consent.views import audit, cabinet

app_name = "consent"
urlpatterns = [
    path("", cabinet.cabinet, name="cabinet"),
    path("unlock/", cabinet.unlock, name="unlock"),
    path("consents/<str:public_id>/", cabinet.consent_detail, name="consent"),
    path("tracker/", cabinet.tracker_page, name="tracker"),
    path("tracker.csv", cabinet.tracker_csv, name="tracker-csv"),
    path("tracker.pdf", cabinet.tracker_pdf, name="tracker-pdf"),
    path("settings/", cabinet.preferences, name="settings"),
    path("audit/", audit.audit, name="audit"),
]
