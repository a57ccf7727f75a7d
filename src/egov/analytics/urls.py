from django.urls import path

from egov.analytics.views import catalog, editing, opendata, reporting

app_name = "analytics"
urlpatterns = [
    path("", catalog.search, name="catalog"),
    path("datasets/new/", catalog.create, name="dataset-new"),
    path("datasets/<str:name>/", catalog.detail, name="dataset"),
    path("datasets/<str:name>/edit/", editing.edit_dataset, name="dataset-edit"),
    path("datasets/<str:name>/upload/", catalog.upload, name="upload"),
    path("datasets/<str:name>/versions/<int:number>/restore/", catalog.restore, name="restore"),
    path("loads/<int:pk>/", catalog.load_detail, name="load"),
    path("loads/<int:pk>/decision/", catalog.decide, name="decide"),
    path("sql/", catalog.sql, name="sql"),
    path("indicators/", reporting.indicator_list, name="indicators"),
    path("indicators/new/", editing.indicator_form, name="indicator-new"),
    path("indicators/<slug:code>/", reporting.indicator_detail, name="indicator"),
    path("indicators/<slug:code>/edit/", editing.indicator_form, name="indicator-edit"),
    path("dashboards/", reporting.dashboard_list, name="dashboards"),
    path("dashboards/import/", reporting.import_yaml, name="import"),
    path("dashboards/<slug:slug>/", reporting.dashboard_detail, name="dashboard"),
    path(
        "dashboards/<slug:slug>/tiles/<int:position>.<str:fmt>",
        reporting.tile_export,
        name="tile-export",
    ),
    path("yaml/<str:kind>/<slug:key>.yaml", reporting.export_yaml, name="yaml"),
    path(
        "revisions/<str:kind>/<slug:key>/<int:number>/restore/",
        reporting.restore_revision,
        name="revision-restore",
    ),
    path("embed/indicator/<slug:code>/", reporting.embed_indicator, name="embed-indicator"),
    path("opendata/", opendata.index, name="opendata"),
    path("opendata/catalog.jsonld", opendata.dcat, name="dcat"),
    path("opendata/<str:name>.<str:fmt>", opendata.download, name="download"),
]
