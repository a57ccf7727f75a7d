from django.urls import path

from egov.bridge.views import access, catalog, credentials, manage

app_name = "bridge"
urlpatterns = [
    path("", catalog.search, name="catalog"),
    path("services/<str:passport>/", catalog.passport, name="passport"),
    path("services/<str:passport>/<str:version>/request/", catalog.request_access, name="request"),
    path("requests/", access.request_list, name="requests"),
    path("requests/<int:pk>/", access.request_detail, name="request-detail"),
    path("grants/", access.grant_list, name="grants"),
    path("systems/", credentials.system_list, name="systems"),
    path("manage/", manage.service_list, name="manage"),
    path("manage/new/", manage.service_create, name="manage-new"),
    path("manage/<str:passport>/", manage.service_detail, name="manage-detail"),
    path(
        "systems/<str:organization>/<str:subsystem>/credentials/",
        credentials.credentials,
        name="credentials",
    ),
]
