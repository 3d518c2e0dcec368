"""The site's URLs, and one view that fails: what an error looks like in the log."""

from django.urls import include, path


def broken_view(request):
    raise RuntimeError("something broke")


urlpatterns = [
    path("broken/", broken_view),
    path("", include("diplomacy.urls")),
]
